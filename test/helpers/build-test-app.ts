import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { buildApp, type AppDeps } from '../../src/app.js'
import { parseAllowList } from '../../src/http/allow-ips/index.js'
import { osNames } from '../../src/images/os-catalog.js'
import { createJobRunner, type JobRunner } from '../../src/jobs/index.js'
import { createApiDriver } from '../../src/pve/drivers/api/index.js'
import type { Cluster } from '../../src/pve/cluster.js'
import { createSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/index.js'
import { createInProcessTransport } from '../../src/sim/faces/in-process-transport.js'

export interface TestApp {
  /** base URL of the listening server, e.g. http://127.0.0.1:40123 */
  url: string
  app: FastifyInstance
  sim: Simulator
  cluster: Cluster
  jobs: JobRunner
  close(): Promise<void>
}

export interface TestAppOptions {
  sim?: Partial<SimulatorOptions>
  app?: Partial<Omit<AppDeps, 'cluster' | 'jobs'>>
  /** give a cluster driver to use instead of the api driver over the simulator */
  cluster?: (sim: Simulator) => Cluster
}

/**
 * Starts the real server on 127.0.0.1 (a random port) over a fresh simulator that answers
 * instantly, so tests talk HTTP to it like any client would.
 */
export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const sim = await createSimulator({ speed: 0, ...options.sim })
  const cluster =
    options.cluster?.(sim) ??
    createApiDriver({
      transport: createInProcessTransport(sim),
      description: 'test simulator',
      taskPollMs: 5,
    })
  const jobs = createJobRunner()
  const app = await buildApp({
    cluster,
    jobs,
    limits: { maxCpu: 32, maxRamMb: undefined, maxDiskGb: undefined, balloonMinMb: undefined },
    allowList: parseAllowList(['0.0.0.0']),
    trustedProxies: undefined,
    osNames,
    timezone: 'UTC',
    logger: pino({ level: 'silent' }),
    heartbeatMs: 15_000,
    ...options.app,
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    url,
    app,
    sim,
    cluster,
    jobs,
    async close() {
      await app.close()
      await sim.close()
    },
  }
}

/** POST with an optional JSON body; returns status and text. */
export async function post(
  url: string,
  body?: unknown,
): Promise<{ status: number; text: string; type: string }> {
  const response = await fetch(url, {
    method: 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  })
  return {
    status: response.status,
    text: await response.text(),
    type: response.headers.get('content-type') ?? '',
  }
}

export async function get(url: string): Promise<{ status: number; text: string; type: string }> {
  const response = await fetch(url)
  return {
    status: response.status,
    text: await response.text(),
    type: response.headers.get('content-type') ?? '',
  }
}
