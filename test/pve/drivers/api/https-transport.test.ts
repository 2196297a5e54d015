import { once } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { describe, expect, it } from 'vitest'

import {
  PveConnectionError,
  createApiDriver,
  createHttpsTransport,
  normalizeFingerprint,
  type HttpsTransport,
  type HttpsTransportOptions,
} from '../../../../src/pve/drivers/api/index.js'
import { createSelfSignedCertificate } from '../../../../src/sim/faces/rest/index.js'
import { expectPveError } from '../cli/cluster-contract.js'
import { startHttpsTarget, tokenId, type HttpsTarget } from './https-target.js'

async function withTarget(
  run: (target: HttpsTarget) => Promise<void>,
  options: Parameters<typeof startHttpsTarget>[0] = {},
): Promise<void> {
  const target = await startHttpsTarget(options)
  try {
    await run(target)
  } finally {
    await target.close()
  }
}

describe('TLS trust', () => {
  it('connects to a node whose certificate has the pinned fingerprint', async () => {
    await withTarget(async ({ cluster }) => {
      expect((await cluster.resources()).nodes).toHaveLength(3)
    })
  })

  it('refuses a node whose certificate has another fingerprint, saying both', async () => {
    const other = createSelfSignedCertificate({ commonName: 'elsewhere', altNames: ['127.0.0.1'] })
    await withTarget(
      async ({ cluster, face }) => {
        const error = await expectPveError(cluster.resources(), 'unreachable')
        expect(error instanceof PveConnectionError && error.failure).toBe('tls')
        expect(error.message).toContain(`fingerprint ${face.fingerprint256}, not the pinned`)
        expect(error.message).toContain(other.fingerprint256)
        expect(face.requestCount()).toBe(0)
      },
      { tls: () => ({ kind: 'fingerprint', sha256: other.fingerprint256 }) },
    )
  })

  it('accepts the pin in lower case and without colons', async () => {
    await withTarget(
      async ({ cluster }) => {
        expect((await cluster.nodeStatus('pve1')).node).toBe('pve1')
      },
      {
        tls: (face) => ({
          kind: 'fingerprint',
          sha256: face.fingerprint256.replace(/:/g, '').toLowerCase(),
        }),
      },
    )
    expect(normalizeFingerprint('ab'.repeat(32))).toBe(Array(32).fill('AB').join(':'))
    expect(normalizeFingerprint('AB:CD')).toBeUndefined()
  })

  it('trusts a node through a CA file', async () => {
    await withTarget(
      async ({ cluster }) => {
        expect((await cluster.nodeStorages('pve1')).length).toBeGreaterThan(0)
      },
      { tls: (face) => ({ kind: 'ca', ca: face.certificatePem }) },
    )
  })

  it('refuses a self-signed node with only the system CAs, and says how to trust it', async () => {
    await withTarget(
      async ({ cluster }) => {
        const error = await expectPveError(cluster.resources(), 'unreachable')
        expect(error instanceof PveConnectionError && error.failure).toBe('tls')
        expect(error.message).toMatch(/^GET https:\/\/127\.0\.0\.1:\d+\/api2\/json\/access\/|^GET/)
        expect(error.message).toContain('PVE_CA_FILE')
        expect(error.message).toContain('PVE_TLS_FINGERPRINT')
      },
      { tls: () => ({ kind: 'system' }) },
    )
  })

  it('skips the check only when told to', async () => {
    await withTarget(
      async ({ cluster }) => {
        expect((await cluster.vmStatus('pve1', 100)).status).toBe('running')
      },
      { tls: () => ({ kind: 'insecure' }) },
    )
  })
})

describe('authentication', () => {
  it('explains a refused token without showing its secret', async () => {
    await withTarget(async ({ face, secret }) => {
      const transport = createHttpsTransport({
        url: `${face.url}/api2/json`,
        tokenId,
        tokenSecret: { reveal: () => 'not-the-secret' },
        tls: { kind: 'fingerprint', sha256: face.fingerprint256 },
      })
      try {
        const cluster = createApiDriver({ transport, description: 'wrong secret' })
        const error = await expectPveError(cluster.resources(), 'permission')
        expect(error.message).toContain(
          `Proxmox refused the credentials of ${tokenId} (401 Authentication failed!)`,
        )
        expect(error.message).toContain('PVE_TOKEN_SECRET')
        expect(error.message).not.toContain('not-the-secret')
        expect(error.message).not.toContain(secret)
      } finally {
        await transport.close()
      }
    })
  })
})

describe('answers', () => {
  it("names a parameter error's parameters", async () => {
    await withTarget(async ({ cluster }) => {
      const error = await expectPveError(
        cluster.updateVm('pve1', 100, { sockets: 'lots', cores: '0' }),
        'invalid_parameter',
      )
      expect(error.parameters).toEqual({
        sockets: "type check ('integer') failed - got 'lots'",
        cores: 'value must have a minimum value of 1',
      })
      expect(error.message).toContain('cores: value must have a minimum value of 1')
    })
  })

  it('takes the error text from the reason phrase when the body has no message', async () => {
    await withTarget(async ({ face, transport }) => {
      face.injectFaults({ kind: 'status', status: 500, message: 'VM 100 not running' })
      const answer = await transport.request({ method: 'GET', path: '/cluster/nextid' })
      expect(answer).toMatchObject({ status: 500, message: 'VM 100 not running', data: null })
    })
  })

  it('reports a node that is not listening as unreachable', async () => {
    const target = await startHttpsTarget()
    const { url, fingerprint256 } = target.face
    await target.close()
    const transport = createHttpsTransport({
      url,
      tokenId,
      tokenSecret: { reveal: () => 'x' },
      tls: { kind: 'fingerprint', sha256: fingerprint256 },
    })
    try {
      const error: unknown = await transport
        .request({ method: 'GET', path: '/version' })
        .catch((e: unknown) => e)
      expect(error instanceof PveConnectionError && error.failure).toBe('refused')
      expect(error instanceof PveConnectionError && error.message).toMatch(
        /^GET https:\/\/127\.0\.0\.1:\d+\/api2\/json\/version failed: /,
      )
    } finally {
      await transport.close()
    }
  })
})

/** An HTTPS server of our own on loopback: its connections counted, its answers chosen. */
async function withNode(
  answer: (request: IncomingMessage, response: ServerResponse) => void,
  run: (node: { transport: HttpsTransport; connections: () => number }) => Promise<void>,
  options: Pick<HttpsTransportOptions, 'timeoutMs'> = {},
): Promise<void> {
  const certificate = createSelfSignedCertificate({ commonName: 'pve1', altNames: ['127.0.0.1'] })
  const server = createHttpsServer({ key: certificate.key, cert: certificate.cert }, answer)
  let connections = 0
  server.on('secureConnection', () => {
    connections++
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  // pinned to this node's certificate, and closed after `run`
  const transport = createHttpsTransport({
    url: `https://127.0.0.1:${port}`,
    tokenId,
    tokenSecret: { reveal: () => 'x' },
    tls: { kind: 'fingerprint', sha256: certificate.fingerprint256 },
    ...options,
  })
  try {
    await run({ transport, connections: () => connections })
  } finally {
    await transport.close()
    server.closeAllConnections()
    server.close()
  }
}

describe("the transport's connections", () => {
  it('keeps one connection for consecutive calls', async () => {
    await withNode(
      (_request, response) => {
        response.setHeader('content-type', 'application/json')
        response.end(JSON.stringify({ data: { version: '9.0' } }))
      },
      async ({ transport, connections }) => {
        for (let i = 0; i < 3; i++) {
          const answer = await transport.request({ method: 'GET', path: '/version' })
          expect(answer).toMatchObject({ status: 200, data: { version: '9.0' } })
        }
        expect(connections()).toBe(1)
      },
    )
  })

  it('sends a form body with its length and reads a status line without a body', async () => {
    const received: string[] = []
    await withNode(
      (request, response) => {
        let body = ''
        request.setEncoding('utf8')
        request.on('data', (chunk: string) => (body += chunk))
        request.on('end', () => {
          received.push(`${request.headers['content-length'] ?? '-'} ${body}`)
          response.statusCode = 501
          response.statusMessage = 'Method not implemented'
          response.end()
        })
      },
      async ({ transport }) => {
        const answer = await transport.request({
          method: 'POST',
          path: '/nodes/pve1/qemu',
          params: { vmid: 100, name: 'é' },
        })
        expect(answer).toEqual({
          status: 501,
          data: null,
          message: 'Method not implemented',
          noEnvelope: true,
        })
        expect(received).toEqual(['20 vmid=100&name=%C3%A9'])
      },
    )
  })

  it('gives up on a node that stays silent, as a timeout', async () => {
    // the node takes the request and never answers
    await withNode(
      () => undefined,
      async ({ transport }) => {
        const error: unknown = await transport
          .request({ method: 'GET', path: '/cluster/resources' })
          .catch((e: unknown) => e)
        expect(error instanceof PveConnectionError && error.failure).toBe('timeout')
        expect(error instanceof PveConnectionError && error.message).toContain(
          'no answer for 200 ms',
        )
      },
      { timeoutMs: 200 },
    )
  })

  it('reports an answer cut off in its body as a reset', async () => {
    await withNode(
      (_request, response) => {
        response.writeHead(200, { 'content-length': '1000' })
        response.write('{"data":')
        setImmediate(() => response.socket?.destroy())
      },
      async ({ transport }) => {
        const error: unknown = await transport
          .request({ method: 'GET', path: '/cluster/resources' })
          .catch((e: unknown) => e)
        expect(error instanceof PveConnectionError && error.failure).toBe('reset')
      },
    )
  })

  it('stops waiting when the caller cancels', async () => {
    await withNode(
      () => undefined,
      async ({ transport }) => {
        const cancel = new AbortController()
        const pending = transport
          .request({ method: 'GET', path: '/cluster/resources', signal: cancel.signal })
          .catch((e: unknown) => e)
        cancel.abort(new Error('the job was cancelled'))
        const error = await pending
        expect(error instanceof Error && error.message).toBe('the job was cancelled')
        expect(error instanceof PveConnectionError).toBe(false)
      },
    )
  })
})
