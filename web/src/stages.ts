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
}

export function emptyProgress(): Progress {
  return { stages: [], facts: {}, vmId: undefined, ip: undefined, failure: undefined, log: [] }
}

const elapsed = /\s*\((\d+(?:\.\d+)?)s\)$/
const fact = /^([A-Za-z][A-Za-z ]{0,20}):\s+(.+)$/

/** Applies one event to `progress` (in place) and returns it. */
export function applyEvent(progress: Progress, received: WireEvent): Progress {
  const event = withFailedStage(received)
  if (event.vm_id !== undefined) progress.vmId = event.vm_id
  if (event.ip !== undefined) progress.ip = event.ip
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
      if (match?.[1] !== undefined && match[2] !== undefined) progress.facts[match[1]] = match[2]
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
