import type { JobRow } from '../api.js'
import { h } from '../dom.js'

/** Job history: newest first, each with a button to watch it (replay, then follow). */
export function jobRows(
  jobs: readonly JobRow[] | undefined,
  watch: (job: JobRow) => void,
): HTMLElement[] {
  if (jobs === undefined)
    return [
      h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'This service has no job history API.')),
    ]
  if (jobs.length === 0)
    return [h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No jobs yet.'))]
  const sorted = [...jobs].sort((a, b) => (b.created ?? '').localeCompare(a.created ?? ''))
  return sorted
    .slice(0, 50)
    .map((job) =>
      h(
        'tr',
        { 'data-job': job.id },
        h('td', {}, h('code', { title: job.id }, job.id.slice(0, 8))),
        h('td', {}, job.type),
        h('td', { class: 'num' }, job.vmid ?? '-'),
        h('td', { class: 'what' }, job.error ?? job.summary ?? ''),
        h('td', {}, h('span', { class: `state ${job.state}` }, job.state)),
        h('td', {}, job.created === undefined ? '' : new Date(job.created).toLocaleString()),
        h(
          'td',
          {},
          h(
            'button',
            { type: 'button', onclick: () => watch(job), 'aria-label': `Watch job ${job.id}` },
            job.state === 'running' || job.state === 'queued' ? 'Reattach' : 'Replay',
          ),
        ),
      ),
    )
}
