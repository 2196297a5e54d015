/**
 * Turns an argument array into one POSIX shell command line that the remote `sh -c` splits back
 * into exactly these words: every word is single-quoted, and a `'` inside becomes `'\''`. This is
 * the only place in the service that builds text for a shell. Callers check for NUL bytes first
 * (`checkArgv`): no shell word can hold one.
 *
 * @example
 * quoteForShell(['qm', 'set', '100', '--name', "it's; rm -rf /"])
 * // => `'qm' 'set' '100' '--name' 'it'\''s; rm -rf /'`
 */
export function quoteForShell(argv: readonly string[]): string {
  return argv.map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(' ')
}
