import type { Client, ClientChannel } from 'ssh2'

import { checkArgv } from './check-argv.js'
import { abortedError, ExecError } from './errors.js'
import type { Executor, RunOptions, RunResult } from './executor.js'
import { exitCodeForSignal } from './exit-code-for-signal.js'
import { OutputCollector } from './output-collector.js'
import { quoteForShell } from './quote-for-shell.js'
import { SessionSlots } from './session-slots.js'
import { SshConnection } from './ssh-connection.js'

export interface SshHostKeyOptions {
  /** The fingerprint the node must present (`SHA256:...`, as `ssh-keygen -lf` prints it). */
  pinned?: string
  /** Called once with the fingerprint seen when none was pinned; store it to pin it next time. */
  onFirstContact?: (fingerprint: string) => void
}

export interface SshExecutorOptions {
  /** The node's address (`NODE_<name>`). */
  host: string
  /** Default 22. */
  port?: number
  /** Default `root`: qm and pvesh need it. */
  username?: string
  /** The service's private key (OpenSSH or PEM); never logged. */
  privateKey: string | Buffer
  hostKey?: SshHostKeyOptions
  /** How long the TCP connect plus SSH handshake may take. Default 10 s. */
  connectTimeoutMs?: number
  /** SSH keepalive interval on the reused connection. Default 15 s. */
  keepaliveMs?: number
  /** Unanswered keepalives before the connection counts as lost. Default 3. */
  keepaliveCountMax?: number
  /** Characters of stdout/stderr kept per run; the tail is kept. */
  maxOutputChars?: number
  /** Commands run at once on the connection; more wait. Default 8 (OpenSSH allows 10). */
  maxSessions?: number
}

export interface SshExecutor extends Executor {
  /** The node's host key fingerprint: the pinned one, or the one learned on first contact. */
  readonly hostKeyFingerprint: string | undefined
}

/**
 * Runs programs on a node over one reused SSH connection. The argument array is quoted with
 * `quoteForShell`, so the node's login shell splits it back into the same words. A non-zero
 * exit of the remote program is a normal result; a broken connection, a refused host key or a
 * failed login rejects with `EXEC_SSH_FAILED` / `EXEC_HOST_KEY_CHANGED`, never with a code 255
 * that could be mistaken for the program's own.
 *
 * @example
 * const pve2 = createSshExecutor({ host: '10.0.0.12', privateKey, hostKey: { pinned } })
 * await pve2.run(['qm', 'start', '101'], { onStdoutLine: console.log })
 */
export function createSshExecutor(options: SshExecutorOptions): SshExecutor {
  const connection = new SshConnection({
    host: options.host,
    port: options.port ?? 22,
    username: options.username ?? 'root',
    privateKey: options.privateKey,
    ...(options.hostKey?.pinned === undefined ? {} : { pinned: options.hostKey.pinned }),
    ...(options.hostKey?.onFirstContact === undefined
      ? {}
      : { onFirstContact: options.hostKey.onFirstContact }),
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    keepaliveMs: options.keepaliveMs ?? 15_000,
    keepaliveCountMax: options.keepaliveCountMax ?? 3,
  })
  const slots = new SessionSlots(options.maxSessions ?? 8, connection.target)
  return {
    description: connection.target,
    get hostKeyFingerprint() {
      return connection.fingerprint
    },
    run: (argv, runOptions = {}) => runRemote(connection, slots, argv, runOptions, options),
    close: () => connection.close(),
  }
}

async function runRemote(
  connection: SshConnection,
  slots: SessionSlots,
  argv: readonly string[],
  options: RunOptions,
  executorOptions: SshExecutorOptions,
): Promise<RunResult> {
  checkArgv(argv, options.env)
  const words = options.env === undefined ? argv : withEnv(argv, options.env)
  const command = quoteForShell(words)
  const started = performance.now()
  const program = argv[0] ?? ''
  const signal = withTimeout(options, connection.target, program)
  let release: (() => void) | undefined
  try {
    release = await slots.acquire(signal.signal)
    const channel = await openOnLiveConnection(connection, command, signal.signal)
    const result = await collect(
      channel,
      options,
      executorOptions,
      signal.signal,
      connection,
      program,
    )
    return { ...result, durationMs: Math.round(performance.now() - started) }
  } catch (error) {
    throw signal.explain(asExecError(error, connection.target))
  } finally {
    release?.()
    signal.dispose()
  }
}

/** Opens the exec channel; a reused connection that died quietly is replaced once (nothing ran). */
async function openOnLiveConnection(
  connection: SshConnection,
  command: string,
  signal: AbortSignal,
): Promise<ClientChannel> {
  const first = await connection.client(signal)
  try {
    return await openChannel(first.client, command, signal)
  } catch (error) {
    if (first.fresh || !isConnectionGone(error)) throw error
    connection.discard(first.client)
    const second = await connection.client(signal)
    return await openChannel(second.client, command, signal)
  }
}

/** ssh2's words for a connection that is already closed. */
function isConnectionGone(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.message === 'Not connected' || error.message === 'No response from server')
  )
}

function asExecError(error: unknown, target: string): unknown {
  if (error instanceof ExecError) return error
  const reason = error instanceof Error ? error.message : String(error)
  return new ExecError('EXEC_SSH_FAILED', target, `${target}: ${reason}`, { cause: error })
}

/** Remote sshd only passes variables it was told to accept, so `env` carries them instead. */
function withEnv(argv: readonly string[], env: Record<string, string>): string[] {
  return ['env', ...Object.entries(env).map(([name, value]) => `${name}=${value}`), ...argv]
}

/** Exit statuses heard as the channel opened, before `collect` listened. */
const earlyExits = new WeakMap<ClientChannel, number>()

/**
 * Sends the exec request. A node slow to answer it (loaded, or forking slowly) must not outlast
 * the run's timeout or the caller's cancel: the wait ends with the signal, and a channel that
 * opens afterwards is closed at once.
 */
function openChannel(client: Client, command: string, signal: AbortSignal): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    // the run's own signal: its reason is the timeout's or the cancel's ExecError
    const reason = (): Error =>
      signal.reason instanceof Error ? signal.reason : new Error('the run was stopped')
    const onAbort = (): void => {
      reject(reason())
    }
    signal.addEventListener('abort', onAbort, { once: true })
    client.exec(command, (error, channel) => {
      signal.removeEventListener('abort', onAbort)
      // a fast command's exit status may come in the same read as the exec's answer, and ssh2
      // emits 'exit' once, at once: heard here, before `collect` gets the channel a tick later
      if (error === undefined) {
        channel.once('exit', (code: number | null, signalName?: string) => {
          earlyExits.set(channel, code ?? exitCodeForSignal(signalName ?? null))
        })
      }
      if (error !== undefined) reject(error)
      else if (signal.aborted) {
        channel.signal('TERM')
        channel.close()
        reject(reason())
      } else resolve(channel)
    })
  })
}

function collect(
  channel: ClientChannel,
  options: RunOptions,
  executorOptions: SshExecutorOptions,
  signal: AbortSignal,
  connection: SshConnection,
  program: string,
): Promise<Omit<RunResult, 'durationMs'>> {
  const stdout = new OutputCollector(options.onStdoutLine, executorOptions.maxOutputChars)
  const stderr = new OutputCollector(options.onStderrLine, executorOptions.maxOutputChars)
  return new Promise((resolve, reject) => {
    let exitCode: number | undefined
    const onAbort = (): void => {
      // No way to kill the remote process for sure: ask, then drop the channel.
      channel.signal('TERM')
      channel.close()
      reject(
        signal.reason instanceof Error ? signal.reason : abortedError(connection.target, signal),
      )
    }
    // the run may have timed out while the connection or the channel was being opened
    if (signal.aborted) {
      onAbort()
      return
    }
    signal.addEventListener('abort', onAbort, { once: true })
    channel.on('data', (chunk: Buffer) => {
      stdout.push(chunk)
    })
    channel.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk)
    })
    channel.on('exit', (code: number | null, signalName?: string) => {
      exitCode = code ?? exitCodeForSignal(signalName ?? null)
    })
    channel.on('close', () => {
      signal.removeEventListener('abort', onAbort)
      exitCode ??= earlyExits.get(channel)
      if (exitCode === undefined) {
        reject(
          new ExecError(
            'EXEC_SSH_FAILED',
            connection.target,
            `${connection.target}: connection lost before ${program} finished`,
          ),
        )
        return
      }
      resolve({ exitCode, stdout: stdout.end(), stderr: stderr.end() })
    })
    channel.end(options.stdin ?? '')
  })
}

/** The caller's signal combined with the run's timeout, and a way to name which one fired. */
function withTimeout(options: RunOptions, target: string, program: string) {
  const controller = new AbortController()
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          controller.abort(
            new ExecError(
              'EXEC_TIMEOUT',
              target,
              `${target}: ${program} did not finish within ${options.timeoutMs} ms and was stopped`,
            ),
          )
        }, options.timeoutMs)
  const onAbort = (): void => {
    if (options.signal !== undefined)
      controller.abort(abortedError(`${target}: ${program}`, options.signal))
  }
  if (options.signal?.aborted) onAbort()
  else options.signal?.addEventListener('abort', onAbort, { once: true })
  return {
    signal: controller.signal,
    explain(error: unknown): unknown {
      const reason: unknown = controller.signal.reason
      return controller.signal.aborted && reason instanceof ExecError ? reason : error
    },
    dispose(): void {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
    },
  }
}
