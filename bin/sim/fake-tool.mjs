/*
 * The client half of the simulated cluster's qm, pvesh and pvesm: sends the invocation to the
 * simulator (the Unix socket in PVE_SIM_SOCKET, as node PVE_SIM_NODE), prints what comes back on
 * the same streams, and exits with the tool's status. Plain JavaScript with no dependencies, so it
 * starts as fast as Node can.
 */
import { Buffer } from 'node:buffer'
import net from 'node:net'
import process from 'node:process'

function fail(tool, message) {
  process.stderr.write(`${tool} (pve-qemu simulator): ${message}\n`)
  process.exitCode = 255
}

function readStdin(callback) {
  if (process.stdin.isTTY) return callback(Buffer.alloc(0))
  const chunks = []
  process.stdin.on('data', (chunk) => chunks.push(chunk))
  process.stdin.on('end', () => callback(Buffer.concat(chunks)))
  process.stdin.on('error', () => callback(Buffer.concat(chunks)))
}

/** Runs the fake `tool` with this process's arguments, stdin and environment. */
export function main(tool) {
  const socketPath = process.env.PVE_SIM_SOCKET
  if (!socketPath) {
    fail(tool, 'PVE_SIM_SOCKET is not set; this is the fake tool of the simulated cluster')
    return
  }
  readStdin((stdin) => {
    const request = {
      tool,
      argv: process.argv.slice(2),
      node: process.env.PVE_SIM_NODE || '',
      cwd: process.cwd(),
      stdin: stdin.toString('base64'),
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
