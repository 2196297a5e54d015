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
}

export type ReportStep = (event: StepEvent) => void

export interface StepHandle {
  /** `[*] <text>` */
  processing(text: string): void
  /** `[+] <text> (<elapsed>s)` */
  success(text: string): void
  /** `[+] <text>` without elapsed time, for the final facts */
  fact(text: string, extra?: Pick<StepEvent, 'vmId' | 'ip'>): void
  /** `[-] <text>` */
  error(text: string): void
  /** the raw line of a tool or script, indented as the seed shows it */
  line(text: string): void
  elapsedSeconds(): number
}

/** Starts timing a named step; its events go to `report`. `now` is injectable for tests. */
export function beginStep(report: ReportStep, step: string, now: () => number = Date.now): StepHandle {
  const startedAt = now()
  const elapsedSeconds = (): number => (now() - startedAt) / 1000
  const emit = (status: StepStatus, message: string, extra?: Pick<StepEvent, 'vmId' | 'ip'>): void => {
    report({ step, status, message, ...extra })
  }
  return {
    processing: (text) => emit('processing', `[*] ${text}`),
    success: (text) => emit('success', `[+] ${text} (${elapsedSeconds().toFixed(2)}s)`),
    fact: (text, extra) => emit('success', `[*] ${text}`, extra),
    error: (text) => emit('error', `[-] ${text}`),
    line: (text) => emit('processing', `  ${text}`),
    elapsedSeconds,
  }
}
