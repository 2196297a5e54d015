import { measureFootprints } from './footprint.js'

/**
 * Only the footprint section of the bench (`npm run bench:footprint -- [runs]`): wall and CPU
 * time to the first `ok` and idle RSS per configuration, medians of `runs` starts, for tuning
 * the start-up without the minutes the whole bench takes.
 */
const runs = Number(process.argv[2] ?? 5)
for (const row of await measureFootprints(runs)) {
  console.log(
    `${row.configuration}: ${row.secondsToFirstOk.toFixed(2)} s wall (of which ${row.cpuWaitSecondsToFirstOk.toFixed(2)} s waiting for a CPU), ${row.cpuSecondsToFirstOk.toFixed(2)} s CPU to the first ok, ${row.idleRssMb.toFixed(0)} MB idle RSS (median of ${row.runs})`,
  )
}
