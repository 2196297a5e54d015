/** Options whose value is a secret; their values never reach a log. */
const secretOptions = new Set(['cipassword', 'password'])

/**
 * A copy of `argv` safe to log: the value after `--cipassword` (or in `--cipassword=...`) is
 * replaced by `<redacted>`.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const redacted: string[] = []
  let hideNext = false
  for (const word of argv) {
    if (hideNext) {
      redacted.push('<redacted>')
      hideNext = false
      continue
    }
    const option = /^--?([a-z][a-z0-9_-]*)(=.*)?$/s.exec(word)
    const name = option?.[1]
    if (name !== undefined && secretOptions.has(name)) {
      if (option?.[2] === undefined) hideNext = true
      else {
        redacted.push(`${word.slice(0, word.indexOf('='))}=<redacted>`)
        continue
      }
    }
    redacted.push(word)
  }
  return redacted
}
