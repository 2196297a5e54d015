import { chmodSync, existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { createLocalExecutor } from '../../src/exec/local-executor.js'
import { isExecError } from '../../src/exec/errors.js'
import { makeTempDir } from './temp-dir.js'

const temp = makeTempDir()
afterAll(() => {
  temp.remove()
})

const node = process.execPath
const local = createLocalExecutor()

/** `node -e <script> ...args` */
function nodeArgv(script: string, ...args: string[]): string[] {
  return [node, '-e', script, '--', ...args]
}

describe('local executor', () => {
  it('returns stdout, stderr and the exit code of the program', async () => {
    const result = await local.run(
      nodeArgv('console.log("out"); console.error("err"); process.exit(3)'),
    )
    expect(result.exitCode).toBe(3)
    expect(result.stdout).toBe('out\n')
    expect(result.stderr).toBe('err\n')
    expect(result.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('passes every argument as one word, never through a shell', async () => {
    const words = ["it's", '$(touch /tmp/x)', '`id`', 'a b', '-x', 'line\nbreak', '; ls']
    const result = await local.run(
      nodeArgv('process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...words),
    )
    expect(JSON.parse(result.stdout)).toEqual(words)
  })

  it('feeds stdin to the program', async () => {
    const result = await local.run(nodeArgv('process.stdin.pipe(process.stdout)'), {
      stdin: 'ssh-ed25519 AAAA key\nsecond line\n',
    })
    expect(result.stdout).toBe('ssh-ed25519 AAAA key\nsecond line\n')
  })

  it('delivers each line while the program still runs', async () => {
    const flag = join(temp.dir, 'go-on')
    const script = `
      console.log('first')
      const t = setInterval(() => {
        if (require('node:fs').existsSync(process.argv[1])) {
          clearInterval(t); console.log('second')
        }
      }, 5)`
    const lines: string[] = []
    // The program prints "second" only after the test saw "first": no streaming, no end.
    const result = await local.run(nodeArgv(script, flag), {
      timeoutMs: 20_000,
      onStdoutLine: (line) => {
        lines.push(line)
        if (line === 'first') writeFileSync(flag, '')
      },
    })
    expect(lines).toEqual(['first', 'second'])
    expect(result.exitCode).toBe(0)
  })

  it('splits stderr into lines and keeps a last line without a newline', async () => {
    const lines: string[] = []
    await local.run(nodeArgv('process.stderr.write("a\\r\\nb\\nlast")'), {
      onStderrLine: (line) => lines.push(line),
    })
    expect(lines).toEqual(['a', 'b', 'last'])
  })

  it('stops a program that runs past its timeout', async () => {
    const error: unknown = await local
      .run(nodeArgv('setInterval(() => {}, 1000)'), { timeoutMs: 100 })
      .catch((e: unknown) => e)
    expect(isExecError(error, 'EXEC_TIMEOUT')).toBe(true)
    expect(String(error)).toMatch(/did not finish within 100 ms/)
  })

  it('kills a program that ignores SIGTERM after the grace period', async () => {
    const stubborn = createLocalExecutor({ killGraceMs: 50 })
    const script =
      'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000)'
    const error: unknown = await stubborn
      .run(nodeArgv(script), { timeoutMs: 200 })
      .catch((e: unknown) => e)
    expect(isExecError(error, 'EXEC_TIMEOUT')).toBe(true)
  })

  it('stops the program when the caller aborts', async () => {
    const controller = new AbortController()
    const error: unknown = await local
      .run(nodeArgv('console.log("ready"); setInterval(() => {}, 1000)'), {
        signal: controller.signal,
        onStdoutLine: () => {
          controller.abort(new Error('job cancelled'))
        },
      })
      .catch((e: unknown) => e)
    expect(isExecError(error, 'EXEC_ABORTED')).toBe(true)
  })

  it('does not start a program when the signal is already aborted', async () => {
    const flag = join(temp.dir, 'should-not-exist')
    const error: unknown = await local
      .run(nodeArgv('require("node:fs").writeFileSync(process.argv[1], "")', flag), {
        signal: AbortSignal.abort(),
      })
      .catch((e: unknown) => e)
    expect(isExecError(error, 'EXEC_ABORTED')).toBe(true)
    expect(existsSync(flag)).toBe(false)
  })

  it('reports a program that cannot be started', async () => {
    const error: unknown = await local.run(['/nonexistent/qm', 'list']).catch((e: unknown) => e)
    expect(isExecError(error, 'EXEC_SPAWN_FAILED')).toBe(true)
    expect(String(error)).toMatch(/cannot run \/nonexistent\/qm: ENOENT/)
  })

  it('refuses an argument with a NUL byte before running anything', async () => {
    const error: unknown = await local.run(['echo', 'a\0b']).catch((e: unknown) => e)
    expect(isExecError(error, 'EXEC_INVALID_ARGUMENT')).toBe(true)
  })

  it('finds programs in the extra path first and passes extra variables', async () => {
    const bin = join(temp.dir, 'bin')
    const { mkdirSync } = await import('node:fs')
    mkdirSync(bin)
    writeFileSync(join(bin, 'qm'), '#!/bin/sh\necho "fake qm on $PVE_SIM_NODE $1"\n')
    chmodSync(join(bin, 'qm'), 0o755)
    const executor = createLocalExecutor({ path: bin, env: { PVE_SIM_NODE: 'pve1' } })
    expect((await executor.run(['qm', 'list'])).stdout).toBe('fake qm on pve1 list\n')
    const perRun = await executor.run(['qm', 'status'], { env: { PVE_SIM_NODE: 'pve2' } })
    expect(perRun.stdout).toBe('fake qm on pve2 status\n')
  })

  it('keeps only the tail of an output larger than the cap, but every line', async () => {
    const capped = createLocalExecutor({ maxOutputChars: 100 })
    const lines: string[] = []
    const result = await capped.run(
      nodeArgv('for (let i = 0; i < 100; i++) console.log("line " + i)'),
      { onStdoutLine: (line) => lines.push(line) },
    )
    expect(result.stdout.length).toBe(100)
    expect(result.stdout.endsWith('line 98\nline 99\n')).toBe(true)
    expect(lines).toHaveLength(100)
  })
})
