import type { Client } from 'ssh2'

import { quoteForShell } from '../exec/index.js'
import { checkGuestAddress } from './check-address.js'
import { connectGuest } from './connect-guest.js'
import { GuestError, GuestScriptError, isGuestError } from './errors.js'
import { execOnGuest } from './exec-on-guest.js'
import type { GuestSshTarget } from './guest-target.js'
import { onSession, type GuestSession } from './guest-session.js'
import { LineSplitter } from './line-splitter.js'
import { openTcpConnection } from './open-tcp-connection.js'

export type GuestOutputStream = 'stdout' | 'stderr'

export interface RunGuestScriptOptions extends GuestSshTarget {
  /** the whole script; it travels on stdin only, so secrets in it never reach a command line */
  script: string
  signal?: AbortSignal | undefined
  /** each output line as it arrives, without its line end */
  onLine: (line: string, stream: GuestOutputStream) => void
  /** how long the script may run, login included */
  timeoutMs: number
  /** how long the TCP connect and the SSH login may take (default 10000) */
  connectTimeoutMs?: number
  /** runs on this session's connection (kept open afterwards) instead of a login of its own */
  session?: GuestSession | undefined
}

/** How many output lines a failure keeps for its message. */
const tailLength = 20

/**
 * Runs `script` as root on the VM: one SSH login with the service key (or the `session`'s
 * connection), then `sudo -n bash -s` with the script written to its stdin. Output reaches `onLine` line by line
 * while the script runs. A non-zero exit rejects with `GUEST_SCRIPT_FAILED` carrying the exit
 * code and the last output lines (never the script); running past `timeoutMs` rejects with
 * `GUEST_SCRIPT_TIMEOUT`, `signal` with `GUEST_ABORTED`, a lost connection with
 * `GUEST_SSH_FAILED`.
 */
export async function runGuestScript(options: RunGuestScriptOptions): Promise<void> {
  const { host, port, signal, timeoutMs } = options
  checkGuestAddress(host, port)
  const target = `${host}:${port}`
  const deadlineSignal = AbortSignal.timeout(timeoutMs)
  const runSignal =
    signal === undefined ? deadlineSignal : AbortSignal.any([signal, deadlineSignal])
  const connectTimeoutMs = Math.min(options.connectTimeoutMs ?? 10_000, timeoutMs)
  const tail: string[] = []
  const deliver = (lines: string[], stream: GuestOutputStream): void => {
    for (const line of lines) {
      tail.push(line)
      if (tail.length > tailLength) tail.shift()
      options.onLine(line, stream)
    }
  }
  const stdout = new LineSplitter()
  const stderr = new LineSplitter()

  const run = async (client: Client, started: () => void): Promise<void> => {
    const exit = await execOnGuest(client, target, quoteForShell(['sudo', '-n', 'bash', '-s']), {
      what: 'init script',
      stdin: options.script,
      signal: runSignal,
      onStdout: (chunk) => {
        started()
        deliver(stdout.push(chunk), 'stdout')
      },
      onStderr: (chunk) => {
        started()
        deliver(stderr.push(chunk), 'stderr')
      },
    })
    deliver(stdout.flush(), 'stdout')
    deliver(stderr.flush(), 'stderr')
    if (exit.exitCode === 0) return
    const ending =
      exit.exitCode === undefined
        ? `was ended by signal ${exit.signal ?? 'unknown'}`
        : `exited with status ${exit.exitCode}`
    throw new GuestScriptError(target, ending, exit.exitCode, [...tail])
  }

  try {
    const session = options.session
    if (session !== undefined) {
      // the connection the readiness check logged in with; a fresh one if it died meanwhile
      await onSession(session, { timeoutMs: connectTimeoutMs, signal: runSignal }, run)
      return
    }
    const socket = await openTcpConnection({
      host,
      port,
      timeoutMs: connectTimeoutMs,
      signal: runSignal,
    })
    const client = await connectGuest({
      ...options,
      socket,
      handshakeTimeoutMs: connectTimeoutMs,
      signal: runSignal,
    })
    try {
      await run(client, () => undefined)
    } finally {
      client.end()
    }
  } catch (error) {
    if (
      deadlineSignal.aborted &&
      signal?.aborted !== true &&
      isGuestError(error, 'GUEST_ABORTED')
    ) {
      throw new GuestError(
        'GUEST_SCRIPT_TIMEOUT',
        target,
        `init script on ${target} did not finish within ${timeoutMs}ms; the connection was closed`,
        { cause: error },
      )
    }
    throw error
  }
}
