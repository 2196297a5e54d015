import { createHash } from 'node:crypto'
import { createServer } from 'node:http'

/**
 * A loopback server for the download benchmark, run as its own process so the client measured
 * (the image store, or curl) never shares an event loop with it. Prints its URL and digest.
 */
const fileBytes = 1024 ** 3
const chunk = Buffer.alloc(1024 * 1024)
for (let i = 0; i < chunk.length; i += 1) chunk[i] = (i * 31 + 7) % 251
const hash = createHash('sha256')
for (let sent = 0; sent < fileBytes; sent += chunk.length) hash.update(chunk)
const sha = hash.digest('hex')

const server = createServer((request, response) => {
  if (request.url === '/big/SHA256SUMS') {
    response.end(`${sha} *bench.img\n`)
    return
  }
  if (request.url !== '/big/bench.img') {
    response.writeHead(404).end()
    return
  }
  response.writeHead(200, { 'content-length': String(fileBytes) })
  if (request.method === 'HEAD') {
    response.end()
    return
  }
  let sent = 0
  const pump = (): void => {
    while (sent < fileBytes) {
      sent += chunk.length
      if (!response.write(chunk)) {
        response.once('drain', pump)
        return
      }
    }
    response.end()
  }
  pump()
})
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, bytes: fileBytes })}\n`)
})
