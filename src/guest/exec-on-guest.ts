import type { Client } from 'ssh2'

import { guestAbortedError, GuestSshFailedError } from './errors.js'

export interface ExecOnGuestOptions {
  /** written to the command's stdin, which is then closed */
  stdin?: string
  onStdout?: (chunk: Buffer) => void
  onStderr?: (chunk: Buffer) => void
  signal?: AbortSignal | undefined
  /** names the command in errors, e.g. `init script`; never the command text itself */
  what: string
}

/** How a remote command ended: its exit status, or the signal that ended it. */
export interface GuestExit {
  exitCode: number | undefined
  signal: string | undefined
}

/**
 * Runs one already-quoted command line on a logged-in connection and resolves with how it
 * ended. A connection that closes before the exit status arrives is a `GUEST_SSH_FAILED`
 * error; `signal` ends the connection and rejects with `GUEST_ABORTED`.
 */
export function execOnGuest(
  client: Client,
  target: string,
  commandLine: string,
  options: ExecOnGuestOptions,
): Promise<GuestExit> {
  const { signal, what } = options
  return new Promise<GuestExit>((resolve, reject) => {
    let done = false
    const finish = (outcome: GuestExit | Error): void => {
      if (done) return
      done = true
      signal?.removeEventListener('abort', onAbort)
      client.off('close', onConnectionClose)
      if (outcome instanceof Error) {
        client.end()
        reject(outcome)
      } else {
        resolve(outcome)
      }
    }
    const onAbort = (): void => {
      if (signal !== undefined) finish(guestAbortedError(target, what, signal))
    }
    const onConnectionClose = (): void => {
      finish(new GuestSshFailedError(target, `connection closed before the ${what} finished`))
    }
    if (signal?.aborted === true) {
      onAbort()
      return
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    client.once('close', onConnectionClose)
    client.exec(commandLine, (error, channel) => {
      if (done) {
        // the connection closed first: ssh2 then calls back with an error and no channel
        if (error === undefined) channel.close()
        return
      }
      if (error !== undefined) {
        finish(new GuestSshFailedError(target, `cannot start the ${what}: ${error.message}`))
        return
      }
      let exit: GuestExit | undefined
      channel.on('exit', (code: number | null, signalName?: string) => {
        exit = { exitCode: code ?? undefined, signal: signalName }
      })
      channel.on('data', (chunk: Buffer) => options.onStdout?.(chunk))
      channel.stderr.on('data', (chunk: Buffer) => options.onStderr?.(chunk))
      channel.on('error', () => undefined)
      channel.on('close', () => {
        finish(exit ?? new GuestSshFailedError(target, `the ${what} ended without an exit status`))
      })
      channel.end(options.stdin ?? '')
    })
  })
}
