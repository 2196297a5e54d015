import { h } from '../dom.js'
import { overallProgress, sshCommand, type Progress } from '../stages.js'

export interface WatchedJob {
  /** which card this is, stable while the page lives */
  key: number
  title: string
  /** install, start, reboot, migrate: the stages the ETA is drawn from */
  type: string
  jobId: string | undefined
  progress: Progress
  state: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'detached'
  startedAt: number
  /** when the current stage began, for the ETA */
  stageSince: number
  /** a failure of the stream itself (not of the job) */
  error: string | undefined
  /** the password fetched with the credentials button, shown in this card only */
  credentials: Record<string, string> | undefined
}

export interface ProgressActions {
  cancel(jobId: string): void
  close(key: number): void
  credentials(job: WatchedJob): void
}

function eta(seconds: number | undefined): string {
  if (seconds === undefined) return ''
  if (seconds < 1) return 'almost done'
  if (seconds < 60) return `about ${Math.ceil(seconds)} s left`
  return `about ${Math.ceil(seconds / 60)} min left`
}

/** Every watched job as its own card, newest first; none replaces another. */
export function progressCards(
  jobs: readonly WatchedJob[],
  estimates: Record<string, { step: string; seconds: number }[]>,
  actions: ProgressActions,
  now: number,
): HTMLElement[] {
  if (jobs.length === 0)
    return [
      h(
        'p',
        { class: 'empty' },
        'Install a VM, start or reboot one, or replay a job to watch it here.',
      ),
    ]
  return [...jobs]
    .reverse()
    .map((job) =>
      h(
        'article',
        { class: `watch ${job.state}`, 'data-watch': job.key, 'data-job': job.jobId ?? '' },
        ...progressView(job, estimates[job.type], actions, now),
      ),
    )
}

const symbols = { running: '', done: '✓', failed: '✗' } as const

/**
 * The watched job: an overall bar with an ETA, one line per stage with its state and seconds,
 * the outcome, and the log.
 */
export function progressView(
  job: WatchedJob,
  estimate: { step: string; seconds: number }[] | undefined,
  actions: ProgressActions,
  now: number,
): HTMLElement[] {
  const { progress } = job
  const overall = overallProgress(
    progress,
    estimate,
    (now - job.stageSince) / 1000,
    job.state === 'succeeded',
  )
  const percent = Math.round(overall.fraction * 100)
  const bar = h(
    'div',
    { class: 'overall' },
    h(
      'div',
      {
        class: 'bar',
        role: 'progressbar',
        'aria-label': `${job.title} progress`,
        'aria-valuemin': 0,
        'aria-valuemax': 100,
        'aria-valuenow': percent,
      },
      h('div', {
        class: `bar-fill ${job.state === 'failed' ? 'high' : 'low'}`,
        style: `width: ${percent}%`,
      }),
    ),
    h(
      'span',
      { class: 'bar-text' },
      `${progress.stage}/${progress.stageCount ?? '?'} · ${percent}%`,
      job.state === 'running' ? ` · ${eta(overall.etaSeconds)}` : '',
    ),
  )
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
        ...Object.entries(job.credentials ?? {})
          .filter(([key]) => key === 'password')
          .map(([, value]) =>
            h(
              'div',
              { class: 'password' },
              h('span', { class: 'key' }, 'Password'),
              ' ',
              h('code', {}, value),
            ),
          ),
        progress.passwordWithheld && job.credentials === undefined && job.jobId !== undefined
          ? h(
              'button',
              { type: 'button', class: 'credentials', onclick: () => actions.credentials(job) },
              'Show password (once)',
            )
          : null,
      ),
    )
  } else if (job.state === 'cancelled') {
    outcome.push(
      h(
        'div',
        { class: 'outcome cancelled', role: 'status' },
        h('strong', {}, '⊘ cancelled: '),
        (progress.failure ?? job.error ?? 'cancelled').replace(/^[^:]*: /, ''),
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
            {
              type: 'button',
              class: 'danger cancel',
              onclick: () => actions.cancel(job.jobId ?? ''),
            },
            'Cancel',
          ),
      job.state === 'running'
        ? null
        : h(
            'button',
            {
              type: 'button',
              class: 'close',
              onclick: () => actions.close(job.key),
              'aria-label': `Close ${job.title}`,
            },
            '×',
          ),
    ),
    bar,
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
