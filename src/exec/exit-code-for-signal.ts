const signalNumbers: Record<string, number> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ABRT: 6,
  KILL: 9,
  SEGV: 11,
  PIPE: 13,
  TERM: 15,
}

/** The shell's convention for a process a signal ended: 128 + the signal's number. Takes
 * `SIGTERM` or, as SSH reports it, `TERM`. */
export function exitCodeForSignal(signal: string | null): number {
  if (signal === null) return 255
  const number = signalNumbers[signal.replace(/^SIG/, '')]
  return number === undefined ? 255 : 128 + number
}
