import { cpus, totalmem } from 'node:os'
import { writeFileSync } from 'node:fs'
import {
  cloneCommandsRow,
  cloneCriticalPathTable,
  cloneParallelRows,
  realisticTable,
} from './clone-sections.js'

/**
 * `npm run bench:clone-path`: only the clone-path rows of `npm run bench` (§1, §3, §4 and the
 * run at real timings), written to bench/RESULTS-clone-path.md.
 */
const speed = 0.2
const lines: string[] = []
const out = (line = ''): void => {
  lines.push(line)
  console.log(line)
}

async function main(): Promise<void> {
  const began = performance.now()
  out('# Benchmark results: the clone path')
  out()
  out(
    `Written by \`npm run bench:clone-path\` on ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}. Simulated Proxmox at SIM_SPEED=${speed} unless said otherwise.`,
  )
  out()
  out('## 1. Proxmox commands per install (cli driver)')
  out()
  out('| operation | commands | target | | which |')
  out('|---|---|---|---|---|')
  await cloneCommandsRow(out)
  out()
  out('## 3. Install critical path')
  out()
  await cloneCriticalPathTable(out, speed)
  await realisticTable(out)
  out('## 4. Parallel installs')
  out()
  await cloneParallelRows(out, speed)
  out(`Benchmark run took ${((performance.now() - began) / 1000).toFixed(0)} s.`)
  writeFileSync(new URL('./RESULTS-clone-path.md', import.meta.url), `${lines.join('\n')}\n`)
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
