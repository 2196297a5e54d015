import { percentile, startBenchService, untilQuiet } from './service.js'

export interface SharedReadsResult {
  requests: number
  resourceReads: number
  p50Ms: number
  p99Ms: number
}

/** 200 concurrent `GET /api/vm/list` at realistic CLI cost, on a running service: how many reads, what latency. */
export async function measureSharedReads(speed: number): Promise<SharedReadsResult> {
  const app = await startBenchService({ speed, driver: 'cli' })
  try {
    const counter = app.commandCounter
    // a running service: its IP cache has read each VM's config once (the first list does that,
    // one read per VM, counted in §1), so what is measured here is how lists share their reads
    await fetch(`${app.url}/api/vm/list`).then((response) => response.text())
    await untilQuiet(app)
    const before = counter?.snapshot()['pvesh get'] ?? 0
    const requests = 200
    const latencies = await Promise.all(
      Array.from({ length: requests }, async () => {
        const started = performance.now()
        const response = await fetch(`${app.url}/api/vm/list`)
        await response.text()
        return performance.now() - started
      }),
    )
    const after = counter?.snapshot()['pvesh get'] ?? 0
    return {
      requests,
      resourceReads: after - before,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    }
  } finally {
    await app.close()
  }
}
