import { h } from '../dom.js'
import { sshCommand, type Progress } from '../stages.js'

export interface WatchedJob {
  title: string
  jobId: string | undefined
  progress: Progress
  state: 'running' | 'succeeded' | 'failed' | 'detached'
  startedAt: number
  /** a failure of the stream itself (not of the job) */
  error: string | undefined
}

const symbols = { running: '', done: '✓', failed: '✗' } as const

/** The watched job: one line per stage with its state and seconds, the log, and the outcome. */
export function progressView(job: WatchedJob, cancel: (jobId: string) => void): HTMLElement[] {
  const { progress } = job
  const stages = h(
    'ol',
    { class: 'stages' },
    ...progress.stages.map((stage) =>
      h(
        'li',
        { class: `stage ${stage.state}`, 'data-step': stage.step },
        h(
          'span',
          { class: 'symbol', 'aria-hidden': 'true' },
          stage.state === 'running' ? h('span', { class: 'spinner' }) : symbols[stage.state],
        ),
        h('span', { class: 'step' }, stage.step),
        h(
          'span',
          { class: 'seconds' },
          stage.seconds === undefined ? '' : `${stage.seconds.toFixed(2)}s`,
        ),
        h('span', { class: 'detail' }, stage.detail),
        stage.output.length === 0 ? null : h('pre', { class: 'output' }, stage.output.join('\n')),
      ),
    ),
  )
  const outcome: HTMLElement[] = []
  if (job.state === 'succeeded') {
    const ssh = sshCommand(progress)
    outcome.push(
      h(
        'div',
        { class: 'outcome ok', role: 'status' },
        h('strong', {}, `✓ ${job.title} finished`),
        ...Object.entries(progress.facts).map(([key, value]) =>
          h('div', {}, h('span', { class: 'key' }, key), ' ', value),
        ),
        ssh === undefined
          ? null
          : h('div', {}, h('span', { class: 'key' }, 'SSH'), ' ', h('code', {}, ssh)),
      ),
    )
  } else if (job.state === 'failed') {
    outcome.push(
      h(
        'div',
        { class: 'outcome failed', role: 'alert' },
        h('strong', {}, '✗ failed: '),
        progress.failure ?? job.error ?? 'unknown error',
      ),
    )
  } else if (job.state === 'detached') {
    outcome.push(
      h(
        'div',
        { class: 'outcome', role: 'status' },
        job.error ?? 'detached; the job goes on in the service',
      ),
    )
  }
  return [
    h(
      'h3',
      {},
      job.title,
      job.jobId === undefined ? null : h('small', { class: 'job-id' }, ` job ${job.jobId}`),
      job.state !== 'running' || job.jobId === undefined
        ? null
        : h(
            'button',
            { type: 'button', class: 'danger cancel', onclick: () => cancel(job.jobId ?? '') },
            'Cancel',
          ),
    ),
    stages,
    ...outcome,
    h(
      'details',
      {},
      h('summary', {}, `Log (${progress.log.length} events)`),
      h('pre', { class: 'log' }, progress.log.join('\n')),
    ),
  ]
}
