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
  /** the client's stdin, base64 */
  stdin?: string
}

export type CliMessage = { stdout: string } | { stderr: string } | { exit: number }

/** Reads a request line; undefined when it is not one. */
export function parseCliRequest(line: string): CliRequest | undefined {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined
  }
  if (!isRecord(value)) return undefined
  const { tool, argv, node, cwd, stdin } = value
  if (typeof tool !== 'string' || !Array.isArray(argv)) return undefined
  const words = argv.filter((word): word is string => typeof word === 'string')
  if (words.length !== argv.length) return undefined
  return {
    tool,
    argv: words,
    ...(typeof node === 'string' && node !== '' ? { node } : {}),
    ...(typeof cwd === 'string' ? { cwd } : {}),
    ...(typeof stdin === 'string' ? { stdin } : {}),
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
