import { ExecError } from './errors.js'

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Refuses what no program can receive (a NUL byte) before anything runs. */
export function checkArgv(argv: readonly string[], env?: Record<string, string>): void {
  const program = argv[0] ?? ''
  if (program === '') throw new ExecError('EXEC_INVALID_ARGUMENT', '', 'no program given to run')
  argv.forEach((word, index) => {
    if (word.includes('\0')) {
      throw new ExecError(
        'EXEC_INVALID_ARGUMENT',
        program,
        `argument ${index} of ${program} holds a NUL byte`,
      )
    }
  })
  for (const [name, value] of Object.entries(env ?? {})) {
    if (!envName.test(name) || value.includes('\0')) {
      throw new ExecError(
        'EXEC_INVALID_ARGUMENT',
        program,
        `environment variable ${JSON.stringify(name)} for ${program} is not valid`,
      )
    }
  }
}
