import { readFileSync } from 'node:fs'
import { parseDocument } from 'yaml'
import type { VmNetwork } from '../vm-network.js'
import { isFileObject, shown } from './field-reader.js'
import { readNetwork, type ReadNetwork } from './read-network.js'
import type { ValueRange } from './read-pool.js'

/**
 * Reads and checks `NETWORKS_FILE` (YAML, or JSON, which YAML reads too): a mapping whose one
 * key `networks` lists the networks. Each problem is reported as its own line through
 * `report`, naming the network and the field; undefined when there was any.
 */
export function readNetworksFile(
  path: string,
  simulated: boolean,
  report: (line: string) => void,
): VmNetwork[] | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unknown error'
    report(`${path}: ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}`)
    return undefined
  }
  const document = parseDocument(text)
  if (document.errors.length > 0) {
    // the parser's first line says what and where ("... at line 3, column 3:"); a snippet follows
    for (const error of document.errors) {
      report(`${path}: ${(error.message.split('\n')[0] ?? '').replace(/:$/, '')}`)
    }
    return undefined
  }
  const top: unknown = document.toJS()
  if (!isFileObject(top) || !Array.isArray(top.networks)) {
    report(`${path}: must be a mapping with a list under "networks"`)
    return undefined
  }
  for (const key of Object.keys(top)) {
    if (key !== 'networks') report(`${path}: ${key}: unknown key; allowed: networks`)
  }
  const entries: unknown[] = top.networks
  if (entries.length === 0) {
    report(`${path}: networks: must list at least one network`)
    return undefined
  }
  let problems = 0
  const count = (line: string): void => {
    problems++
    report(line)
  }
  const read = entries.map((entry, index) => readNetwork(entry, index, simulated, count))
  checkAcrossNetworks(read, count)
  if (problems > 0) return undefined
  return read.flatMap((network) => (network === undefined ? [] : [network.network]))
}

/**
 * Rules between networks: names are unique (an install names one), and two networks on the same
 * bridge and VLAN (one layer-2 segment) must not hand out the same addresses.
 */
function checkAcrossNetworks(
  read: readonly (ReadNetwork | undefined)[],
  report: (line: string) => void,
): void {
  const seen: ReadNetwork[] = []
  for (const current of read) {
    if (current === undefined) continue
    const { network, where } = current
    if (seen.some((other) => other.network.name === network.name)) {
      report(`${where}: name: ${shown(network.name)} is used by an earlier network`)
    }
    const segment = seen.filter(
      (other) => other.network.bridge === network.bridge && other.network.vlan === network.vlan,
    )
    for (const other of segment) {
      const family = overlaps(current.ipv4Span, other.ipv4Span)
        ? 'pool'
        : overlaps(current.ipv6Span, other.ipv6Span)
          ? 'ipv6 pool'
          : undefined
      if (family === undefined) continue
      const vlan = network.vlan === undefined ? 'untagged' : `VLAN ${network.vlan}`
      report(
        `${where}: ${family}: overlaps the pool of network ${shown(other.network.name)} on the same bridge ${network.bridge} (${vlan})`,
      )
    }
    seen.push(current)
  }
}

function overlaps(a: readonly ValueRange[], b: readonly ValueRange[]): boolean {
  return a.some((x) => b.some((y) => x.from <= y.to && x.to >= y.from))
}
