import type { ServerChannel } from 'ssh2'
import { afterEach, describe, expect, it } from 'vitest'

import { quoteForShell } from '../../src/exec/index.js'
import { GuestScriptError, isGuestError } from '../../src/guest/errors.js'
import { createMemoryHostKeyStore } from '../../src/guest/host-keys.js'
import { runGuestScript } from '../../src/guest/run-script.js'
import type { GuestOutputStream, RunGuestScriptOptions } from '../../src/guest/run-script.js'
import { generateKeyPair, startTestGuest } from './test-guest.js'
import type { TestGuest } from './test-guest.js'

const serviceKey = generateKeyPair()
const guests: TestGuest[] = []
afterEach(async () => {
  await Promise.all(guests.splice(0).map((guest) => guest.close()))
})

type CommandHandler = (channel: ServerChannel, commandLine: string, stdin: Promise<string>) => void

async function startGuest(onCommand: CommandHandler): Promise<TestGuest> {
  const guest = await startTestGuest({ authorizedKey: serviceKey.publicKey, onCommand })
  guests.push(guest)
  return guest
}

function scriptOptions(
  guest: TestGuest,
  overrides: Partial<RunGuestScriptOptions> = {},
): RunGuestScriptOptions {
  return {
    host: guest.host,
    port: guest.port,
    username: 'debian',
    privateKey: serviceKey.privateKey,
    hostKeys: createMemoryHostKeyStore(),
    script: "say 'hello'\n",
    timeoutMs: 10_000,
    onLine: () => undefined,
    ...overrides,
  }
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a failure')
}

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined
  const promise = new Promise<void>((done) => {
    resolve = done
  })
  return { promise, resolve }
}

describe('runGuestScript', () => {
  it('sends the script on stdin of sudo bash and streams each line as it comes', async () => {
    const firstLineSeen = signal()
    let received = ''
    const guest = await startGuest((channel, _command, stdin) => {
      void stdin.then(async (script) => {
        received = script
        channel.write('waiting for cloud-init to finish\ninstal')
        // The next line is only written once the caller has seen the first one.
        await firstLineSeen.promise
        channel.write('ling: qemu-guest-agent\n')
        channel.stderr.write('W: some warning\n')
        channel.write('done without newline')
        channel.exit(0)
        channel.end()
      })
    })
    const lines: [string, GuestOutputStream][] = []
    const script = "PVEQ_ROOT_PASSWORD_HASH='$6$salt$hash'\nsay 'hello'\n"

    await runGuestScript(
      scriptOptions(guest, {
        script,
        onLine: (line, stream) => {
          lines.push([line, stream])
          if (line === 'waiting for cloud-init to finish') firstLineSeen.resolve()
        },
      }),
    )

    expect(guest.commands).toEqual([quoteForShell(['sudo', '-n', 'bash', '-s'])])
    expect(guest.commands.join(' ')).not.toContain('$6$')
    expect(received).toBe(script)
    expect(lines).toEqual([
      ['waiting for cloud-init to finish', 'stdout'],
      ['installing: qemu-guest-agent', 'stdout'],
      ['W: some warning', 'stderr'],
      ['done without newline', 'stdout'],
    ])
  })

  it('fails with the exit status and the last lines, never the script', async () => {
    const guest = await startGuest((channel, _command, stdin) => {
      void stdin.then(() => {
        channel.write('installing: curl\n')
        channel.stderr.write('E: Unable to locate package curl\n')
        channel.exit(100)
        channel.end()
      })
    })
    const error = await failureOf(
      runGuestScript(scriptOptions(guest, { script: "ROOT_SECRET='hunter2'\nsay 'go'\n" })),
    )
    expect(error).toBeInstanceOf(GuestScriptError)
    expect(isGuestError(error, 'GUEST_SCRIPT_FAILED')).toBe(true)
    if (!(error instanceof GuestScriptError)) return
    expect(error.exitCode).toBe(100)
    expect(error.lastLines).toEqual(['installing: curl', 'E: Unable to locate package curl'])
    expect(error.message).toContain(`${guest.host}:${guest.port} exited with status 100`)
    expect(error.message).toContain('E: Unable to locate package curl')
    expect(error.message).not.toContain('hunter2')
  })

  it('keeps only the last lines of a long failing run', async () => {
    const guest = await startGuest((channel, _command, stdin) => {
      void stdin.then(() => {
        for (let n = 1; n <= 50; n += 1) channel.write(`line ${n}\n`)
        channel.exit(1)
        channel.end()
      })
    })
    const error = await failureOf(runGuestScript(scriptOptions(guest)))
    if (!(error instanceof GuestScriptError)) throw new Error('expected a script error')
    expect(error.lastLines).toHaveLength(20)
    expect(error.lastLines.at(-1)).toBe('line 50')
  })

  it('gives up on a script that runs past its timeout', async () => {
    const guest = await startGuest(() => undefined)
    const error = await failureOf(runGuestScript(scriptOptions(guest, { timeoutMs: 300 })))
    expect(isGuestError(error, 'GUEST_SCRIPT_TIMEOUT')).toBe(true)
    expect(String(error)).toContain(`${guest.host}:${guest.port}`)
  })

  it('stops when cancelled', async () => {
    const controller = new AbortController()
    const guest = await startGuest((channel) => {
      channel.write('started\n')
    })
    const error = await failureOf(
      runGuestScript(
        scriptOptions(guest, {
          signal: controller.signal,
          onLine: () => {
            controller.abort(new Error('job cancelled'))
          },
        }),
      ),
    )
    expect(isGuestError(error, 'GUEST_ABORTED')).toBe(true)
  })

  it('reports a connection lost in the middle of the script', async () => {
    const guest = await startGuest((channel) => {
      channel.write('step one\n')
    })
    const error = await failureOf(
      runGuestScript(
        scriptOptions(guest, {
          onLine: () => {
            void guest.close()
          },
        }),
      ),
    )
    expect(isGuestError(error, 'GUEST_SSH_FAILED')).toBe(true)
    expect(String(error)).toContain('before the init script finished')
  })
})
