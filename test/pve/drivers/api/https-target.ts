/**
 * The api driver as it runs against a real cluster — HTTPS, an API token, a pinned certificate —
 * with the simulator's REST face on the other end.
 */
import { randomUUID } from 'node:crypto'

import {
  createApiDriver,
  createHttpsTransport,
  requiredPrivileges,
  type ApiCluster,
  type HttpsTransport,
  type TlsTrust,
} from '../../../../src/pve/drivers/api/index.js'
import { startSimRestFace, type SimRestFace } from '../../../../src/sim/faces/rest/index.js'
import {
  createSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../../../src/sim/index.js'

export const tokenId = 'pve-qemu@pve!contract'

/** The privileges the README documents, and nothing else. */
export const documentedPrivileges: readonly string[] = requiredPrivileges.map((p) => p.privilege)

export interface HttpsTarget {
  cluster: ApiCluster
  sim: Simulator
  face: SimRestFace
  transport: HttpsTransport
  secret: string
  close(): Promise<void>
}

export interface HttpsTargetOptions {
  /** what the token holds (default: the documented privileges) */
  privileges?: readonly string[]
  /** how the client trusts the face (default: its pinned fingerprint) */
  tls?: (face: SimRestFace) => TlsTrust
  sim?: Partial<SimulatorOptions>
}

/** A simulator, its HTTPS face with one limited token, and the api driver over HTTPS. */
export async function startHttpsTarget(options: HttpsTargetOptions = {}): Promise<HttpsTarget> {
  const sim = await createSimulator({ speed: 0, ...options.sim })
  const secret = randomUUID()
  const face = await startSimRestFace({
    sim,
    speed: 0,
    tokens: [{ id: tokenId, secret, privileges: options.privileges ?? documentedPrivileges }],
  })
  const transport = createHttpsTransport({
    url: face.url,
    tokenId,
    tokenSecret: { reveal: () => secret },
    tls: options.tls?.(face) ?? { kind: 'fingerprint', sha256: face.fingerprint256 },
  })
  const cluster = createApiDriver({ transport, description: 'api over https', taskPollMs: 5 })
  return {
    cluster,
    sim,
    face,
    transport,
    secret,
    async close() {
      await transport.close()
      await face.close()
      await sim.close()
    },
  }
}
