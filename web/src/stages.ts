/**
 * A job's events folded into one entry per stage, for the progress panel. Pure: no DOM, so the
 * tests run it directly. Follows the seed's message style: `[*]` note, `[+]` done with
 * `(N.NNs)`, `[-]` failed, indented lines are tool or script output.
 */

export interface WireEvent {
  step: string
  status: 'processing' | 'success' | 'error'
  message: string
  vm_id?: number
  ip?: string
  job_id?: string
  /** which stage of `stages` this is (0 while waiting in line) */
  stage?: number
  stages?: number
  /** the last event of an install: how to log in */
  result?: { ssh: string }
}

export type StageState = 'running' | 'done' | 'failed'

export interface Stage {
  step: string
  state: StageState
  detail: string
  /** as reported by the service (`(0.42s)`), when it said */
  seconds: number | undefined
  output: string[]
}

export interface Progress {
  stages: Stage[]
  /** `Key: value` facts of the end (VMID, IP, User, Password) */
  facts: Record<string, string>
  vmId: number | undefined
  ip: string | undefined
  failure: string | undefined
  /** every message, as a log */
  log: string[]
  /** the latest stage number and the total, as the events count them */
  stage: number
  stageCount: number | undefined
  /** the exact login command, from the install's result */
  ssh: string | undefined
  /** the password was not shown here (a replay, another client): its owner can fetch it once */
  passwordWithheld: boolean
}

export function emptyProgress(): Progress {
  return {
    stages: [],
    facts: {},
    vmId: undefined,
    ip: undefined,
    failure: undefined,
    log: [],
    stage: 0,
    stageCount: undefined,
    ssh: undefined,
    passwordWithheld: false,
  }
}

const elapsed = /\s*\((\d+(?:\.\d+)?)s\)$/
const fact = /^([A-Za-z][A-Za-z ]{0,20}):\s+(.+)$/

/** Applies one event to `progress` (in place) and returns it. */
export function applyEvent(progress: Progress, received: WireEvent): Progress {
  const event = withFailedStage(received)
  if (event.vm_id !== undefined) progress.vmId = event.vm_id
  if (event.ip !== undefined) progress.ip = event.ip
  if (event.stage !== undefined) progress.stage = Math.max(progress.stage, event.stage)
  if (event.stages !== undefined) progress.stageCount = event.stages
  if (event.result !== undefined) progress.ssh = event.result.ssh
  if (event.message.startsWith('[*] Password: (not stored')) progress.passwordWithheld = true
  progress.log.push(`${event.step}: ${event.message}`)
  let stage = progress.stages.at(-1)
  if (stage?.step !== event.step) {
    if (stage?.state === 'running') stage.state = 'done'
    stage = { step: event.step, state: 'running', detail: '', seconds: undefined, output: [] }
    progress.stages.push(stage)
  }
  const { message } = event
  if (event.status === 'error') {
    stage.state = 'failed'
    stage.detail = message.replace(/^\[-\]\s*/, '')
    progress.failure = `${event.step}: ${stage.detail}`
  } else if (message.startsWith('[+]')) {
    if (stage.state === 'running') {
      const text = message.slice(3).trim()
      const match = elapsed.exec(text)
      stage.state = 'done'
      stage.detail = match === null ? text : text.slice(0, match.index)
      stage.seconds = match === null ? undefined : Number(match[1])
    }
  } else if (message.startsWith('[*]')) {
    const text = message.slice(3).trim()
    if (event.status === 'success') {
      if (stage.state === 'running') stage.state = 'done'
      const match = fact.exec(text)
      if (match?.[1] !== undefined && match[2] !== undefined && !progress.passwordWithheld)
        progress.facts[match[1]] = match[2]
      else if (match?.[1] !== undefined && match[2] !== undefined && match[1] !== 'Password')
        progress.facts[match[1]] = match[2]
      else if (stage.detail === '') stage.detail = text
    } else {
      stage.detail = text
    }
  } else {
    stage.output.push(message.replace(/^ {2}/, '').trimEnd())
  }
  return progress
}

/** The login command of a finished install, when it told its IP. */
export function sshCommand(progress: Progress): string | undefined {
  if (progress.ssh !== undefined) return progress.ssh
  const ip = progress.ip ?? progress.facts.IP
  if (ip === undefined) return undefined
  const user = progress.facts.User
  return user === undefined ? `ssh ${ip}` : `ssh ${user}@${ip}`
}

const failedStage = /^\[-\] (\S[^:]* > [^:]+?) failed: (.*)$/s

/**
 * A failure names its stage in the message (`[-] VM creation > creating VM failed: ...`) even
 * when it arrives under the previous step (a stage that failed before reporting anything).
 */
function withFailedStage(event: WireEvent): WireEvent {
  if (event.status !== 'error') return event
  const match = failedStage.exec(event.message)
  // the stage is named once, by the step; the message keeps only what went wrong
  if (match?.[1] === undefined || match[2] === undefined) return event
  return { ...event, step: match[1], message: `[-] ${match[2]}` }
}

/**
 * How far a job is, 0..1, and the seconds it probably still needs: the recorded median time of
 * each stage still to come plus what is left of the current one. `estimate` lists the job
 * type's stages in order; without figures, the stage count alone gives the fraction.
 */
export function overallProgress(
  progress: Progress,
  estimate: readonly { step: string; seconds: number }[] | undefined,
  secondsInStage: number,
  finished: boolean,
): { fraction: number; etaSeconds: number | undefined } {
  if (finished) return { fraction: 1, etaSeconds: 0 }
  const count = progress.stageCount ?? estimate?.length ?? 0
  if (count === 0) return { fraction: 0, etaSeconds: undefined }
  const current = Math.max(progress.stage, 1)
  const measured = estimate?.some((stage) => stage.seconds > 0) === true ? estimate : undefined
  if (measured === undefined) return { fraction: (current - 1) / count, etaSeconds: undefined }
  return remaining(measured, current, secondsInStage)
}

function remaining(
  estimate: readonly { step: string; seconds: number }[],
  current: number,
  secondsInStage: number,
): { fraction: number; etaSeconds: number | undefined } {
  const total = estimate.reduce((sum, stage) => sum + stage.seconds, 0)
  const done = estimate.slice(0, current - 1).reduce((sum, stage) => sum + stage.seconds, 0)
  const here = estimate[current - 1]?.seconds ?? 0
  const inStage = Math.min(secondsInStage, here)
  const left = Math.max(0, total - done - inStage)
  return { fraction: total === 0 ? 0 : Math.min(1, (done + inStage) / total), etaSeconds: left }
}
