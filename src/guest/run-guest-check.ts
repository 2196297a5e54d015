import type { Client } from 'ssh2'

import { quoteForShell } from '../exec/index.js'
import { checkGuestAddress } from './check-address.js'
import { connectGuest } from './connect-guest.js'
import { execOnGuest, type GuestExit } from './exec-on-guest.js'
import { onSession, type GuestSession } from './guest-session.js'
import type { GuestSshTarget } from './guest-target.js'
import { openTcpConnection } from './open-tcp-connection.js'

export interface RunGuestCheckOptions extends GuestSshTarget {
  /** the command's words (quoted here for the remote shell) */
  argv: readonly string[]
  /** names the command in errors */
  what: string
  signal?: AbortSignal | undefined
  /** how long login and command may take */
  timeoutMs: number
  /** runs on this session's connection (kept open afterwards) instead of a login of its own */
  session?: GuestSession | undefined
}

/** Runs one read-only command on the VM and returns how it ended and what it printed. */
export async function runGuestCheck(
  options: RunGuestCheckOptions,
): Promise<GuestExit & { stdout: string }> {
  const { host, port } = options
  checkGuestAddress(host, port)
  const deadline = AbortSignal.timeout(options.timeoutMs)
  const signal =
    options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline])
  const run = async (client: Client): Promise<GuestExit & { stdout: string }> => {
    const chunks: Buffer[] = []
    const exit = await execOnGuest(client, `${host}:${port}`, quoteForShell(options.argv), {
      what: options.what,
      signal,
      onStdout: (chunk) => chunks.push(chunk),
    })
    return { ...exit, stdout: Buffer.concat(chunks).toString('utf8') }
  }
  // read-only: a held connection that died unnoticed is simply retried on a fresh one
  if (options.session !== undefined)
    return onSession(options.session, { timeoutMs: options.timeoutMs, signal }, run)
  const socket = await openTcpConnection({ host, port, timeoutMs: options.timeoutMs, signal })
  const client = await connectGuest({
    ...options,
    socket,
    handshakeTimeoutMs: options.timeoutMs,
    signal,
  })
  try {
    return await run(client)
  } finally {
    client.end()
  }
}
