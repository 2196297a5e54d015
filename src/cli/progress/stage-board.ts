import type { InstallResult, JobEvent } from '../api/job-event.js'
import { classifyEvent } from './classify-event.js'

export type StageState = 'running' | 'done' | 'failed'

export interface StageView {
  /** the seed's step name, e.g. `preparation > checking VMID` */
  readonly step: string
  /** the part before ` > `, when the step has one (`preparation`) */
  readonly group: string | undefined
  /** the part after ` > ` (`checking VMID`), or the whole step */
  readonly label: string
  state: StageState
  /** the latest note, or the done/failed text */
  detail: string | undefined
  /** the stage's own elapsed seconds: as the service reported them, else as seen here */
  seconds: number | undefined
  readonly startedAt: number
}

/** A change the display draws; `stage` is the board's live view of the stage. */
export type BoardChange =
  | { kind: 'started'; stage: StageView }
  | { kind: 'note'; stage: StageView }
  | { kind: 'output'; stage: StageView; text: string }
  | { kind: 'ended'; stage: StageView }
  | { kind: 'fact'; text: string }

/** What the job told at its end: the seed's `Key: value` facts and the rest. */
export interface JobFacts {
  vmId: number | undefined
  ip: string | undefined
  values: Map<string, string>
  /** facts without a key, e.g. `VM started successfully` */
  notes: string[]
  /** what a finished install made (its last event's `result`) */
  result: InstallResult | undefined
}

/**
 * Folds a job's events into one view per stage, in order: running, done or failed, with its
 * latest note and elapsed seconds; plus the job's closing facts and its failure, if any.
 */
export interface StageBoard {
  apply(event: JobEvent): BoardChange[]
  readonly stages: readonly StageView[]
  readonly facts: JobFacts
  /** the failed stage and its message, once a `[-]` event arrived */
  readonly failure: { stage: StageView; message: string } | undefined
}

export function createStageBoard(now: () => number = Date.now): StageBoard {
  const stages: StageView[] = []
  const facts: JobFacts = {
    vmId: undefined,
    ip: undefined,
    values: new Map(),
    notes: [],
    result: undefined,
  }
  let failure: StageBoard['failure']
  // a stage runs from the end of the one before: most report only when they are done
  let lastEnded: number | undefined

  const end = (stage: StageView, state: StageState, seconds: number | undefined): void => {
    stage.state = state
    lastEnded = now()
    stage.seconds = seconds ?? (lastEnded - stage.startedAt) / 1000
  }

  return {
    get stages() {
      return stages
    },
    facts,
    get failure() {
      return failure
    },
    apply(received) {
      const event = withFailedStage(received)
      const changes: BoardChange[] = []
      if (event.vm_id !== undefined) facts.vmId = event.vm_id
      if (event.ip !== undefined) facts.ip = event.ip
      if (event.result !== undefined) facts.result = event.result
      let stage = stages.at(-1)
      if (stage?.step !== event.step) {
        if (stage?.state === 'running') {
          end(stage, 'done', undefined)
          changes.push({ kind: 'ended', stage })
        }
        stage = newStage(event.step, lastEnded ?? now())
        stages.push(stage)
        changes.push({ kind: 'started', stage })
      }
      const meaning = classifyEvent(event)
      switch (meaning.kind) {
        case 'note':
          stage.detail = meaning.text
          changes.push({ kind: 'note', stage })
          break
        case 'output':
          changes.push({ kind: 'output', stage, text: meaning.text })
          break
        case 'done':
          if (stage.state === 'running') {
            stage.detail = meaning.text
            end(stage, 'done', meaning.seconds)
            changes.push({ kind: 'ended', stage })
          }
          break
        case 'fact': {
          if (stage.state === 'running') {
            end(stage, 'done', undefined)
            changes.push({ kind: 'ended', stage })
          }
          recordFact(facts, meaning.text)
          changes.push({ kind: 'fact', text: meaning.text })
          break
        }
        case 'failed':
          stage.detail = meaning.text
          if (stage.state === 'running') end(stage, 'failed', undefined)
          else stage.state = 'failed'
          failure = { stage, message: meaning.text }
          changes.push({ kind: 'ended', stage })
          break
      }
      return changes
    },
  }
}

function newStage(step: string, startedAt: number): StageView {
  const split = step.indexOf(' > ')
  return {
    step,
    group: split === -1 ? undefined : step.slice(0, split),
    label: split === -1 ? step : step.slice(split + 3),
    state: 'running',
    detail: undefined,
    seconds: undefined,
    startedAt,
  }
}

const keyed = /^([A-Za-z][A-Za-z ]{0,20}):\s+(.+)$/

function recordFact(facts: JobFacts, text: string): void {
  const match = keyed.exec(text)
  if (match?.[1] !== undefined && match[2] !== undefined) facts.values.set(match[1], match[2])
  else facts.notes.push(text)
}

const failedStage = /^\[-\] (\S[^:]* > [^:]+?) failed: (.*)$/s

/**
 * A failure event names its stage in the message (`[-] VM creation > creating VM failed: ...`)
 * even when it comes under the previous step, as when a stage fails before reporting anything;
 * the display puts it under the stage that failed.
 */
function withFailedStage(event: JobEvent): JobEvent {
  if (event.status !== 'error') return event
  const match = failedStage.exec(event.message)
  // the stage is named once, by the step; the message keeps only what went wrong
  if (match?.[1] === undefined || match[2] === undefined) return event
  return { ...event, step: match[1], message: `[-] ${match[2]}` }
}
