import { randomUUID } from 'node:crypto'
import { describeError } from '../errors.js'
import { ownershipStamp, removeOwnVm } from '../provision/own-vm.js'
import type { Cluster } from '../pve/cluster.js'
import { driverChecks, firstScratchCheck, type ConformanceContext } from './driver-checks.js'

export interface ConformanceOptions {
  cluster: Cluster
  /** where the scratch VM is created (`MAIN_NODE`) */
  node: string
  /** the scratch VM's id (`CONFORMANCE_VMID`); refused when it exists */
  vmid: number
  /** `ASSIGN_STORAGE` */
  storage: string
  /** the migration target; default the first other online node */
  otherNode?: string | undefined
  /** the scratch VM boots an OS that honours ACPI (only the simulator's does) */
  guestOs: boolean
  /** told about each result as it comes */
  onResult?: (result: CheckResult) => void
}

export interface CheckResult {
  name: string
  outcome: 'passed' | 'failed' | 'skipped'
  /** Proxmox's words (an expected refusal, a failure) or why the check was skipped */
  detail: string | undefined
}

export type ConformanceReport =
  { kind: 'refused'; reason: string } | { kind: 'ran'; results: CheckResult[]; cleanup: string }

/**
 * Runs the driver checks against a cluster: reads everywhere, changes only a scratch VM in a
 * VMID the caller names, which must not exist. The VM carries a stamp naming this run, and is
 * destroyed at the end (whatever failed) only if it still carries that stamp.
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const { cluster, node, vmid } = options
  const { vms, nodes } = await cluster.resources()
  const taken = vms.find((vm) => vm.vmid === vmid)
  if (taken !== undefined) {
    return {
      kind: 'refused',
      reason: `VMID ${vmid} exists (on ${taken.node}); name a free VMID in CONFORMANCE_VMID: the run creates and destroys a VM there`,
    }
  }
  if (!nodes.some((entry) => entry.node === node)) {
    return { kind: 'refused', reason: `no node ${node} in the cluster (MAIN_NODE)` }
  }
  const otherNode =
    options.otherNode ??
    nodes
      .filter((entry) => entry.node !== node && entry.status === 'online')
      .map((entry) => entry.node)
      .sort()[0]
  const runId = `conformance-${randomUUID()}`
  const ctx: ConformanceContext = {
    cluster,
    node,
    otherNode,
    vmid,
    storage: options.storage,
    stamp: ownershipStamp(runId),
    guestOs: options.guestOs,
    vmNode: node,
  }
  const results: CheckResult[] = []
  let scratchMissing = false
  for (const check of driverChecks) {
    const skipped =
      scratchMissing && check.name !== firstScratchCheck
        ? 'the scratch VM could not be created'
        : check.skip?.(ctx)
    let result: CheckResult
    if (skipped !== undefined) {
      result = { name: check.name, outcome: 'skipped', detail: skipped }
    } else {
      try {
        result = { name: check.name, outcome: 'passed', detail: await check.run(ctx) }
      } catch (error) {
        result = { name: check.name, outcome: 'failed', detail: describeError(error) }
        if (check.name === firstScratchCheck) scratchMissing = true
      }
    }
    results.push(result)
    options.onResult?.(result)
    if (check.name === firstScratchCheck && result.outcome !== 'passed') scratchMissing = true
  }
  return { kind: 'ran', results, cleanup: await cleanUp(cluster, vmid, ctx.vmNode, runId) }
}

/** Removes the scratch VM if a check left it, and only if it carries this run's stamp. */
async function cleanUp(
  cluster: Cluster,
  vmid: number,
  node: string,
  runId: string,
): Promise<string> {
  try {
    const vm = (await cluster.resources()).vms.find((entry) => entry.vmid === vmid)
    if (vm === undefined) return `nothing left: VM ${vmid} does not exist`
    const outcome = await removeOwnVm(cluster, { node: vm.node, vmid, jobId: runId })
    if (outcome === 'gone') return `nothing left: VM ${vmid} does not exist`
    if (outcome === 'not-ours') {
      return `VM ${vmid} on ${vm.node} does not carry this run's stamp; it was left alone`
    }
    return `scratch VM ${vmid} removed from ${vm.node}`
  } catch (error) {
    return `could not remove scratch VM ${vmid} (on ${node}): ${describeError(error)}; remove it by hand`
  }
}

/** 0 when every check passed or was skipped, 1 when one failed, 2 when the run was refused. */
export function exitCodeOf(report: ConformanceReport): number {
  if (report.kind === 'refused') return 2
  return report.results.some((result) => result.outcome === 'failed') ? 1 : 0
}
