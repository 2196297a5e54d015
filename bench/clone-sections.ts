import { timings } from '../src/sim/index.js'
import {
  measureCloneCommands,
  measureCloneCriticalPath,
  measureCloneParallel,
  measureRealistic,
  storageLockHoldSeconds,
} from './clone-path.js'

type Out = (line?: string) => void
const fmt = (value: number, digits = 2): string => value.toFixed(digits)
const verdict = (ok: boolean): string => (ok ? 'met' : 'missed')

/** §1's clone-path row: commands of one install cloning a cached template (cli driver). */
export async function cloneCommandsRow(out: Out): Promise<void> {
  const row = await measureCloneCommands()
  out(`| install (clone path) | ${row.commands} | — |  | ${row.detail} |`)
}

/** §3's clone-path table: wall time against the floor, cli and api drivers. */
export async function cloneCriticalPathTable(out: Out, speed: number): Promise<void> {
  out(
    "The clone path (TEMPLATES=auto, INSTALL_REBOOT=auto, template already built): the floor is the linked clone, the cloud-init copy, resize, start, boot and the first-boot script (a reboot only if the guest asked), plus for the cli driver the Perl start-up of each command on the critical path (the clone's `qm set` and `qm disk resize` run at once, so do the first storage read and the resource list: one start-up for each pair). Commands (cli) or API requests, task polls included (api), per install.",
  )
  out()
  out('| path | driver | wall | commands / requests | floor | ratio | target |')
  out('|---|---|---|---|---|---|---|')
  for (const [driver, target] of [
    ['cli', 1.1],
    ['api', 1.05],
  ] as const) {
    const path = await measureCloneCriticalPath(speed, driver)
    out(
      `| clone | ${driver} | ${fmt(path.wallSeconds)} s | ${driver === 'cli' ? `${path.commands} commands` : `${path.requests} requests`} | ${fmt(path.floorSeconds)} s | ${fmt(path.ratio)} | ≤ ${fmt(target)} (${verdict(path.ratio <= target)}) |`,
    )
  }
  out()
}

/** §3's run at real timings: one install by each path and the seed's sequence. */
export async function realisticTable(out: Out): Promise<void> {
  out(
    'One install at real Proxmox timings (SIM_SPEED=1, 1.4 s Perl start-up per command, cli driver), image cached: the import path (TEMPLATES=off, always reboot, as before), the clone path, and the seed replayed. Simulated seconds:',
  )
  out()
  const run = await measureRealistic()
  out('| import path | clone path | seed replay | seed ÷ clone | target |')
  out('|---|---|---|---|---|')
  const ratio = run.seedSeconds / run.cloneSeconds
  out(
    `| ${fmt(run.importSeconds)} s | ${fmt(run.cloneSeconds)} s | ${fmt(run.seedSeconds)} s | ${fmt(ratio)} | ≥ 3 (${verdict(ratio >= 3)}) |`,
  )
  out()
}

/** §4's clone-path rows: 20 parallel installs against one, and what the storage lock allows. */
export async function cloneParallelRows(out: Out, speed: number): Promise<void> {
  out(
    `All clones go to one storage (local-lvm on the main node), and Proxmox makes each clone's disks under that storage's lock (pve-storage \`vdisk_clone\` and \`vdisk_alloc\` run \`cluster_lock_storage\` around \`clone_image\` and \`alloc_image\`; qemu-server's \`clone_disk\` allocates the cloud-init drive with \`vdisk_alloc\` and copies nothing into it). The simulator holds the lock ${fmt(storageLockHoldSeconds(1), 1)} s per clone × SIM_SPEED (its own figures: ${timings.cloneLinkedMs / 1000} s for the link, ${timings.storageAllocHoldMs / 1000} s for the allocation; pve.md gives none), so N clones take at least N × that, and all ÷ one can be no less than 1 + (N − 1) × hold ÷ one: the bound column.`,
  )
  out()
  out(
    '| path | driver | installs | one | all | all ÷ one | target | serialised on the storage lock | bound for all ÷ one | distinct ids |',
  )
  out('|---|---|---|---|---|---|---|---|---|---|')
  for (const driver of ['cli', 'api'] as const) {
    const parallel = await measureCloneParallel(speed, driver, 20)
    out(
      `| clone | ${driver} | ${parallel.count} | ${fmt(parallel.oneSeconds)} s | ${fmt(parallel.allSeconds)} s | ${fmt(parallel.ratio)} | ≤ 1.5 (${verdict(parallel.ratio <= 1.5)}) | ${fmt(parallel.lockSerialSeconds)} s | ≥ ${fmt(parallel.ratioBound)} | ${parallel.distinctIds} |`,
    )
  }
  out()
}
