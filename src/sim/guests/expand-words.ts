/** Variables of an emulated script, by name. */
export type ScriptVariables = Map<string, string>

/** What `$(…)` prints on a simulated guest: the service runs as root; anything else is empty. */
const commandOutputs: Record<string, string> = { 'id -u': '0' }

/**
 * Splits one line of shell text into words the way bash would after expansion, for the small
 * part of the language the init scripts use: quotes, `\` escapes, `$NAME`, `${NAME}`,
 * `${NAME:-default}` and `$(…)`. Unquoted expansions split on blanks; with `split: false`
 * (an assignment's right side) nothing splits and the words are joined.
 */
export function expandWords(
  text: string,
  variables: ScriptVariables,
  options: { split: boolean } = { split: true },
): string[] {
  const words: string[] = []
  let current = ''
  let started = false
  const endWord = (): void => {
    if (started) words.push(current)
    current = ''
    started = false
  }
  let index = 0
  while (index < text.length) {
    const char = text.charAt(index)
    if (/\s/.test(char) && options.split) {
      endWord()
      index += 1
    } else if (char === "'") {
      const end = text.indexOf("'", index + 1)
      const close = end === -1 ? text.length : end
      current += text.slice(index + 1, close)
      started = true
      index = close + 1
    } else if (char === '"') {
      const [value, next] = readDoubleQuoted(text, index + 1, variables)
      current += value
      started = true
      index = next
    } else if (char === '\\') {
      current += text.charAt(index + 1)
      started = true
      index += 2
    } else if (char === '$') {
      const [value, next] = readExpansion(text, index, variables)
      index = next
      if (!options.split) {
        current += value
        started = true
        continue
      }
      const pieces = value.split(/\s+/)
      pieces.forEach((piece, position) => {
        if (position > 0) endWord()
        if (piece !== '') {
          current += piece
          started = true
        }
      })
    } else {
      current += char
      started = true
      index += 1
    }
  }
  endWord()
  return options.split ? words : [words.join(' ')]
}

function readDoubleQuoted(
  text: string,
  start: number,
  variables: ScriptVariables,
): [string, number] {
  let value = ''
  let index = start
  while (index < text.length && text.charAt(index) !== '"') {
    const char = text.charAt(index)
    if (char === '\\' && '"\\$`'.includes(text.charAt(index + 1))) {
      value += text.charAt(index + 1)
      index += 2
    } else if (char === '$') {
      const [expanded, next] = readExpansion(text, index, variables)
      value += expanded
      index = next
    } else {
      value += char
      index += 1
    }
  }
  return [value, index + 1]
}

/** Reads the expansion that starts with the `$` at `start`; returns its value and where it ends. */
function readExpansion(text: string, start: number, variables: ScriptVariables): [string, number] {
  const next = text.charAt(start + 1)
  if (next === '(') {
    const end = matchingParenthesis(text, start + 1)
    const command = text.slice(start + 2, end).trim()
    return [commandOutputs[command] ?? '', end + 1]
  }
  if (next === '{') {
    const end = text.indexOf('}', start + 2)
    const close = end === -1 ? text.length : end
    const body = text.slice(start + 2, close)
    const [name = '', fallback] = body.split(':-', 2)
    const value = variables.get(name) ?? ''
    return [value === '' && fallback !== undefined ? fallback : value, close + 1]
  }
  const name = /^[A-Za-z_]\w*/.exec(text.slice(start + 1))?.[0]
  if (name === undefined) return ['$', start + 1]
  return [variables.get(name) ?? '', start + 1 + name.length]
}

function matchingParenthesis(text: string, open: number): number {
  let depth = 0
  for (let index = open; index < text.length; index += 1) {
    const char = text.charAt(index)
    if (char === '(') depth += 1
    if (char === ')') depth -= 1
    if (depth === 0) return index
  }
  return text.length
}
