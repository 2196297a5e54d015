import type { ServerChannel } from 'ssh2'

import { emulateScript } from './emulate-script.js'
import type { ScriptEmulation, ScriptOutputLine } from './emulate-script.js'
import { splitCommandLine } from './split-command-line.js'

export interface GuestCommandOptions {
  /** pause before each emulated output line, so progress arrives over time */
  stepDelayMs: number
  /** true when this run of the init script should fail (a test's injected fault) */
  takeScriptFault: () => boolean
  /** does the guest need a reboot now (`/run/reboot-required`, `needs-restarting -r`)? */
  rebootRequired?: () => boolean
  /** called with the script's text when an init script ran to the end with status 0 */
  onScriptSucceeded?: (script: string) => void
  /** told the passwords a successful script set, by user (crypt hashes) */
  onPasswords?: (passwords: Record<string, string>) => void
}

/** Scripts larger than this are refused; the real ones are a few kilobytes. */
const maxScriptBytes = 1024 * 1024

/**
 * Answers one `exec` request on a simulated guest. `true` exits 0; `sudo -n bash -s` reads the
 * script from stdin and plays back what `emulateScript` says it prints (nothing runs on this
 * host); anything else exits 127 like bash does for an unknown command.
 */
export function runGuestCommand(
  channel: ServerChannel,
  commandLine: string,
  options: GuestCommandOptions,
): void {
  channel.on('error', () => undefined)
  const argv = splitCommandLine(commandLine)
  const command = argv?.join(' ')
  if (command === 'true') {
    finish(channel, 0)
  } else if (command === 'test -f /run/reboot-required') {
    finish(channel, options.rebootRequired?.() === true ? 0 : 1)
  } else if (command === 'needs-restarting -r') {
    // dnf-utils' wording: exit 1 when a reboot is needed, 0 when not
    const required = options.rebootRequired?.() === true
    channel.write(
      required
        ? 'Core libraries or services have been updated since boot-up:\n  * kernel\n\nReboot is required to fully utilize these updates.\n'
        : 'No core libraries or services have been updated since boot-up.\nReboot should not be necessary.\n',
    )
    finish(channel, required ? 1 : 0)
  } else if (command === 'sudo -n bash -s') {
    readStdin(channel, (script) => {
      const faulty = options.takeScriptFault()
      const result = script === undefined ? tooLarge : emulate(script, faulty)
      if (result.exitCode === 0) options.onPasswords?.(result.passwords)
      play(channel, result, options.stepDelayMs, () => {
        if (result.exitCode === 0 && script !== undefined) options.onScriptSucceeded?.(script)
      })
    })
  } else {
    const name = argv?.[0] ?? commandLine.split(/\s/)[0] ?? ''
    channel.stderr.write(`bash: ${name}: command not found\n`)
    finish(channel, 127)
  }
}

const tooLarge = {
  lines: [{ stream: 'stderr', text: 'bash: script too large for the simulated guest' }],
  exitCode: 2,
  passwords: {},
} satisfies ScriptEmulation

function emulate(script: string, faulty: boolean): ScriptEmulation {
  const emulation = emulateScript(script)
  if (!faulty) return emulation
  // The injected failure: the first step runs, then the package manager gives up.
  return {
    lines: [
      ...emulation.lines.slice(0, 1),
      { stream: 'stderr', text: 'E: Unable to fetch some archives (simulated fault)' },
    ],
    exitCode: 1,
    passwords: {},
  }
}

function readStdin(channel: ServerChannel, onScript: (script: string | undefined) => void): void {
  const chunks: Buffer[] = []
  let size = 0
  channel.on('data', (chunk: Buffer) => {
    size += chunk.length
    if (size <= maxScriptBytes) chunks.push(chunk)
  })
  channel.once('end', () => {
    onScript(size > maxScriptBytes ? undefined : Buffer.concat(chunks).toString('utf8'))
  })
}

function play(
  channel: ServerChannel,
  result: { lines: ScriptOutputLine[]; exitCode: number },
  stepDelayMs: number,
  onEnd?: () => void,
): void {
  let closed = false
  channel.once('close', () => {
    closed = true
  })
  const step = (index: number): void => {
    if (closed) return
    const line = result.lines[index]
    if (line === undefined) {
      onEnd?.()
      finish(channel, result.exitCode)
      return
    }
    const stream = line.stream === 'stderr' ? channel.stderr : channel
    stream.write(`${line.text}\n`)
    setTimeout(() => {
      step(index + 1)
    }, stepDelayMs)
  }
  setTimeout(() => {
    step(0)
  }, stepDelayMs)
}

function finish(channel: ServerChannel, exitCode: number): void {
  channel.exit(exitCode)
  channel.end()
}
