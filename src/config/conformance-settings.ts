import { EnvReader, quote } from './env-reader.js'
import { ConfigError } from './errors.js'
import { nodeNamePattern, nodeNameRule } from './patterns.js'

/** What `npm run conformance` needs besides the service's own configuration. */
export interface ConformanceSettings {
  /** The free VMID the run creates and destroys its scratch VM in (`CONFORMANCE_VMID`). */
  readonly vmid: number
  /** The migration check's target (`CONFORMANCE_TARGET_NODE`); default another online node. */
  readonly targetNode: string | undefined
}

/**
 * Reads the conformance run's own variables; throws one ConfigError listing every problem
 * (`problems` holds lines already found, e.g. the service configuration's, reported first).
 */
export function readConformanceSettings(
  vars: Readonly<Record<string, string | undefined>>,
  problems: readonly string[] = [],
): ConformanceSettings {
  const env = new EnvReader(vars)
  env.problems.push(...problems)
  const vmidText = env.anyText('CONFORMANCE_VMID')
  const vmid = Number(vmidText)
  if (vmidText === undefined) {
    env.problem(
      'CONFORMANCE_VMID',
      'is required: a free VMID (100-999999999) the run may create and destroy its scratch VM in',
    )
  } else if (!/^[1-9]\d{2,8}$/.test(vmidText)) {
    env.problem('CONFORMANCE_VMID', `must be a VMID from 100 to 999999999, got ${quote(vmidText)}`)
  }
  const targetNode = env.anyText('CONFORMANCE_TARGET_NODE')
  if (targetNode !== undefined && !nodeNamePattern.test(targetNode)) {
    env.problem('CONFORMANCE_TARGET_NODE', `must be ${nodeNameRule}, got ${quote(targetNode)}`)
  }
  if (env.problems.length > 0) throw new ConfigError(env.problems)
  return { vmid, targetNode }
}
