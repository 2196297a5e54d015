import type { Output } from '../output/output.js'
import type { StageBoard } from './stage-board.js'

/** The closing lines of an install: where the VM is and the command to log in. */
export function printInstallSummary(board: StageBoard, out: Output): void {
  const { facts } = board
  const { style } = out
  const vmId = facts.vmId ?? facts.values.get('VMID')
  const ip = facts.ip ?? facts.values.get('IP')
  const user = facts.values.get('User')
  const total = board.stages.find((stage) => stage.label === 'finalizing')?.detail
  out.line()
  out.line(
    style.paint('green', `✓ VM ${vmId ?? '?'} is ready${total === undefined ? '' : ` — ${total}`}`),
  )
  const rows: [string, string | undefined][] = [
    ['VMID', vmId === undefined ? undefined : String(vmId)],
    ['IP', ip],
    ['User', user],
  ]
  for (const [key, value] of facts.values) {
    if (!['VMID', 'IP', 'User'].includes(key)) rows.push([key, value])
  }
  for (const [key, value] of rows) {
    if (value === undefined) continue
    const once = key === 'Password' ? style.paint('dim', '  (generated; not stored anywhere)') : ''
    out.line(`  ${key.padEnd(9)} ${value}${once}`)
  }
  const ssh =
    facts.result?.ssh ??
    (ip === undefined ? undefined : `ssh ${user === undefined ? ip : `${user}@${ip}`}`)
  if (ssh !== undefined) out.line(`  ${'SSH'.padEnd(9)} ${style.paint('bold', ssh)}`)
}

/** The closing line of a failed job: which stage, what it said, and the job to look at. */
export function printFailure(board: StageBoard, out: Output, jobId: string | undefined): void {
  const failure = board.failure
  const where = failure === undefined ? 'failed' : `${failure.stage.step} failed`
  out.note(out.style.paint('red', `✗ ${where}: ${failure?.message ?? 'unknown error'}`))
  if (jobId !== undefined) out.note(`  job ${jobId} (pve-qemu jobs, pve-qemu attach ${jobId})`)
}

/** The closing line of a cancelled job: not a failure, and what the rollback did. */
export function printCancelled(board: StageBoard, out: Output, jobId: string | undefined): void {
  const message = board.failure?.message ?? 'cancelled'
  out.note(out.style.paint('yellow', `⊘ cancelled: ${message.replace(/^install cancelled; /, '')}`))
  if (jobId !== undefined) out.note(`  job ${jobId} (pve-qemu attach ${jobId} shows it)`)
}
