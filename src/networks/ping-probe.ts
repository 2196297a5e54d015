import { execFile } from 'node:child_process'
import { isIPv6 } from 'node:net'
import type { AddressProbe } from './probe.js'

/** Options of {@link createPingProbe}. */
export interface PingProbeOptions {
  /** told once when `ping` cannot be run at all */
  warn: (message: string) => void
  /** the program (default `ping`, found on PATH) */
  command?: string
  /** the environment `ping` runs with (default this process's; a test puts a fake on PATH) */
  env?: NodeJS.ProcessEnv
}

/** A ping that neither answers nor fails within this is treated as no answer. */
const pingTimeoutMs = 5000

/**
 * The probe of `IP_PROBE=ping`: one echo request with a one-second wait
 * (`ping -c 1 -W 1 -n <addr>`, `-6` for IPv6), run with an argv, never a shell. Exit status 0
 * means a reply came; any other status (1: no reply, 2: an error such as no route) means none.
 * When `ping` is missing or cannot be run, the warning is given once and every address counts
 * as not answering, so installs go on as with `IP_PROBE=off`.
 */
export function createPingProbe(options: PingProbeOptions): AddressProbe {
  const command = options.command ?? 'ping'
  let warned = false
  return (address, signal) => {
    const argv = [...(isIPv6(address) ? ['-6'] : []), '-c', '1', '-W', '1', '-n', address]
    return new Promise<boolean>((resolve, reject) => {
      execFile(
        command,
        argv,
        {
          signal,
          timeout: pingTimeoutMs,
          maxBuffer: 64 * 1024,
          ...(options.env === undefined ? {} : { env: options.env }),
        },
        (error) => {
          if (error === null) {
            resolve(true)
            return
          }
          if (signal.aborted) {
            reject(signal.reason instanceof Error ? signal.reason : new Error('ping aborted'))
            return
          }
          if (typeof error.code !== 'number' && !warned) {
            // not an exit status: the program could not be started (ENOENT, EACCES)
            warned = true
            options.warn(
              `IP_PROBE=ping: ${command} cannot be run (${error.code ?? error.message}); ` +
                'addresses are handed out without a ping — install ping (iputils-ping) or set IP_PROBE=off',
            )
          }
          resolve(false)
        },
      )
    })
  }
}
