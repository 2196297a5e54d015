import type { NetworkConfig, TemplatesConfig } from '../config.js'
import type { NetworksConfig } from '../vm-network.js'
import type { EnvReader } from '../env-reader.js'

/**
 * Reads how installs use cached OS templates and when they reboot. Template VMIDs get their own
 * range, apart from the install range (whose ids are also the VMs' last IP octets).
 */
export function readTemplatesSection(
  env: EnvReader,
  network: NetworkConfig,
  networks: NetworksConfig,
): TemplatesConfig {
  const mode = env.oneOf('TEMPLATES', ['auto', 'off'] as const) ?? 'auto'
  const vmidStart = env.integer('TEMPLATE_VMID_START', { min: 100, max: 999_999_999 }) ?? 9000
  const vmidEnd = env.integer('TEMPLATE_VMID_END', { min: 100, max: 999_999_999 }) ?? 9099
  if (vmidEnd < vmidStart) {
    env.problem('TEMPLATE_VMID_END', `must be at least TEMPLATE_VMID_START (${vmidStart})`)
  } else if (vmidStart <= network.ipEnd && vmidEnd >= network.ipStart) {
    env.problem(
      'TEMPLATE_VMID_START',
      `the template range ${vmidStart}-${vmidEnd} must not overlap the install range ` +
        `${network.ipStart}-${network.ipEnd} (ASSIGN_IP_START..ASSIGN_IP_END)`,
    )
  } else if (networks.fromFile && vmidStart <= networks.vmidEnd && vmidEnd >= networks.vmidStart) {
    // the file's networks take their VMIDs from VMID_START..VMID_END
    env.problem(
      'TEMPLATE_VMID_START',
      `the template range ${vmidStart}-${vmidEnd} must not overlap the install range ` +
        `${networks.vmidStart}-${networks.vmidEnd} (VMID_START..VMID_END)`,
    )
  }
  const reboot = env.oneOf('INSTALL_REBOOT', ['auto', 'always', 'never'] as const) ?? 'auto'
  return { mode, vmidStart, vmidEnd, reboot }
}
