import { parseAllowList } from '../lib/allow-list/index.js'
import type { Config } from './config.js'

/**
 * A few lines for the start-up log that show what the service will do: listener, cluster, VM
 * address plan, limits. Secrets appear only as "set" or "not set".
 *
 * @example
 * for (const line of describeConfig(config)) log.info(line)
 */
export function describeConfig(config: Config): string[] {
  const lines = [describeHttp(config), describePve(config)]
  if (config.pve.driver === 'sim') lines.push(describeSim(config))
  lines.push(describeNetwork(config), describeVm(config))
  lines.push(`data: ${config.dataDir}; log level ${config.logLevel}`)
  return lines
}

function describeHttp({ http }: Config): string {
  const host = http.host.includes(':') ? `[${http.host}]` : http.host
  const allowed = parseAllowList(http.allowIps).allowsAll ? 'everyone' : http.allowIps.join(', ')
  return `http: listening on ${host}:${http.port}; allowed clients ${allowed}; trusted proxies ${listOrNone(http.trustProxy)}`
}

function describePve({ pve }: Config): string {
  const nodes = listOrNone(pve.nodes.map((node) => `${node.name} (${node.ip})`))
  return `pve: driver ${pve.driver}; main node ${pve.mainNode ?? 'none'}; nodes ${nodes}; storage ${pve.storage}`
}

function describeSim({ sim, pve }: Config): string {
  const nodes = sim.nodes ?? pve.nodes.map((node) => node.name)
  const shared = sim.sharedStorage === undefined ? '' : `; shared storage ${sim.sharedStorage}`
  return `sim: speed ${sim.speed}; nodes ${nodes.length > 0 ? nodes.join(', ') : 'simulator default'}${shared}`
}

function describeNetwork({ network, networks }: Config): string {
  if (networks.fromFile) {
    const listed = networks.networks.map((entry) => {
      const vlan = entry.vlan === undefined ? '' : ` vlan ${entry.vlan}`
      const ipv4 = entry.ipv4.mode === 'static' ? `static ${entry.ipv4.cidr}` : entry.ipv4.mode
      const ipv6 = entry.ipv6 === undefined ? '' : `, ipv6 ${entry.ipv6.mode}`
      return `${entry.name} (${entry.bridge}${vlan}, ${ipv4}${ipv6})`
    })
    return (
      `networks: ${listed.join(', ')} from ${networks.file ?? 'NETWORKS_FILE'}; ` +
      `VMIDs ${networks.vmidStart} to ${networks.vmidEnd}; ip probe ${networks.probe}`
    )
  }
  const prefix = network.gateway.split('.').slice(0, 3).join('.')
  return `network: gateway ${network.gateway}; VM addresses ${prefix}.${network.ipStart} to ${prefix}.${network.ipEnd}`
}

function describeVm({ vm }: Config): string {
  const balloon = vm.balloonMinMb === undefined ? 'not set' : `${vm.balloonMinMb} MB`
  const password = vm.rootPassword === undefined ? 'not set' : 'set'
  return `vm limits: cpu ${vm.maxCpu}; ram ${limit(vm.maxRamMb, 'MB')}; disk ${limit(vm.maxDiskGb, 'GB')}; balloon minimum ${balloon}; root password ${password}`
}

function listOrNone(items: readonly string[]): string {
  return items.length === 0 ? 'none' : items.join(', ')
}

function limit(value: number | undefined, unit: string): string {
  return value === undefined ? 'unlimited' : `${value} ${unit}`
}
