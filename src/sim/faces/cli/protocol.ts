/**
 * What the fake `qm`/`pvesh`/`pvesm` executables (bin/sim) and the face exchange over the Unix
 * socket named by `PVE_SIM_SOCKET`, one JSON object per line. The client sends one request; the
 * face answers with output lines as they come and ends with the exit status.
 */

export interface CliRequest {
  tool: string
  argv: string[]
  /** `PVE_SIM_NODE`: the node the tool "runs on" */
  node?: string
  /** the client's working directory, for relative file arguments */
  cwd?: string
  /** the client's stdin, base64 (empty for a terminal: read only when asked, see `readStdin`) */
  stdin?: string
  /** what the client's fd 0 is: it decides what opening `/dev/stdin` does (pve.md §10.1) */
  stdinKind?: StdinKind
  /** epoch ms the client process started: its own start-up counts toward the tool's */
  startedAt?: number
}

/** fd 0 of the client as `fstat` sees it; `closed` when there is no fd 0. */
export type StdinKind = 'socket' | 'pipe' | 'file' | 'tty' | 'device' | 'closed' | 'other'

const stdinKinds: readonly StdinKind[] = [
  'socket',
  'pipe',
  'file',
  'tty',
  'device',
  'closed',
  'other',
]

function isStdinKind(value: unknown): value is StdinKind {
  return stdinKinds.some((kind) => kind === value)
}

/**
 * Face to client: output lines, the exit status, or `readStdin` (the tool opened a terminal on
 * fd 0; the client reads it to its end and answers with a {@link StdinReply}).
 */
export type CliMessage =
  { stdout: string } | { stderr: string } | { exit: number } | { readStdin: true }

/** Client to face, after `readStdin`: the data read, or the errno code reading failed with. */
export type StdinReply = { stdin: Buffer } | { stdinError: string }

/** Reads the client's answer to `readStdin`; undefined when the line is not one. */
export function parseStdinReply(line: string): StdinReply | undefined {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined
  }
  if (!isRecord(value)) return undefined
  if (typeof value.stdin === 'string') return { stdin: Buffer.from(value.stdin, 'base64') }
  if (typeof value.stdinError === 'string') return { stdinError: value.stdinError }
  return undefined
}

/** Reads a request line; undefined when it is not one. */
export function parseCliRequest(line: string): CliRequest | undefined {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined
  }
  if (!isRecord(value)) return undefined
  const { tool, argv, node, cwd, stdin, stdinKind, startedAt } = value
  if (typeof tool !== 'string' || !Array.isArray(argv)) return undefined
  const words = argv.filter((word): word is string => typeof word === 'string')
  if (words.length !== argv.length) return undefined
  return {
    tool,
    argv: words,
    ...(typeof node === 'string' && node !== '' ? { node } : {}),
    ...(typeof cwd === 'string' ? { cwd } : {}),
    ...(typeof stdin === 'string' ? { stdin } : {}),
    ...(isStdinKind(stdinKind) ? { stdinKind } : {}),
    ...(typeof startedAt === 'number' && Number.isFinite(startedAt) ? { startedAt } : {}),
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
