/**
 * How provisioning tells the world what it is doing: one event per step change, in the seed's
 * wording (`[*]` started, `[+]` done with elapsed seconds, `[-]` failed). Provisioning knows
 * nothing of SSE or jobs; whoever runs it decides where events go.
 */
export type StepStatus = 'processing' | 'success' | 'error'

export interface StepEvent {
  step: string
  status: StepStatus
  message: string
  vmId?: number
  ip?: string
  /** shown to whoever watches live, never stored or replayed (a generated password) */
  sensitive?: boolean
}

type EventExtra = Pick<StepEvent, 'vmId' | 'ip' | 'sensitive'>

export type ReportStep = (event: StepEvent) => void

export interface StepHandle {
  readonly name: string
  /** `[*] <text>` */
  processing(text: string): void
  /** `[+] <text> (<elapsed>s)` */
  success(text: string): void
  /** `[+] <text>` without elapsed time */
  done(text: string, extra?: EventExtra): void
  /** `[*] <text>` as a success event, for the final facts */
  fact(text: string, extra?: EventExtra): void
  /** `[-] <text>` */
  error(text: string): void
  /** the raw line of a tool or script, indented as the seed shows it */
  line(text: string): void
  elapsedSeconds(): number
}

/** Starts timing a named step; its events go to `report`. `now` is injectable for tests. */
export function beginStep(
  report: ReportStep,
  step: string,
  now: () => number = Date.now,
): StepHandle {
  const startedAt = now()
  const elapsedSeconds = (): number => (now() - startedAt) / 1000
  const emit = (status: StepStatus, message: string, extra?: EventExtra): void => {
    report({ step, status, message, ...extra })
  }
  return {
    name: step,
    done: (text, extra) => emit('success', `[+] ${text}`, extra),
    processing: (text) => emit('processing', `[*] ${text}`),
    success: (text) => emit('success', `[+] ${text} (${elapsedSeconds().toFixed(2)}s)`),
    fact: (text, extra) => emit('success', `[*] ${text}`, extra),
    error: (text) => emit('error', `[-] ${text}`),
    line: (text) => emit('processing', `  ${text}`),
    elapsedSeconds,
  }
}
