import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { statusForCode } from '../errors/status-for-error.js'

/**
 * Caps the open connections of `server`: one more is answered at once with a plain 503
 * (`CONNECTIONS_LIMIT`) and closed, before any of its bytes are read, so slow or idle clients
 * cannot hold every socket the process has. Node's own `maxConnections` drops such a connection
 * without a word; this one tells the client why.
 */
export function limitConnections(server: Server, max: number): void {
  let open = 0
  const status = statusForCode('CONNECTIONS_LIMIT')
  const body = `too many connections: ${max} are open (MAX_CONNECTIONS); try again shortly\n`
  const refusal =
    `HTTP/1.1 ${status} Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nretry-after: 5\r\nconnection: close\r\n\r\n${body}`
  // first in line, before the HTTP parser is attached to the socket
  server.prependListener('connection', (socket: Socket) => {
    if (open >= max) {
      socket.end(refusal)
      socket.destroySoon()
      return
    }
    open += 1
    socket.once('close', () => {
      open -= 1
    })
  })
}
