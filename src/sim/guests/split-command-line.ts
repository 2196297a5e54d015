/**
 * The words of a command line as `sh -c` would split it, for plain words and quoted ones only.
 * Returns undefined for anything that would need a real shell (operators, expansions,
 * unbalanced quotes): the simulated guest treats such a line as an unknown command.
 */
export function splitCommandLine(line: string): string[] | undefined {
  const words: string[] = []
  let current: string | undefined
  let index = 0
  while (index < line.length) {
    const char = line.charAt(index)
    if (char === ' ' || char === '\t') {
      if (current !== undefined) words.push(current)
      current = undefined
      index += 1
    } else if (char === "'") {
      const end = line.indexOf("'", index + 1)
      if (end === -1) return undefined
      current = (current ?? '') + line.slice(index + 1, end)
      index = end + 1
    } else if (char === '\\' && index + 1 < line.length) {
      current = (current ?? '') + line.charAt(index + 1)
      index += 2
    } else if (/[|&;<>()$`"*?[\]{}~#\n]/.test(char)) {
      return undefined
    } else {
      current = (current ?? '') + char
      index += 1
    }
  }
  if (current !== undefined) words.push(current)
  return words
}
