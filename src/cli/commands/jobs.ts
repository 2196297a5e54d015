import { stringFlag, wholeNumber } from '../args.js'
import { exitCodes } from '../errors.js'
import { formatTable, type Column } from '../output/table.js'
import type { Command } from './command.js'
import { fetchJobs, jobJson, type JobSummary } from './job-summary.js'

function stateColour(state: string): 'green' | 'cyan' | 'red' | 'yellow' | undefined {
  switch (state) {
    case 'succeeded':
      return 'green'
    case 'running':
    case 'queued':
      return 'cyan'
    case 'failed':
      return 'red'
    case 'cancelled':
    case 'interrupted':
      return 'yellow'
    default:
      return undefined
  }
}

function duration(job: JobSummary, now: number): string {
  if (job.createdAt === undefined) return ''
  const start = Date.parse(job.createdAt)
  const end = job.endedAt === undefined ? now : Date.parse(job.endedAt)
  if (Number.isNaN(start) || Number.isNaN(end)) return ''
  const seconds = Math.max(0, (end - start) / 1000)
  return seconds < 60
    ? `${seconds.toFixed(1)}s`
    : `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`
}

function when(iso: string | undefined): string {
  if (iso === undefined) return ''
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString('sv-SE').slice(0, 19)
}

/** `jobs`: recent jobs as a table, with the id to attach to. */
export const jobsCommand: Command = {
  name: 'jobs',
  usage: 'pve-qemu jobs [--state running] [--type install] [--vmid 101] [--json]',
  summary: 'recent jobs (installs, starts, reboots, migrations) and how they ended',
  options: { state: { type: 'string' }, type: { type: 'string' }, vmid: { type: 'string' } },
  async run({ client, out, json, values, signal }) {
    const jobs = await fetchJobs(
      client(),
      {
        state: stringFlag(values, 'state'),
        type: stringFlag(values, 'type'),
        vmid: wholeNumber(stringFlag(values, 'vmid'), '--vmid'),
      },
      signal,
    )
    if (json) {
      out.json(jobs.map(jobJson))
      return exitCodes.ok
    }
    if (jobs.length === 0) {
      out.line('no jobs')
      return exitCodes.ok
    }
    const now = Date.now()
    const columns: Column<JobSummary>[] = [
      { title: 'ID', value: (job) => job.id },
      { title: 'TYPE', value: (job) => job.type },
      {
        title: 'VM',
        value: (job) => (job.vmid === undefined ? '-' : String(job.vmid)),
        align: 'right',
      },
      {
        title: 'STATE',
        value: (job) => job.state,
        paint: (job, text, style) => {
          const colour = stateColour(job.state)
          return colour === undefined ? text : style.paint(colour, text)
        },
      },
      { title: 'STARTED', value: (job) => when(job.createdAt) },
      { title: 'TOOK', value: (job) => duration(job, now), align: 'right' },
      { title: 'WHAT', value: (job) => job.error ?? job.summary ?? '' },
    ]
    for (const line of formatTable(jobs, columns, out.style)) out.line(line)
    return exitCodes.ok
  },
}
