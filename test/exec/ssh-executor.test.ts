import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

import { isExecError } from '../../src/exec/errors.js'
import { createSshExecutor } from '../../src/exec/ssh-executor.js'
import type { SshExecutorOptions } from '../../src/exec/ssh-executor.js'
import { generateSshKeyPair, startSshNodeServer } from '../helpers/ssh-node-server.js'
import type { SshNodeServer } from '../helpers/ssh-node-server.js'
import { nastyFragments, randomWord, seededRandom } from './random-words.js'
import { makeTempDir } from './temp-dir.js'

const temp = makeTempDir()
const printArgv = join(temp.dir, 'print-argv.js')
writeFileSync(printArgv, 'process.stdout.write(JSON.stringify(process.argv.slice(2)))\n')
const node = process.execPath
const clientKey = generateSshKeyPair()

let server: SshNodeServer
const executors: { close: () => Promise<void> }[] = []

beforeAll(async () => {
  server = await startSshNodeServer({
    authorizedKey: clientKey.publicKey,
    env: { PVE_SIM_NODE: 'pve2' },
  })
})
afterAll(async () => {
  await server.close()
  temp.remove()
})
afterEach(async () => {
  await Promise.all(executors.splice(0).map((executor) => executor.close()))
})

function connect(options: Partial<SshExecutorOptions> = {}, target = server) {
  const executor = createSshExecutor({
    host: target.host,
    port: target.port,
    privateKey: clientKey.privateKey,
    hostKey: { pinned: target.hostKeyFingerprint },
    connectTimeoutMs: 5000,
    ...options,
  })
  executors.push(executor)
  return executor
}

describe('ssh executor', () => {
  it('runs a command on the node and returns its output and exit code', async () => {
    const result = await connect().run([
      node,
      '-e',
      'console.log(process.env.PVE_SIM_NODE); console.error("oops"); process.exit(4)',
    ])
    expect(result).toMatchObject({ exitCode: 4, stdout: 'pve2\n', stderr: 'oops\n' })
  })

  it('returns a remote exit code of 255 as a result, not as an ssh failure', async () => {
    const result = await connect().run(['sh', '-c', 'echo "VM is locked (create)" >&2; exit 255'])
    expect(result.exitCode).toBe(255)
    expect(result.stderr).toBe('VM is locked (create)\n')
  })

  it('forwards stdin to the remote program', async () => {
    const result = await connect().run(['cat'], {
      stdin: 'ssh-ed25519 AAAA one\nssh-rsa BBBB two\n',
    })
    expect(result.stdout).toBe('ssh-ed25519 AAAA one\nssh-rsa BBBB two\n')
  })

  it('passes extra variables to the remote program', async () => {
    const result = await connect().run(['sh', '-c', 'echo "$PVE_SIM_NODE $EXTRA"'], {
      env: { EXTRA: "it's $(here)" },
    })
    expect(result.stdout).toBe("pve2 it's $(here)\n")
  })

  it('delivers remote lines while the command still runs', async () => {
    const flag = join(temp.dir, 'ssh-go-on')
    const script = `console.log('first')
      const t = setInterval(() => {
        if (require('node:fs').existsSync(process.argv[1])) { clearInterval(t); console.log('second') }
      }, 5)`
    const lines: string[] = []
    await connect().run([node, '-e', script, flag], {
      timeoutMs: 20_000,
      onStdoutLine: (line) => {
        lines.push(line)
        if (line === 'first') writeFileSync(flag, '')
      },
    })
    expect(lines).toEqual(['first', 'second'])
  })

  it('reuses one connection for many commands, also concurrent ones', async () => {
    const executor = connect()
    const before = server.logins
    await executor.run(['true'])
    await Promise.all([executor.run(['true']), executor.run(['true']), executor.run(['true'])])
    expect(server.logins - before).toBe(1)
  })

  it('queues commands beyond its session limit instead of failing them', async () => {
    const busy = await startSshNodeServer({ authorizedKey: clientKey.publicKey })
    try {
      const executor = connect({ maxSessions: 2 }, busy)
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => executor.run(['sh', '-c', `sleep 0.1; echo ${i}`])),
      )
      expect(results.map((r) => r.stdout)).toEqual(['0\n', '1\n', '2\n', '3\n', '4\n', '5\n'])
      expect(busy.peakSessions).toBe(2)
    } finally {
      await busy.close()
    }
  })

  it('reconnects after the node dropped the connection', async () => {
    const executor = connect()
    const before = server.logins
    await executor.run(['true'])
    server.dropConnections()
    const result = await executor.run(['echo', 'back'])
    expect(result.stdout).toBe('back\n')
    expect(server.logins - before).toBe(2)
  })

  it('keeps every word of the argument array one unchanged word through the remote shell', async () => {
    const executor = connect()
    const random = seededRandom(7)
    const batches = [
      nastyFragments,
      ...Array.from({ length: 3 }, () => Array.from({ length: 100 }, () => randomWord(random))),
    ]
    for (const words of batches) {
      const result = await executor.run([node, printArgv, ...words])
      expect(JSON.parse(result.stdout)).toEqual(words)
    }
    expect(server.commands.at(-1)).toMatch(/^'/)
  })

  it('stops waiting for a command past its timeout', async () => {
    const error: unknown = await connect()
      .run(['sleep', '30'], { timeoutMs: 100 })
      .catch((e: unknown) => e)
    expect(isExecError(error, 'EXEC_TIMEOUT')).toBe(true)
  })

  it('stops waiting past its timeout while the node has not yet answered the exec request', async () => {
    const executor = connect()
    await executor.run(['true'])
    const release = server.holdExecs()
    try {
      // what would run does not matter: the node never starts it before the timeout
      const error: unknown = await executor
        .run(['true'], { timeoutMs: 100 })
        .catch((e: unknown) => e)
      expect(isExecError(error, 'EXEC_TIMEOUT')).toBe(true)
    } finally {
      release()
    }
  })

  it('stops waiting when the caller aborts', async () => {
    const controller = new AbortController()
    const error: unknown = await connect()
      .run(['sh', '-c', 'echo ready; sleep 30'], {
        signal: controller.signal,
        onStdoutLine: () => {
          controller.abort()
        },
      })
      .catch((e: unknown) => e)
    expect(isExecError(error, 'EXEC_ABORTED')).toBe(true)
  })

  it('learns the host key on first contact and reports it', async () => {
    const seen: string[] = []
    const executor = connect({
      hostKey: { onFirstContact: (fingerprint) => seen.push(fingerprint) },
    })
    await executor.run(['true'])
    expect(seen).toEqual([server.hostKeyFingerprint])
    expect(executor.hostKeyFingerprint).toBe(server.hostKeyFingerprint)
  })

  it('refuses a node whose host key is not the pinned one, naming both fingerprints', async () => {
    const impostor = generateSshKeyPair()
    const other = await startSshNodeServer({
      authorizedKey: clientKey.publicKey,
      hostKey: impostor.privateKey,
    })
    try {
      const error: unknown = await connect(
        { hostKey: { pinned: server.hostKeyFingerprint } },
        other,
      )
        .run(['true'])
        .catch((e: unknown) => e)
      expect(isExecError(error, 'EXEC_HOST_KEY_CHANGED')).toBe(true)
      const message = String(error)
      expect(message).toContain(`127.0.0.1:${other.port}`)
      expect(message).toContain(server.hostKeyFingerprint)
      expect(message).toContain(other.hostKeyFingerprint)
      expect(other.commands).toEqual([])
    } finally {
      await other.close()
    }
  })

  it('refuses a node whose key changed since first contact', async () => {
    const first = await startSshNodeServer({ authorizedKey: clientKey.publicKey })
    const executor = connect({ hostKey: {} }, first)
    await executor.run(['true'])
    const port = first.port
    await first.close()
    const reinstalled = await startSshNodeServer({ authorizedKey: clientKey.publicKey, port })
    try {
      const error: unknown = await executor.run(['true']).catch((e: unknown) => e)
      expect(isExecError(error, 'EXEC_HOST_KEY_CHANGED')).toBe(true)
      expect(reinstalled.commands).toEqual([])
    } finally {
      await reinstalled.close()
    }
  })

  it('reports a refused login as an ssh failure', async () => {
    const stranger = generateSshKeyPair()
    const error: unknown = await connect({ privateKey: stranger.privateKey })
      .run(['true'])
      .catch((e: unknown) => e)
    expect(isExecError(error, 'EXEC_SSH_FAILED')).toBe(true)
    expect(String(error)).not.toContain('PRIVATE KEY')
  })

  it('reports a closed port as an ssh failure', async () => {
    const port = await freePort()
    const error: unknown = await connect({ port })
      .run(['true'])
      .catch((e: unknown) => e)
    expect(isExecError(error, 'EXEC_SSH_FAILED')).toBe(true)
    expect(String(error)).toContain(`root@127.0.0.1:${port}`)
  })

  it('gives up on a node that accepts TCP but never speaks SSH', async () => {
    const silent = createServer(() => undefined)
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as AddressInfo
    try {
      const error: unknown = await connect({ port, connectTimeoutMs: 200 })
        .run(['true'])
        .catch((e: unknown) => e)
      expect(isExecError(error, 'EXEC_SSH_FAILED')).toBe(true)
    } finally {
      silent.close()
    }
  })

  it('fails with a clear error for an unusable private key, without echoing it', async () => {
    const error: unknown = await connect({ privateKey: 'not a key secret-material' })
      .run(['true'])
      .catch((e: unknown) => e)
    expect(isExecError(error, 'EXEC_SSH_FAILED')).toBe(true)
    expect(String(error)).not.toContain('secret-material')
  })
})

async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) =>
    probe.close(() => {
      resolve()
    }),
  )
  return port
}
