import { buildTestApp, type TestApp } from '../test/helpers/build-test-app.js'
import { readSse, type SseRead } from '../test/helpers/sse-client.js'

/** Proxmox's start-up cost of one qm/pvesh/pvesm run (pve.md §7: ~1.4 s, each starts Perl). */
export const cliStartupMs = 1400

/**
 * The whole service on the simulator, as main.ts starts it, at a time scale `speed` (1 = real
 * Proxmox timings). The cli driver pays the Perl start-up cost per command, scaled alike, so
 * every ratio stays what it is at speed 1.
 */
/** The drivers a bench runs the service with: in-process, qm/pvesh/pvesm, or HTTPS + token. */
export type BenchDriver = 'sim' | 'cli' | 'api'

export async function startBenchService(options: {
  speed: number
  driver: BenchDriver
  env?: Record<string, string>
}): Promise<TestApp> {
  return buildTestApp({
    env: {
      SIM_SPEED: String(options.speed),
      PVE_DRIVER: options.driver,
      SIM_CLI_STARTUP_MS:
        options.driver === 'cli' ? String(Math.round(cliStartupMs * options.speed)) : '0',
      GUEST_SSH_TIMEOUT: '600',
      ...options.env,
    },
  })
}

/** Runs one install and returns its stream and wall time. */
export async function timedInstall(
  app: TestApp,
  body: Record<string, unknown>,
): Promise<{ stream: SseRead; seconds: number }> {
  const started = performance.now()
  const stream = await readSse(`${app.url}/api/vm/install`, { body })
  const seconds = (performance.now() - started) / 1000
  const failed = stream.steps.find((step) => step.status === 'error')
  if (failed !== undefined) throw new Error(`install failed: ${failed.message}`)
  return { stream, seconds }
}

/** API requests the REST face answered during `work` (the api driver's round trips). */
export async function countRequests(app: TestApp, work: () => Promise<unknown>): Promise<number> {
  const face = app.restFace
  if (face === undefined) throw new Error('request counts need PVE_DRIVER=api')
  const before = face.requestCount()
  await work()
  return face.requestCount() - before
}

/**
 * Commands whose Perl start-up is off the critical path because the install runs them beside
 * another: its first storage read goes beside the resource list (pipeline.ts, planInstall).
 */
export function besideOthers(counts: Readonly<Record<string, number>>): number {
  return (counts['pvesh get'] ?? 0) >= 2 ? 1 : 0
}

/** The total of the counter's commands. */
export function totalCommands(snapshot: Readonly<Record<string, number>>): number {
  return Object.values(snapshot).reduce((sum, count) => sum + count, 0)
}

/** Commands run during `work`, by tool and subcommand. */
export async function countCommands(
  app: TestApp,
  work: () => Promise<unknown>,
): Promise<Record<string, number>> {
  const counter = app.commandCounter
  if (counter === undefined) throw new Error('command counts need PVE_DRIVER=cli')
  const before = counter.snapshot()
  await work()
  const after = counter.snapshot()
  const delta: Record<string, number> = {}
  for (const [key, count] of Object.entries(after)) {
    const added = count - (before[key] ?? 0)
    if (added > 0) delta[key] = added
  }
  return delta
}

/**
 * Waits until the service has started no Proxmox command for `quietMs` (background reads it
 * started, like the list's IP cache reading each new VM's config once, have ended: each takes
 * well under 3 s even on a loaded machine), at most `limitMs`.
 */
export async function untilQuiet(app: TestApp, quietMs = 3000, limitMs = 60_000): Promise<void> {
  const counter = app.commandCounter
  if (counter === undefined) return
  const total = (): number => totalCommands(counter.snapshot())
  const deadline = performance.now() + limitMs
  let last = total()
  let since = performance.now()
  while (performance.now() < deadline && performance.now() - since < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    const now = total()
    if (now !== last) {
      last = now
      since = performance.now()
    }
  }
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index] ?? 0
}
