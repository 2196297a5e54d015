import type { Output } from '../output/output.js'

/** The parts of a dry-run plan (`POST /api/vm/install` with `dry_run`) this prints. */
interface PlanView {
  vm_id?: number
  ip?: string
  network?: string
  addressing?: string
  node?: string
  storage?: string
  cpu_type?: string
  cpu?: number
  ram_mb?: number
  disk_gb?: number
  image?: { url?: string; cached?: boolean; size_bytes?: number | null }
  template?: { note?: string }
  reboot?: string
  stages?: { step?: string; estimate_seconds?: number | null }[]
  commands?: string[]
  estimate?: { seconds?: number; from_installs?: number }
  problems?: string[]
}

function isPlan(value: unknown): value is PlanView {
  return typeof value === 'object' && value !== null && 'vm_id' in value
}

/** `pve-qemu install --dry-run`: what the install would do, as readable lines. */
export function printPlan(plan: unknown, out: Output): void {
  if (!isPlan(plan)) {
    out.json(plan)
    return
  }
  const mb = (bytes: number | null | undefined): string =>
    bytes === null || bytes === undefined ? 'size unknown' : `${(bytes / 1024 ** 2).toFixed(1)} MB`
  out.line(
    `VMID ${String(plan.vm_id)}, IP ${plan.ip === undefined || plan.ip === '' ? 'assigned at install' : plan.ip} on ${plan.node ?? '?'} (${plan.storage ?? '?'})`,
  )
  if (plan.network !== undefined)
    out.line(
      `network: ${plan.network}${plan.addressing === undefined ? '' : `, ${plan.addressing}`}`,
    )
  out.line(
    `${String(plan.cpu)} vCPU (${plan.cpu_type ?? '?'}), ${String(plan.ram_mb)} MB RAM, ${String(plan.disk_gb)}G disk`,
  )
  const image = plan.image
  out.line(`image: ${image?.cached === true ? 'cached' : 'to download'}, ${mb(image?.size_bytes)}`)
  out.line(`disk: ${plan.template?.note ?? '?'}`)
  out.line(`reboot: ${plan.reboot ?? '?'}`)
  out.line('stages:')
  for (const stage of plan.stages ?? []) {
    const seconds = stage.estimate_seconds
    out.line(
      `  ${stage.step ?? '?'}${seconds === null || seconds === undefined ? '' : ` ~${seconds.toFixed(1)}s`}`,
    )
  }
  if (plan.commands !== undefined) {
    out.line('Proxmox commands:')
    for (const command of plan.commands) out.line(`  ${command}`)
  }
  const estimate = plan.estimate
  if (estimate?.from_installs === 0) out.line('estimate: no earlier install recorded yet')
  else
    out.line(
      `estimate: ~${(estimate?.seconds ?? 0).toFixed(0)}s (from ${String(estimate?.from_installs ?? 0)} earlier installs)`,
    )
  for (const problem of plan.problems ?? []) out.line(`problem: ${problem}`)
}
