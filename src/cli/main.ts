import { createInterface } from 'node:readline/promises'
import { readEnvironment } from './env.js'
import { exitCodes } from './errors.js'
import { createOutput } from './output/output.js'
import { runCli } from './run-cli.js'

/** The `pve-qemu` process: wires the terminal, the environment and Ctrl-C to {@link runCli}. */
async function main(): Promise<void> {
  const env = readEnvironment()
  const out = createOutput({ stdout: process.stdout, stderr: process.stderr, noColor: env.noColor })
  // `pve-qemu list | head`: the reader left, which is no failure of ours
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(exitCodes.ok)
    throw error
  })
  const interrupt = new AbortController()
  process.once('SIGINT', () => interrupt.abort())
  const ask = process.stdin.isTTY
    ? async (question: string): Promise<boolean> => {
        const readline = createInterface({ input: process.stdin, output: process.stderr })
        try {
          return /^(y|yes)$/i.test((await readline.question(`${question} [y/N] `)).trim())
        } finally {
          readline.close()
        }
      }
    : undefined
  process.exitCode = await runCli(process.argv.slice(2), {
    out,
    env,
    signal: interrupt.signal,
    ask,
  })
}

main().catch((error: unknown) => {
  process.stderr.write(
    `pve-qemu: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exitCode = exitCodes.failed
})
