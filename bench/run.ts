import { cpus, totalmem } from 'node:os'
import { writeFileSync } from 'node:fs'
import { measureDownload } from './download.js'
import { measureFootprints, runtimeDependencies } from './footprint.js'
import { benchImages, measureInstallPath, measureParallel } from './install-path.js'
import { measureRoundTrips } from './round-trips.js'
import { replaySeedInstall } from './seed-replay.js'
import { startBenchService, timedInstall } from './service.js'
import { measureSharedReads } from './shared-reads.js'
import {
  cloneCommandsRow,
  cloneCriticalPathTable,
  cloneParallelRows,
  realisticTable,
} from './clone-sections.js'

/**
 * `npm run bench`: measures the service on the simulator and writes bench/RESULTS.md. Every
 * comparison is a ratio of two figures measured in this same run. Simulated time runs at
 * `speed` × real Proxmox timings (and CLI start-up cost), so ratios hold at speed 1.
 */
const speed = 0.2
/** `npm run bench -- --sections=3,4` runs only those sections and leaves RESULTS.md alone. */
const sectionsArgument = process.argv.find((arg) => arg.startsWith('--sections='))
const only = sectionsArgument?.slice('--sections='.length).split(',').map(Number)
const runs = (section: number): boolean => only === undefined || only.includes(section)
const lines: string[] = []
const out = (line = ''): void => {
  lines.push(line)
  console.log(line)
}
const fmt = (value: number, digits = 2): string => value.toFixed(digits)
const verdict = (ok: boolean): string => (ok ? 'met' : 'missed')

async function main(): Promise<void> {
  const began = performance.now()
  out('# Benchmark results')
  out()
  out(
    `Written by \`npm run bench\` on ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${fmt(totalmem() / 1024 ** 3, 0)} GiB, Node ${process.version}.`,
  )
  out(
    `Simulated Proxmox at SIM_SPEED=${speed} (every simulated duration, and the ~1.4 s start-up of each qm/pvesh/pvesm run from reference/pve.md §7, × ${speed}); ratios carry over to real timings.`,
  )
  out()

  if (runs(1)) await sectionOne()
  if (runs(2)) await sectionTwo()
  if (runs(3)) await sectionThree()
  if (runs(4)) await sectionFour()
  if (runs(5)) await sectionFive()
  if (runs(6)) await sectionSix()
  out(`Benchmark run took ${fmt((performance.now() - began) / 1000, 0)} s.`)
  if (only === undefined)
    writeFileSync(new URL('./RESULTS.md', import.meta.url), `${lines.join('\n')}\n`)
}

async function sectionOne(): Promise<void> {
  out('## 1. Proxmox commands per operation (cli driver)')
  out()
  out('| operation | commands | target | | which |')
  out('|---|---|---|---|---|')
  for (const row of await measureRoundTrips()) {
    const target = row.target === undefined ? '—' : `≤ ${row.target}`
    const met = row.target === undefined ? '' : verdict(row.commands <= row.target)
    out(`| ${row.operation} | ${row.commands} | ${target} | ${met} | ${row.detail} |`)
  }
  await cloneCommandsRow(out)
  out()
  out("The api driver's requests per install are in section 3 (task polls included).")
  out()
}

async function sectionTwo(): Promise<void> {
  out('## 2. Shared reads: 200 concurrent `GET /api/vm/list`')
  out()
  out(
    "On a running service: one list came first, so the IP cache has read each VM's config once (that first list is §1's row of its own).",
  )
  out()
  const shared = await measureSharedReads(speed)
  out(`| requests | cluster-resources reads | target | p50 | p99 |`)
  out('|---|---|---|---|---|')
  out(
    `| ${shared.requests} | ${shared.resourceReads} | ≤ 2 (${verdict(shared.resourceReads <= 2)}) | ${fmt(shared.p50Ms, 0)} ms | ${fmt(shared.p99Ms, 0)} ms |`,
  )
  out()
}

async function sectionThree(): Promise<void> {
  out('## 3. Install critical path')
  out()
  out(
    "Wall time of one install (image cached) ÷ the sum of the waits the simulator imposes (create, import, resize, start, boot, first-boot script, reboot, boot) — for the cli driver plus the Perl start-up of each command on its critical path (the first storage read goes beside the resource list), which a real node charges too. The api driver runs over HTTPS against the simulator's REST face with the README's token and pveproxy's 30 s proxy timeout (× SIM_SPEED) on; Rocky 9 imports 10 GiB.",
  )
  out()
  out(
    '| driver | image | wall | irreducible waits | commands / requests | floor incl. start-ups | ratio | target |',
  )
  out('|---|---|---|---|---|---|---|---|')
  for (const image of benchImages) {
    for (const driver of ['sim', 'cli', 'api'] as const) {
      const path = await measureInstallPath(speed, driver, image)
      const count =
        driver === 'cli'
          ? `${path.commands} commands`
          : driver === 'api'
            ? `${path.requests} requests`
            : '—'
      out(
        `| ${driver} | ${image.os} ${image.version} | ${fmt(path.wallSeconds)} s | ${fmt(path.irreducibleSeconds)} s | ${count} | ${fmt(path.floorWithStartupSeconds)} s | ${fmt(path.ratio)} | ≤ 1.10 (${verdict(path.ratio <= 1.1)}) |`,
      )
    }
  }
  out()
  const seedApp = await startBenchService({ speed, driver: 'cli' })
  try {
    await timedInstall(seedApp, { os: 'debian', version: '12', passwd: 'bench' })
    const ours = await timedInstall(seedApp, { os: 'debian', version: '12', passwd: 'bench' })
    const seed = await replaySeedInstall(seedApp, speed, 200)
    out(
      "The seed's own command sequence (one `qm set` per setting, `qm importdisk`, SSH polled every 5 s, a fixed 5 s pause), replayed against the same simulator with the same per-command cost:",
    )
    out()
    out('| ours (cli driver) | seed replay | seed ÷ ours | target |')
    out('|---|---|---|---|')
    out(
      `| ${fmt(ours.seconds)} s | ${fmt(seed)} s | ${fmt(seed / ours.seconds)} | ≥ 1.5 (${verdict(seed / ours.seconds >= 1.5)}) |`,
    )
    out()
  } finally {
    await seedApp.close()
  }
  await cloneCriticalPathTable(out, speed)
  await realisticTable(out)
}

async function sectionFour(): Promise<void> {
  out('## 4. Parallel installs')
  out()
  out('| driver | image | installs | one | all | all ÷ one | target | distinct ids |')
  out('|---|---|---|---|---|---|---|---|')
  const cases = [
    ...(['sim', 'cli', 'api'] as const).map((driver) => ({ driver, image: benchImages[0] })),
    { driver: 'api' as const, image: benchImages[1] },
  ]
  for (const { driver, image } of cases) {
    const parallel = await measureParallel(speed, driver, 20, image)
    out(
      `| ${driver} | ${parallel.image.os} ${parallel.image.version} | ${parallel.count} | ${fmt(parallel.oneSeconds)} s | ${fmt(parallel.allSeconds)} s | ${fmt(parallel.ratio)} | ≤ 2 (${verdict(parallel.ratio <= 2)}) | ${parallel.distinctIds} |`,
    )
  }
  out()
  await cloneParallelRows(out, speed)
}

async function sectionFive(): Promise<void> {
  out('## 5. Image download (1 GiB over loopback)')
  out()
  const download = await measureDownload()
  out('| image store | curl | throughput ratio | target | peak RSS | target |')
  out('|---|---|---|---|---|---|')
  out(
    `| ${fmt(download.storeSeconds)} s | ${fmt(download.curlSeconds)} s | ${fmt(download.throughputRatio)} | ≥ 0.9 (${verdict(download.throughputRatio >= 0.9)}) | ${fmt(download.peakRssMb, 0)} MB (from ${fmt(download.baselineRssMb, 0)} MB) | ≤ 150 MB (${verdict(download.peakRssMb <= 150)}) |`,
  )
  out()
  out(
    'The image store also verifies SHA-256 while it writes and fsyncs before the rename; curl does neither.',
  )
  out()
}

async function sectionSix(): Promise<void> {
  out('## 6. Footprint')
  out()
  out(
    'The compiled service (`node --max-semi-space-size=2 dist/main.js`, as `npm start` and the systemd unit run it).',
  )
  out()
  out(
    'Each configuration starts 5 times; the figures are the medians. CPU time (user + system of the service until its first `ok`) depends less on what else the machine runs than wall time does; "waiting for a CPU" is how much of the wall time the main thread was ready to run but had no core (/proc schedstat), so wall time less it is the start-up on an idle machine.',
  )
  out()
  out(
    '| configuration | time to first `ok` | of it waiting for a CPU | CPU time to first `ok` | target | idle RSS | target |',
  )
  out('|---|---|---|---|---|---|---|')
  for (const row of await measureFootprints()) {
    // the targets are for production configurations; the simulator reports its own figures
    const production = !row.configuration.startsWith('embedded')
    const time = production ? `≤ 0.8 s (${verdict(row.secondsToFirstOk <= 0.8)})` : '—'
    const rss = production ? `≤ 80 MB (${verdict(row.idleRssMb <= 80)})` : '—'
    out(
      `| ${row.configuration} | ${fmt(row.secondsToFirstOk)} s | ${fmt(row.cpuWaitSecondsToFirstOk)} s | ${fmt(row.cpuSecondsToFirstOk)} s | ${time} | ${fmt(row.idleRssMb, 0)} MB | ${rss} |`,
    )
  }
  out()
  const deps = runtimeDependencies()
  out(
    `Runtime dependencies (\`npm ci --omit=dev\`): ${fmt(deps.totalBytes / 1024 ** 2, 1)} MB installed in all. Direct ones, each without what it pulls in:`,
  )
  out()
  out('| package | version | installed |')
  out('|---|---|---|')
  for (const dep of deps.direct) {
    out(`| ${dep.name} | ${dep.version} | ${fmt(dep.bytes / 1024 ** 2, 1)} MB |`)
  }
  out()
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
