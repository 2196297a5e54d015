import { defaultBridges } from '../network/bridges.js'
import type { NodeCpu, SimNode, SimStorage } from './types.js'

const GiB = 1024 ** 3

/** The cluster members when the caller names none. */
export const defaultNodes: readonly { name: string; ip: string }[] = [
  { name: 'pve1', ip: '127.0.1.1' },
  { name: 'pve2', ip: '127.0.1.2' },
  { name: 'pve3', ip: '127.0.1.3' },
]

/** What `pveversion` and the kernel say on every simulated node. */
export const nodeSoftware = {
  pveversion: 'pve-manager/9.1.2/9d436f37a0ac4172',
  kernelRelease: '6.17.2-1-pve',
  kernelVersion: '#1 SMP PREEMPT_DYNAMIC PMX 6.17.2-1 (2025-10-21T11:55Z)',
  qemuVersion: '10.1.2',
  machine: 'pc-i440fx-10.1+pve0',
}

/** A Zen 3 server's /proc/cpuinfo flags: x86-64-v3 and AES, no AVX-512 (x86-64-v4). */
export const defaultCpuFlags: readonly string[] = (
  'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse ' +
  'sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl nonstop_tsc ' +
  'cpuid extd_apicid aperfmperf rapl pni pclmulqdq monitor ssse3 fma cx16 pcid sse4_1 sse4_2 ' +
  'x2apic movbe popcnt aes xsave avx f16c rdrand lahf_lm cmp_legacy svm extapic cr8_legacy abm ' +
  'sse4a misalignsse 3dnowprefetch osvw ibs skinit wdt tce topoext perfctr_core perfctr_nb bpext ' +
  'perfctr_llc mwaitx cpb cat_l3 cdp_l3 hw_pstate ssbd mba ibrs ibpb stibp vmmcall fsgsbase bmi1 ' +
  'avx2 smep bmi2 invpcid cqm rdt_a rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec ' +
  'xgetbv1 xsaves cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local clzero irperf xsaveerptr ' +
  'rdpru wbnoinvd arat npt lbrv svm_lock nrip_save tsc_scale vmcb_clean flushbyasid ' +
  'decodeassists pausefilter pfthreshold v_vmsave_vmload vgif v_spec_ctrl umip pku ospke vaes ' +
  'vpclmulqdq rdpid overflow_recov succor smca fsrm'
).split(' ')

function defaultCpu(flags: readonly string[]): NodeCpu {
  return {
    model: 'AMD EPYC 7313P 16-Core Processor',
    sockets: 1,
    cores: 16,
    cpus: 32,
    mhz: '3000.000',
    flags: [...flags],
  }
}

/** The two storages of a fresh PVE install: `local` (dir) and `local-lvm` (LVM-thin). */
export function defaultStorages(): SimStorage[] {
  return [
    {
      id: 'local',
      type: 'dir',
      content: ['backup', 'import', 'iso', 'snippets', 'vztmpl'],
      shared: false,
      enabled: true,
      total: 100 * GiB,
      baseUsed: Math.round(8.6 * GiB),
      path: '/var/lib/vz',
    },
    {
      id: 'local-lvm',
      type: 'lvmthin',
      content: ['images', 'rootdir'],
      shared: false,
      enabled: true,
      total: 500 * GiB,
      baseUsed: 0,
    },
  ]
}

/**
 * The opt-in shared storage (simulator option `sharedStorage`): an NFS export every node mounts
 * at `/mnt/pve/<id>`, as a home lab adds it under Datacenter > Storage > Add > NFS. NFS rather
 * than RBD because it is what home users have, and because its disks are files like `local`'s
 * (qcow2, so templates link-clone as qcow2 overlays, pve.md §2.9, §10.9). pve-storage marks
 * every NFS storage shared (PVE/Storage/Plugin.pm `@SHARED_STORAGE`), mounts it at
 * `/mnt/pve/<id>` (NFSPlugin.pm `check_config`) and lets it hold images, rootdir, vztmpl, iso,
 * backup, snippets and import (NFSPlugin.pm `plugindata`): this one holds VM disks, ISO and
 * import images and snippets (cloud-init files every node can read).
 */
export function sharedNfsStorage(id: string): SimStorage {
  return {
    id,
    type: 'nfs',
    content: ['images', 'import', 'iso', 'snippets'],
    shared: true,
    enabled: true,
    total: 2048 * GiB,
    baseUsed: Math.round(312.4 * GiB),
    path: `/mnt/pve/${id}`,
  }
}

/** A node as a fresh install on the default hardware, booted `index + 3` days before `now`. */
export function buildNode(
  spec: { name: string; ip: string },
  index: number,
  now: number,
  cpuFlags?: readonly string[],
): SimNode {
  return {
    name: spec.name,
    ip: spec.ip,
    online: true,
    bootTime: now - (index + 3) * 86_400_000 - index * 3_723_000,
    cpu: defaultCpu(cpuFlags ?? defaultCpuFlags),
    memoryTotal: 128 * GiB,
    memoryBase: Math.round(3.2 * GiB),
    rootfsTotal: 100 * GiB,
    rootfsUsed: Math.round(8.6 * GiB),
    storages: defaultStorages(),
    bridges: defaultBridges(spec.ip, '127.0.0.1'),
  }
}
