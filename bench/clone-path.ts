import { findRelease } from '../src/images/index.js'
import { timings } from '../src/sim/index.js'
import { simulatedBootMs } from '../src/start-simulated.js'
import type { SseRead } from '../test/helpers/sse-client.js'
import { replaySeedInstall } from './seed-replay.js'
import { timeOneAgainstMany } from './install-path.js'
import {
  besideOthers,
  cliStartupMs,
  countCommands,
  countRequests,
  startBenchService,
  timedInstall,
  totalCommands,
} from './service.js'

/** The clone path as production runs it: templates on, a reboot only when the guest asks. */
const cloneEnv = { TEMPLATES: 'auto', INSTALL_REBOOT: 'auto' }
const body = { os: 'debian', version: '12', passwd: 'bench' }
/**
 * The simulated guest prints each line of the first-boot script this far apart (not scaled),
 * waiting as long before the first and after the last (run-guest-command.ts: `play`).
 */
const scriptLineMs = 50

/**
 * How long one clone-path install holds its storage's allocation lock in the simulator: the
 * linked clone of the disk and the cloud-init drive's allocation (pve-storage `vdisk_clone` and
 * `vdisk_alloc` each run under `cluster_lock_storage`; the durations are the simulator's own,
 * timings.ts). N clones on one storage hold it one after the other.
 */
export function storageLockHoldSeconds(speed: number): number {
  return ((timings.cloneLinkedMs + timings.storageAllocHoldMs) * speed) / 1000
}

/**
 * The waits no client can avoid on the clone path, as the simulator imposes them: the linked
 * clone (its thin volume, the cloud-init drive's allocation), the resize, start, the guest's
 * boot, the first-boot script; a reboot (shutdown, start, boot) only when the install did one.
 */
export function cloneIrreducibleSeconds(speed: number, stream: SseRead): number {
  const rebooted = stream.steps.some((step) => step.message.startsWith('[+] VM rebooted'))
  const scaled =
    timings.cloneLinkedMs +
    timings.storageAllocHoldMs +
    timings.resizeMs +
    timings.startMs +
    simulatedBootMs +
    (rebooted ? timings.shutdownMs + timings.startMs + simulatedBootMs : 0)
  const lines = stream.steps.filter(
    (step) =>
      step.step === 'VM initialization > SSH initialization' && step.message.startsWith('  '),
  ).length
  return (scaled * speed + (lines + 1) * scriptLineMs) / 1000
}

/** Proxmox commands of one install on the clone path (the template already built). */
export async function measureCloneCommands(): Promise<{ commands: number; detail: string }> {
  const app = await startBenchService({ speed: 0, driver: 'cli', env: cloneEnv })
  try {
    await timedInstall(app, body)
    const counts = await countCommands(app, () => timedInstall(app, body))
    const detail = Object.entries(counts)
      .map(([key, count]) => `${key} ×${count}`)
      .join(', ')
    return { commands: totalCommands(counts), detail }
  } finally {
    await app.close()
  }
}

export interface ClonePathResult {
  driver: string
  wallSeconds: number
  floorSeconds: number
  commands: number
  /** API requests of the install (api driver), task polls included */
  requests: number
  ratio: number
}

/** One clone-path install's wall time against its floor (plus the Perl start-ups for cli). */
export async function measureCloneCriticalPath(
  speed: number,
  driver: 'cli' | 'api',
): Promise<ClonePathResult> {
  const app = await startBenchService({ speed, driver, env: cloneEnv })
  try {
    await timedInstall(app, body)
    let measured: Awaited<ReturnType<typeof timedInstall>> | undefined
    const run = async (): Promise<void> => {
      measured = await timedInstall(app, body)
    }
    const counts = driver === 'cli' ? await countCommands(app, run) : {}
    const requests = driver === 'api' ? await countRequests(app, run) : 0
    const commands = totalCommands(counts)
    measured ??= await timedInstall(app, body)
    // `qm set` and `qm disk resize` after the clone run at once, and the storage read beside the
    // resource list: one start-up on the critical path for each pair
    const overlapped =
      Math.min(counts['qm set'] ?? 0, counts['qm disk resize'] ?? 0) + besideOthers(counts)
    const floor =
      cloneIrreducibleSeconds(speed, measured.stream) +
      ((commands - overlapped) * cliStartupMs * speed) / 1000
    return {
      driver,
      wallSeconds: measured.seconds,
      floorSeconds: floor,
      commands,
      requests,
      ratio: measured.seconds / floor,
    }
  } finally {
    await app.close()
  }
}

export interface CloneParallelResult {
  driver: string
  count: number
  oneSeconds: number
  allSeconds: number
  ratio: number
  distinctIds: number
  /** the storage lock's holds of all N clones, one after the other */
  lockSerialSeconds: number
  /** all ÷ one can be no less: one install plus the other N − 1 clones' lock holds */
  ratioBound: number
}

/** N concurrent clone-path installs against one, in the same service. */
export async function measureCloneParallel(
  speed: number,
  driver: 'cli' | 'api',
  count: number,
): Promise<CloneParallelResult> {
  const app = await startBenchService({
    speed,
    driver,
    env: { ...cloneEnv, MAX_CONCURRENT_INSTALLS: String(count) },
  })
  try {
    const timed = await timeOneAgainstMany(app, body, count)
    const hold = storageLockHoldSeconds(speed)
    return {
      driver,
      count,
      ...timed,
      lockSerialSeconds: count * hold,
      ratioBound: 1 + ((count - 1) * hold) / timed.oneSeconds,
    }
  } finally {
    await app.close()
  }
}

/**
 * One install at real Proxmox timings (SIM_SPEED=1, the Perl start-up of every command) by the
 * import path, the clone path and the seed's replayed sequence, in simulated seconds.
 */
export async function measureRealistic(): Promise<{
  importSeconds: number
  cloneSeconds: number
  seedSeconds: number
}> {
  const importApp = await startBenchService({ speed: 1, driver: 'cli' })
  let importSeconds: number
  let seedSeconds: number
  try {
    // the image cached, as for the clone path
    await importApp.imageStore.ensure(findDebian12())
    importSeconds = (await timedInstall(importApp, body)).seconds
    seedSeconds = await replaySeedInstall(importApp, 1, 200)
  } finally {
    await importApp.close()
  }
  const cloneApp = await startBenchService({ speed: 1, driver: 'cli', env: cloneEnv })
  try {
    await timedInstall(cloneApp, body)
    const cloneSeconds = (await timedInstall(cloneApp, body)).seconds
    return { importSeconds, cloneSeconds, seedSeconds }
  } finally {
    await cloneApp.close()
  }
}

function findDebian12(): NonNullable<ReturnType<typeof findRelease>> {
  const release = findRelease('debian', '12')
  if (release === undefined) throw new Error('debian 12 missing from the catalog')
  return release
}
