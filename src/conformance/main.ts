import { ConfigError, loadConfig, type Config } from '../config/index.js'
import { readConformanceSettings } from '../config/conformance-settings.js'
import { startCluster } from '../start-cluster.js'
import { exitCodeOf, runConformance, type CheckResult } from './run-conformance.js'

/**
 * `npm run conformance`: checks the configured driver (cli or api, the service's own variables)
 * against the cluster before the service is trusted with it. Reads everywhere; creates and
 * destroys one scratch VM in `CONFORMANCE_VMID`. Exit status: 0 all passed, 1 a check failed,
 * 2 the run could not start (configuration, connection, the VMID exists).
 */
async function main(): Promise<number> {
  let config: Config | undefined
  let problems: readonly string[] = []
  try {
    config = loadConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    problems = error.problems
  }
  let settings
  try {
    settings = readConformanceSettings(process.env, problems)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    write(`pve-qemu conformance cannot start; fix these settings:\n`)
    for (const problem of error.problems) write(`  ${problem}\n`)
    return 2
  }
  if (config === undefined) return 2
  const started = await startCluster(config)
  try {
    const node = config.pve.mainNode ?? started.simulator?.mainNode ?? ''
    write(`pve-qemu conformance against ${started.cluster.description}\n`)
    write(
      `scratch VM ${settings.vmid} on ${node}, disks on ${config.pve.storage}; nothing else is changed\n\n`,
    )
    const report = await runConformance({
      cluster: started.cluster,
      node,
      vmid: settings.vmid,
      storage: config.pve.storage,
      otherNode: settings.targetNode,
      guestOs: config.pve.simulated,
      onResult: (result) => write(formatResult(result)),
    })
    if (report.kind === 'refused') {
      write(`refused: ${report.reason}\n`)
    } else {
      const count = (outcome: CheckResult['outcome']): number =>
        report.results.filter((result) => result.outcome === outcome).length
      write(`\ncleanup: ${report.cleanup}\n`)
      write(`${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped\n`)
    }
    return exitCodeOf(report)
  } finally {
    await started.close()
  }
}

const marks: Record<CheckResult['outcome'], string> = {
  passed: 'ok  ',
  failed: 'FAIL',
  skipped: 'skip',
}

function formatResult(result: CheckResult): string {
  const detail =
    result.detail === undefined ? '' : `\n        ${result.detail.replaceAll('\n', '\n        ')}`
  return `  ${marks[result.outcome]}  ${result.name}${detail}\n`
}

function write(text: string): void {
  process.stdout.write(text)
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(
      `pve-qemu conformance failed to run: ${error instanceof Error ? error.message : String(error)}\n`,
    )
    process.exitCode = 2
  },
)
