import { findRelease } from '../src/images/os-catalog.js'
import { simVirtualSize } from '../src/sim/images/sim-image-files.js'
import { timings } from '../src/sim/index.js'
import { simulatedBootMs } from '../src/start-simulated.js'
import type { SseRead } from '../test/helpers/sse-client.js'
import {
  besideOthers,
  cliStartupMs,
  countCommands,
  countRequests,
  startBenchService,
  timedInstall,
  totalCommands,
  type BenchDriver,
} from './service.js'

/** An image the bench installs: Debian 12 (2 GiB virtual) and Rocky 9 (10 GiB, a long import). */
export interface BenchImage {
  os: string
  version: string
}

export const benchImages: readonly BenchImage[] = [
  { os: 'debian', version: '12' },
  { os: 'rockylinux', version: '9' },
]

/** The virtual size of the simulator's image, which is what the import copies. */
function virtualBytes(image: BenchImage): number {
  const release = findRelease(image.os, image.version)
  if (release === undefined) throw new Error(`no release ${image.os} ${image.version}`)
  return Number(simVirtualSize(release))
}

/**
 * The simulated guest prints each line of the first-boot script this far apart (not scaled),
 * waiting as long before the first and after the last (run-guest-command.ts: `play`).
 */
const scriptLineMs = 50

/**
 * The waits no client can avoid, as the simulator imposes them for one install: create (with
 * its cloud-init drive), the disk import, the resize, start, the guest's boot, the first-boot
 * script, the reboot (shutdown and start) and the second boot. The image is already cached.
 */
export function irreducibleSeconds(
  speed: number,
  scriptLines: number,
  image: BenchImage = { os: 'debian', version: '12' },
  driver: BenchDriver = 'sim',
): number {
  const scaled =
    timings.createBaseMs +
    timings.storageAllocHoldMs +
    timings.storageAllocHoldMs +
    // over the REST API the import is a POST …/config task, whose worker starts first
    (driver === 'api' ? timings.configAsyncMs : 0) +
    (virtualBytes(image) / timings.importBytesPerSecond) * 1000 +
    timings.resizeMs +
    timings.startMs +
    simulatedBootMs +
    timings.shutdownMs +
    timings.startMs +
    simulatedBootMs
  return (scaled * speed + (scriptLines + 1) * scriptLineMs) / 1000
}

function scriptLinesOf(stream: SseRead): number {
  return stream.steps.filter(
    (step) =>
      step.step === 'VM initialization > SSH initialization' && step.message.startsWith('  '),
  ).length
}

export interface InstallPathResult {
  driver: string
  image: BenchImage
  wallSeconds: number
  irreducibleSeconds: number
  ratio: number
  /** Proxmox commands the install ran (cli driver) */
  commands: number
  /** API requests the install made (api driver) */
  requests: number
  /** the floor plus the Perl start-up each of those commands costs on a real node */
  floorWithStartupSeconds: number
}

/** One install's wall time against the irreducible waits, per driver. */
export async function measureInstallPath(
  speed: number,
  driver: BenchDriver,
  image: BenchImage = { os: 'debian', version: '12' },
): Promise<InstallPathResult> {
  const app = await startBenchService({ speed, driver })
  const body = { ...image, passwd: 'bench' }
  try {
    // the first install fetches the image (the service's cache, or the node's import storage)
    await timedInstall(app, body)
    let measured: Awaited<ReturnType<typeof timedInstall>> | undefined
    const run = async (): Promise<void> => {
      measured = await timedInstall(app, body)
    }
    let commands = 0
    let requests = 0
    let startups = 0
    if (driver === 'cli') {
      const counts = await countCommands(app, run)
      commands = totalCommands(counts)
      startups = commands - besideOthers(counts)
    } else if (driver === 'api') requests = await countRequests(app, run)
    measured ??= await timedInstall(app, body)
    const { stream, seconds } = measured
    const floor = irreducibleSeconds(speed, scriptLinesOf(stream), image, driver)
    // the Perl start-up of each command on the critical path
    const floorWithStartupSeconds = floor + (startups * cliStartupMs * speed) / 1000
    return {
      driver,
      image,
      wallSeconds: seconds,
      irreducibleSeconds: floor,
      ratio: seconds / floorWithStartupSeconds,
      commands,
      requests,
      floorWithStartupSeconds,
    }
  } finally {
    await app.close()
  }
}

export interface ParallelResult {
  driver: string
  image: BenchImage
  count: number
  oneSeconds: number
  allSeconds: number
  ratio: number
  distinctIds: number
}

/** N concurrent installs against one, in the same service. */
export async function measureParallel(
  speed: number,
  driver: BenchDriver,
  count: number,
  image: BenchImage = { os: 'debian', version: '12' },
): Promise<ParallelResult> {
  const body = { ...image, passwd: 'bench' }
  // the service's own cap (MAX_CONCURRENT_INSTALLS, default 4) would queue the rest: raise it to
  // measure what the cluster side allows
  const app = await startBenchService({
    speed,
    driver,
    env: { MAX_CONCURRENT_INSTALLS: String(count) },
  })
  try {
    return { driver, image, count, ...(await timeOneAgainstMany(app, body, count)) }
  } finally {
    await app.close()
  }
}

/** One install (after a warm-up), then `count` at once, in the same service. */
export async function timeOneAgainstMany(
  app: Parameters<typeof timedInstall>[0],
  body: Parameters<typeof timedInstall>[1],
  count: number,
): Promise<{ oneSeconds: number; allSeconds: number; ratio: number; distinctIds: number }> {
  await timedInstall(app, body)
  const one = await timedInstall(app, body)
  const started = performance.now()
  const all = await Promise.all(Array.from({ length: count }, () => timedInstall(app, body)))
  const allSeconds = (performance.now() - started) / 1000
  const ids = new Set(all.map(({ stream }) => stream.steps.at(-1)?.vm_id))
  return {
    oneSeconds: one.seconds,
    allSeconds,
    ratio: allSeconds / one.seconds,
    distinctIds: ids.size,
  }
}
