import { timings } from '../src/sim/index.js'
import { simulatedBootMs } from '../src/start-simulated.js'
import type { SseRead } from '../test/helpers/sse-client.js'
import {
  cliStartupMs,
  countCommands,
  startBenchService,
  timedInstall,
  totalCommands,
} from './service.js'

/** Debian 12's image: 2 GiB virtual (cloud-images.md §3.1), what the import copies. */
const imageVirtualBytes = 2 * 1024 ** 3
/** The simulated guest prints each line of the first-boot script this far apart (not scaled). */
const scriptLineMs = 50

/**
 * The waits no client can avoid, as the simulator imposes them for one install: create (with
 * its cloud-init drive), the disk import, the resize, start, the guest's boot, the first-boot
 * script, the reboot (shutdown and start) and the second boot. The image is already cached.
 */
export function irreducibleSeconds(speed: number, scriptLines: number): number {
  const scaled =
    timings.createBaseMs +
    timings.storageAllocHoldMs +
    timings.storageAllocHoldMs +
    (imageVirtualBytes / timings.importBytesPerSecond) * 1000 +
    timings.resizeMs +
    timings.startMs +
    simulatedBootMs +
    timings.shutdownMs +
    timings.startMs +
    simulatedBootMs
  return (scaled * speed + scriptLines * scriptLineMs) / 1000
}

function scriptLinesOf(stream: SseRead): number {
  return stream.steps.filter(
    (step) =>
      step.step === 'VM initialization > SSH initialization' && step.message.startsWith('  '),
  ).length
}

export interface InstallPathResult {
  driver: string
  wallSeconds: number
  irreducibleSeconds: number
  ratio: number
  /** Proxmox commands the install ran (cli driver) */
  commands: number
  /** the floor plus the Perl start-up each of those commands costs on a real node */
  floorWithStartupSeconds: number
}

/** One install's wall time against the irreducible waits, per driver. */
export async function measureInstallPath(
  speed: number,
  driver: 'cli' | 'sim',
): Promise<InstallPathResult> {
  const app = await startBenchService({ speed, driver })
  try {
    await timedInstall(app, { os: 'debian', version: '12', passwd: 'bench' })
    let measured: Awaited<ReturnType<typeof timedInstall>> | undefined
    const commands =
      driver === 'cli'
        ? totalCommands(
            await countCommands(app, async () => {
              measured = await timedInstall(app, { os: 'debian', version: '12', passwd: 'bench' })
            }),
          )
        : 0
    measured ??= await timedInstall(app, { os: 'debian', version: '12', passwd: 'bench' })
    const { stream, seconds } = measured
    const floor = irreducibleSeconds(speed, scriptLinesOf(stream))
    const floorWithStartupSeconds = floor + (commands * cliStartupMs * speed) / 1000
    return {
      driver,
      wallSeconds: seconds,
      irreducibleSeconds: floor,
      ratio: seconds / floorWithStartupSeconds,
      commands,
      floorWithStartupSeconds,
    }
  } finally {
    await app.close()
  }
}

export interface ParallelResult {
  driver: string
  count: number
  oneSeconds: number
  allSeconds: number
  ratio: number
  distinctIds: number
}

/** N concurrent installs against one, in the same service. */
export async function measureParallel(
  speed: number,
  driver: 'cli' | 'sim',
  count: number,
): Promise<ParallelResult> {
  // the service's own cap (MAX_CONCURRENT_INSTALLS, default 4) would queue the rest: raise it to
  // measure what the cluster side allows
  const app = await startBenchService({
    speed,
    driver,
    env: { MAX_CONCURRENT_INSTALLS: String(count) },
  })
  try {
    await timedInstall(app, { os: 'debian', version: '12', passwd: 'bench' })
    const one = await timedInstall(app, { os: 'debian', version: '12', passwd: 'bench' })
    const started = performance.now()
    const all = await Promise.all(
      Array.from({ length: count }, () =>
        timedInstall(app, { os: 'debian', version: '12', passwd: 'bench' }),
      ),
    )
    const allSeconds = (performance.now() - started) / 1000
    const ids = new Set(all.map(({ stream }) => stream.steps.at(-1)?.vm_id))
    return {
      driver,
      count,
      oneSeconds: one.seconds,
      allSeconds,
      ratio: allSeconds / one.seconds,
      distinctIds: ids.size,
    }
  } finally {
    await app.close()
  }
}
