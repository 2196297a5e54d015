import { isIPv4 } from 'node:net'
import type { PveNodeAddress } from '../config.js'
import { quote } from '../env-reader.js'
import type { EnvReader } from '../env-reader.js'
import { nodeNamePattern, nodeNameRule } from '../patterns.js'
import { nodeVariablePrefix } from '../variables.js'

/**
 * Node.js and its container images set `NODE_*` variables of their own (NODE_ENV, NODE_OPTIONS,
 * NODE_VERSION, NODE_EXTRA_CA_CERTS, ...). They are not cluster nodes: the one-word ones are
 * listed here, and any upper-case name with an inner underscore is skipped because a Proxmox node
 * name cannot contain one.
 */
const runtimeSuffixes = new Set(['ENV', 'OPTIONS', 'PATH', 'DEBUG', 'VERSION'])
const runtimeStyle = /^[A-Z0-9]+(?:_[A-Z0-9]+)+$/

/** Reads every `NODE_<name>=<ipv4>` variable, sorted by name. */
export function readNodeVariables(env: EnvReader): PveNodeAddress[] {
  const nodes: PveNodeAddress[] = []
  for (const variable of env.namesStartingWith(nodeVariablePrefix)) {
    const name = variable.slice(nodeVariablePrefix.length)
    if (runtimeSuffixes.has(name) || runtimeStyle.test(name)) continue
    const ip = env.anyText(variable) ?? ''
    if (!nodeNamePattern.test(name)) {
      env.problem(variable, `the part after ${nodeVariablePrefix} must be ${nodeNameRule}`)
    } else if (!isIPv4(ip)) {
      env.problem(
        variable,
        `must be the IPv4 address of node ${name}, such as 127.0.0.11, got ${quote(ip)}`,
      )
    } else {
      nodes.push({ name, ip })
    }
  }
  return nodes
}
