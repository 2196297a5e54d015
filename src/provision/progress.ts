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
  /** shown only to the stream that started the job, never stored or replayed (a password) */
  sensitive?: boolean
  /** a download's bytes so far and its expected size, when known */
  bytes?: number
  total?: number
  /** on the final event of a successful install: where the VM is and how to log in */
  result?: InstallResult
}

/** What a finished install made, for programs: the last event of an install carries it. */
export interface InstallResult {
  vmid: number
  ip: string
  node: string
  user: string
  /** the exact login command, with the port when it is not 22 */
  ssh: string
  /** the network it joined (installs on a named network; the seed's scheme leaves it out) */
  network?: string
  /** every address, IPv4 first (installs on a named network) */
  addresses?: string[]
}

type EventExtra = Pick<StepEvent, 'vmId' | 'ip' | 'sensitive' | 'bytes' | 'total' | 'result'>

export type ReportStep = (event: StepEvent) => void

export interface StepHandle {
  readonly name: string
  /** `[*] <text>` */
  processing(text: string, extra?: EventExtra): void
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
    processing: (text, extra) => emit('processing', `[*] ${text}`, extra),
    success: (text) => emit('success', `[+] ${text} (${elapsedSeconds().toFixed(2)}s)`),
    fact: (text, extra) => emit('success', `[*] ${text}`, extra),
    error: (text) => emit('error', `[-] ${text}`),
    line: (text) => emit('processing', `  ${text}`),
    elapsedSeconds,
  }
}
