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
    const once = key === 'Password' ? style.paint('dim', '  (generated; shown only this once)') : ''
    out.line(`  ${key.padEnd(9)} ${value}${once}`)
  }
  if (ip !== undefined) {
    const login = user === undefined ? ip : `${user}@${ip}`
    out.line(`  ${'SSH'.padEnd(9)} ${style.paint('bold', `ssh ${login}`)}`)
  }
}

/** The closing line of a failed job: which stage, what it said, and the job to look at. */
export function printFailure(board: StageBoard, out: Output, jobId: string | undefined): void {
  const failure = board.failure
  const where = failure === undefined ? 'failed' : `${failure.stage.step} failed`
  out.note(out.style.paint('red', `✗ ${where}: ${failure?.message ?? 'unknown error'}`))
  if (jobId !== undefined) out.note(`  job ${jobId} (pve-qemu jobs, pve-qemu attach ${jobId})`)
}
