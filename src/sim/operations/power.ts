import type { SimContext } from '../context.js'
import type { SimNode, SimVm } from '../state/types.js'
import { cloudinitKey } from '../state/vm-view.js'
import { timings } from '../timings.js'
import { checkVmBridges } from '../network/bridge-check.js'
import { guestNics, primaryAddresses } from '../network/guest-nics.js'
import { applyPending } from './pending.js'
import { checkCicustom } from '../state/snippets.js'

/** Flags each CPU model needs from the host, and how QEMU names a missing one. */
const v2 = ['cx16', 'lahf_lm', 'popcnt', 'sse4_1', 'sse4_2', 'ssse3']
const v3 = [...v2, 'aes', 'avx', 'avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm', 'movbe', 'xsave']
const v4 = [...v3, 'avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl']
const modelFlags: Record<string, string[]> = {
  'x86-64-v2': v2,
  'x86-64-v2-AES': [...v2, 'aes'],
  'x86-64-v3': v3,
  'x86-64-v4': v4,
}
const cpuidNames: Record<string, string> = {
  cx16: 'CPUID.01H:ECX.cx16 [bit 13]',
  lahf_lm: 'CPUID.80000001H:ECX.lahf-lm [bit 0]',
  popcnt: 'CPUID.01H:ECX.popcnt [bit 23]',
  sse4_1: 'CPUID.01H:ECX.sse4.1 [bit 19]',
  sse4_2: 'CPUID.01H:ECX.sse4.2 [bit 20]',
  ssse3: 'CPUID.01H:ECX.ssse3 [bit 9]',
  aes: 'CPUID.01H:ECX.aes [bit 25]',
  avx: 'CPUID.01H:ECX.avx [bit 28]',
  avx2: 'CPUID.07H:EBX.avx2 [bit 5]',
  bmi1: 'CPUID.07H:EBX.bmi1 [bit 3]',
  bmi2: 'CPUID.07H:EBX.bmi2 [bit 8]',
  f16c: 'CPUID.01H:ECX.f16c [bit 29]',
  fma: 'CPUID.01H:ECX.fma [bit 12]',
  abm: 'CPUID.80000001H:ECX.abm [bit 5]',
  movbe: 'CPUID.01H:ECX.movbe [bit 22]',
  xsave: 'CPUID.01H:ECX.xsave [bit 26]',
  avx512f: 'CPUID.07H:EBX.avx512f [bit 16]',
  avx512bw: 'CPUID.07H:EBX.avx512bw [bit 30]',
  avx512cd: 'CPUID.07H:EBX.avx512cd [bit 28]',
  avx512dq: 'CPUID.07H:EBX.avx512dq [bit 17]',
  avx512vl: 'CPUID.07H:EBX.avx512vl [bit 31]',
}

/** The host flags a VM's `cpu` model needs that `node` lacks. */
export function missingCpuFlags(vm: SimVm, node: SimNode): string[] {
  const model = (vm.config.cpu ?? 'kvm64').split(',')[0]?.replace(/^cputype=/, '') ?? 'kvm64'
  const needed = modelFlags[model] ?? []
  return needed.filter((flag) => !node.cpu.flags.includes(flag))
}

export interface PowerOptions {
  print: (line: string) => void
  signal?: AbortSignal
}

/**
 * Boots a stopped VM (the caller holds its lock and has checked it): applies pending changes,
 * regenerates the cloud-init ISO, refuses a CPU model the host cannot run, then it runs.
 */
export async function bootVm(
  sim: SimContext,
  vm: SimVm,
  node: SimNode,
  options: PowerOptions,
): Promise<void> {
  const fault = sim.faults.take('start', vm.vmid)
  applyPending(sim, vm, options.print)
  if (cloudinitKey(vm.config) !== undefined) {
    // the ISO's files are read before it is written: a bad `cicustom` fails the start here
    checkCicustom(sim, vm, node)
    options.print('generating cloud-init ISO')
  }
  for (const warning of checkVmBridges(vm, node)) options.print(warning)
  const missing = missingCpuFlags(vm, node)
  if (missing.length > 0) {
    for (const flag of missing) {
      options.print(
        `kvm: warning: host doesn't support requested feature: ${cpuidNames[flag] ?? flag}`,
      )
    }
    options.print("kvm: Host doesn't support requested features")
    throw new Error('start failed: QEMU exited with code 1')
  }
  await sim.faults.gate('start', vm.vmid, options.signal)
  await sim.pacer.wait(timings.startMs, options.signal)
  if (fault !== undefined) throw new Error(fault)
  vm.power = 'running'
  vm.startedAt = Date.now()
  vm.pid = 1000 + Math.floor(Math.random() * 4_000_000)
  sim.changed()
  sim.events.emit('vm-started', {
    vmid: vm.vmid,
    node: vm.node,
    config: { ...vm.config },
    // the DHCP servers hand out leases as the guest boots; stable per MAC, so known now
    addresses: primaryAddressesOf(sim, vm),
  })
}

/** Marks a VM stopped and tells the listeners. */
export function markStopped(sim: SimContext, vm: SimVm): void {
  vm.power = 'stopped'
  delete vm.startedAt
  delete vm.pid
  sim.changed()
  sim.events.emit('vm-stopped', { vmid: vm.vmid, node: vm.node, config: { ...vm.config } })
}

/** net0's addresses inside the guest (static, leased or SLAAC), for the simulated SSH. */
function primaryAddressesOf(sim: SimContext, vm: SimVm): { ipv4?: string; ipv6: string[] } {
  return primaryAddresses(guestNics(sim, vm))
}
