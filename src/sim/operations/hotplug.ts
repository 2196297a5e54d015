import type { SimVm } from '../state/types.js'
import { cpuCount } from '../state/vm-view.js'

/**
 * qemu-server's `vmconfig_hotplug_pending` for the keys this simulator models (pve.md §2.3,
 * §10.3). `hotplug` unset means `network,disk,usb`; `0` none; `1` the same default.
 * - `vcpus` goes live with the `cpu` feature (up to sockets × cores; `cores` itself never does),
 * - `memory` goes live with the `memory` feature and `numa: 1` (else it stays pending, 400),
 * - `balloon` goes live while the device stays enabled (or disabled): its enabled state does not.
 * Everything else a running VM is given waits for the next cold start.
 */
export function hotplugFeatures(vm: SimVm): Set<string> {
  const text = vm.config.hotplug ?? '1'
  if (text === '0') return new Set()
  if (text === '1') return new Set(['network', 'disk', 'usb'])
  return new Set(text.split(',').map((feature) => feature.trim()))
}

/** Whether a running VM takes `key = value` at once. */
export function hotplugsLive(vm: SimVm, key: string, value: string): boolean {
  const features = hotplugFeatures(vm)
  switch (key) {
    case 'vcpus':
      return features.has('cpu') && Number(value) <= cpuCount({ ...vm.config, vcpus: '0' })
    case 'memory':
      return features.has('memory') && vm.config.numa === '1'
    case 'balloon': {
      const enabled = (balloon: string | undefined): boolean => balloon !== '0'
      return enabled(vm.config.balloon) === enabled(value)
    }
    default:
      return false
  }
}

/** The error qemu-server reports for a hot-plug it tried and could not do. */
export function hotplugProblem(vm: SimVm, key: string): string | undefined {
  const features = hotplugFeatures(vm)
  if (key === 'memory' && features.has('memory') && vm.config.numa !== '1')
    return 'NUMA needs to be enabled for memory hotplug'
  if (key === 'vcpus' && features.has('cpu')) return "you can't add more vcpus than maxcpus"
  return undefined
}
