/*
 * The client half of the simulated cluster's qm, pvesh and pvesm: sends the invocation to the
 * simulator (the Unix socket in PVE_SIM_SOCKET, as node PVE_SIM_NODE), prints what comes back on
 * the same streams, and exits with the tool's status. Plain JavaScript with no dependencies, so it
 * starts as fast as Node can.
 */
import { Buffer } from 'node:buffer'
import { fstatSync } from 'node:fs'
import net from 'node:net'
import { performance } from 'node:perf_hooks'
import process from 'node:process'
import tty from 'node:tty'

function fail(tool, message) {
  process.stderr.write(`${tool} (pve-qemu simulator): ${message}\n`)
  process.exitCode = 255
}

/**
 * What fd 0 is, which decides what opening `/dev/stdin` does in a real Perl tool (pve.md §10.1):
 * a socket (what Node's spawn gives) cannot be opened through /proc/self/fd/0 at all.
 */
function stdinKind() {
  let stat
  try {
    stat = fstatSync(0)
  } catch {
    return 'closed'
  }
  if (stat.isSocket()) return 'socket'
  if (stat.isFIFO()) return 'pipe'
  if (stat.isFile()) return 'file'
  if (stat.isCharacterDevice()) return tty.isatty(0) ? 'tty' : 'device'
  return 'other'
}

function readAll(callback) {
  const chunks = []
  process.stdin.on('data', (chunk) => chunks.push(chunk))
  process.stdin.on('end', () => callback(undefined, Buffer.concat(chunks)))
  process.stdin.on('error', (error) => callback(error.code || 'EIO', Buffer.concat(chunks)))
}

/** A terminal is read only when the tool opens it, until end-of-file (Ctrl-D), as Perl does. */
function readStdin(kind, callback) {
  if (kind === 'tty' || kind === 'closed') return callback(Buffer.alloc(0))
  readAll((_error, data) => callback(data))
}

/** Runs the fake `tool` with this process's arguments, stdin and environment. */
export function main(tool) {
  const socketPath = process.env.PVE_SIM_SOCKET
  if (!socketPath) {
    fail(tool, 'PVE_SIM_SOCKET is not set; this is the fake tool of the simulated cluster')
    return
  }
  const kind = stdinKind()
  readStdin(kind, (stdin) => {
    const request = {
      tool,
      argv: process.argv.slice(2),
      node: process.env.PVE_SIM_NODE || '',
      cwd: process.cwd(),
      stdin: stdin.toString('base64'),
      stdinKind: kind,
      // when this process started: the simulated start-up cost includes ours
      startedAt: performance.timeOrigin,
    }
    let exitCode
    let buffer = ''
    const socket = net.createConnection(socketPath, () => {
      socket.write(`${JSON.stringify(request)}\n`)
    })
    socket.setEncoding('utf8')
    socket.on('data', (chunk) => {
      buffer += chunk
      let end
      while ((end = buffer.indexOf('\n')) !== -1) {
        const message = JSON.parse(buffer.slice(0, end))
        buffer = buffer.slice(end + 1)
        if (typeof message.stdout === 'string') process.stdout.write(`${message.stdout}\n`)
        else if (typeof message.stderr === 'string') process.stderr.write(`${message.stderr}\n`)
        else if (typeof message.exit === 'number') exitCode = message.exit
        else if (message.readStdin === true) {
          // the tool opened /dev/stdin on a terminal: read it now, to its end
          readAll((error, data) => {
            const reply = error ? { stdinError: error } : { stdin: data.toString('base64') }
            socket.write(`${JSON.stringify(reply)}\n`)
          })
        }
      }
    })
    socket.on('error', (error) =>
      fail(tool, `cannot reach the simulator at ${socketPath}: ${error.code || error.message}`),
    )
    socket.on('close', () => {
      if (exitCode === undefined) {
        if (process.exitCode === undefined) fail(tool, 'the simulator closed the connection')
      } else {
        process.exitCode = exitCode
      }
    })
  })
}
