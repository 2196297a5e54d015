import { rmSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'

import { AppError } from '../../../errors.js'
import { sleep } from '../../../lib/sleep.js'
import {
  parseCliRequest,
  parseStdinReply,
  type CliMessage,
  type CliRequest,
  type StdinReply,
} from './protocol.js'
import { runTool } from './run-tool.js'
import type { CliFaceSimulator, ToolIo } from './tool-io.js'

export interface CliFaceOptions {
  /** Where to listen; the fake tools find it in `PVE_SIM_SOCKET`. A stale file is replaced. */
  socketPath: string
  /**
   * The Perl start-up cost of a real tool (pve.md §7), counted from when the tool's process
   * started: the fake tool's own start-up (a Node process) is part of it, not added to it.
   */
  startupCostMs?: number
  /** The node a request without `PVE_SIM_NODE` runs on. */
  defaultNode?: string
}

export interface CliFace {
  readonly socketPath: string
  /** Invocations served so far, per tool. */
  invocations(): Record<string, number>
  close(): Promise<void>
}

/**
 * Serves the fake `qm`, `pvesh` and `pvesm` (bin/sim): each connection is one invocation,
 * answered with the real tool's output, stream by stream, and its exit status.
 *
 * @example
 * const face = await startCliFace(sim, { socketPath: join(dataDir, 'pve-sim.sock') })
 * // PATH=bin/sim:$PATH PVE_SIM_SOCKET=... PVE_SIM_NODE=pve1 qm list
 */
export async function startCliFace(
  sim: CliFaceSimulator,
  options: CliFaceOptions,
): Promise<CliFace> {
  // sun_path holds 108 bytes on Linux (104 on macOS); a longer path fails with a bare EINVAL
  if (Buffer.byteLength(options.socketPath) > 100) {
    throw new AppError(
      'SIM_CLI_SOCKET_PATH',
      `the fake CLI's socket path is too long for a Unix socket (over 100 bytes): ${options.socketPath}; use a shorter DATA_DIR`,
    )
  }
  const sockets = new Set<Socket>()
  const counts = new Map<string, number>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    serve(sim, options, socket, counts)
  })
  rmSync(options.socketPath, { force: true })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.socketPath, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    socketPath: options.socketPath,
    invocations: () => Object.fromEntries(counts),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => {
          rmSync(options.socketPath, { force: true })
          resolve()
        })
      }),
  }
}

function serve(
  sim: CliFaceSimulator,
  options: CliFaceOptions,
  socket: Socket,
  counts: Map<string, number>,
): void {
  const aborter = new AbortController()
  socket.on('close', () => {
    aborter.abort(new Error('the tool went away'))
  })
  socket.on('error', () => undefined)
  let buffer = ''
  let started = false
  // later lines answer a `readStdin` (a terminal read on the client's side)
  const replies: StdinReply[] = []
  const waiting: ((reply: StdinReply) => void)[] = []
  const onLine = (line: string): void => {
    if (!started) {
      started = true
      const request = parseCliRequest(line)
      if (request === undefined) {
        send(socket, { stderr: 'malformed request to the simulated cluster' })
        send(socket, { exit: 255 })
        socket.end()
        return
      }
      counts.set(request.tool, (counts.get(request.tool) ?? 0) + 1)
      const readTerminal = async (): Promise<Buffer> => {
        send(socket, { readStdin: true })
        const reply =
          replies.shift() ??
          (await new Promise<StdinReply>((resolve, reject) => {
            waiting.push(resolve)
            aborter.signal.addEventListener('abort', () => {
              reject(new Error('the tool went away'))
            })
          }))
        if ('stdinError' in reply) throw new Error(reply.stdinError)
        return reply.stdin
      }
      void invoke(sim, options, socket, request, aborter.signal, readTerminal)
      return
    }
    const reply = parseStdinReply(line)
    if (reply === undefined) return
    const resolve = waiting.shift()
    if (resolve === undefined) replies.push(reply)
    else resolve(reply)
  }
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8')
    for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n')) {
      const line = buffer.slice(0, end)
      buffer = buffer.slice(end + 1)
      onLine(line)
    }
  })
}

async function invoke(
  sim: CliFaceSimulator,
  options: CliFaceOptions,
  socket: Socket,
  request: CliRequest,
  signal: AbortSignal,
  readTerminal: () => Promise<Buffer>,
): Promise<void> {
  const io: ToolIo = {
    sim,
    node: request.node ?? options.defaultNode ?? '',
    stdin: Buffer.from(request.stdin ?? '', 'base64'),
    ...(request.stdinKind === undefined ? {} : { stdinKind: request.stdinKind }),
    readTerminal,
    cwd: request.cwd ?? '/',
    signal,
    stdout: (line) => {
      send(socket, { stdout: line })
    },
    stderr: (line) => {
      send(socket, { stderr: line })
    },
  }
  let exit = 255
  try {
    const startup = startupLeft(options.startupCostMs ?? 0, request.startedAt)
    if (startup > 0) await sleep(startup, signal)
    exit = await runTool(io, request.tool, request.argv)
  } catch {
    // the client went away during the start-up delay: nobody to answer
    return
  }
  send(socket, { exit })
  socket.end()
}

/**
 * What is left of a real tool's start-up once the fake one has reached the face: a real `qm`
 * costs ~1.4 s from exec to work (pve.md §7), and the fake tool's own process start already
 * spent part of that. A client that does not say when it started pays the whole cost here.
 */
function startupLeft(costMs: number, startedAt: number | undefined): number {
  if (costMs <= 0) return 0
  if (startedAt === undefined) return costMs
  const spent = Date.now() - startedAt
  return Math.min(costMs, Math.max(0, costMs - spent))
}

function send(socket: Socket, message: CliMessage): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`)
}
