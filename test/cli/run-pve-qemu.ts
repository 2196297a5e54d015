import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { join } from 'node:path'

/** The real command, as package.json's `bin` declares it. */
export const pveQemuBin = join(import.meta.dirname, '..', '..', 'bin', 'pve-qemu.js')

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

export interface CliRunOptions {
  /** PVE_QEMU_URL */
  url?: string
  /** PVE_QEMU_TOKEN */
  token?: string
  /** written to the command's stdin, which is then closed (a pipe, never a terminal) */
  input?: string
  /** more environment, e.g. the service's settings for `serve` */
  env?: Record<string, string>
}

/**
 * Runs `pve-qemu` as a user would — a separate process, stdout and stderr pipes (so not a
 * terminal) — with only PATH and HOME from this environment plus the CLI's own variables.
 */
export async function runPveQemu(
  args: readonly string[],
  options: CliRunOptions = {},
): Promise<CliRun> {
  const child = spawnPveQemu(args, options)
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  child.stdin.end(options.input ?? '')
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  return { code, stdout, stderr }
}

/** Starts `pve-qemu` with stdio pipes and a minimal environment; the caller owns the process. */
export function spawnPveQemu(
  args: readonly string[],
  options: CliRunOptions = {},
): ChildProcessWithoutNullStreams {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    ...options.env,
  }
  if (options.url !== undefined) env.PVE_QEMU_URL = options.url
  if (options.token !== undefined) env.PVE_QEMU_TOKEN = options.token
  return spawn(process.execPath, [pveQemuBin, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] })
}

/** Starts every ANSI escape sequence; plain output has none. */
export const ansiEscape = '\x1b['

/** Parses `--json` output of a streamed command: one JSON value per line. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}
