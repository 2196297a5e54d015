import { expandWords } from './expand-words.js'
import type { ScriptVariables } from './expand-words.js'

/** One line the emulated script prints. */
export interface ScriptOutputLine {
  stream: 'stdout' | 'stderr'
  text: string
}

export interface ScriptEmulation {
  lines: ScriptOutputLine[]
  exitCode: number
  /** the crypt hash each user's password was set to (`printf … | chpasswd -e`), by user */
  passwords: Record<string, string>
}

/** A runaway script (or a bug here) stops after this many statements. */
const statementLimit = 10_000

/**
 * Works out, without running anything, what an init script would print on a fresh simulated
 * guest: the progress lines of its `say '…'` / `say "…"` statements, with variables expanded.
 * Understood: assignments, `if …; then / elif / else / fi` over `[ … ]` tests, `for … in …;
 * do / done`, `exit N`. Every other command counts as succeeded, except a `cmd || NAME=value`
 * check, which counts as failed (a fresh guest has nothing installed yet). Functions, `while`
 * and `case` blocks are skipped.
 */
export function emulateScript(script: string): ScriptEmulation {
  const run = new Emulation()
  run.block(toStatements(script))
  return { lines: run.lines, exitCode: run.exitCode ?? 0, passwords: run.passwords }
}

/** Thrown to unwind the emulation at `exit N`; never leaves `emulateScript`. */
class Exit extends Error {
  readonly code: number
  constructor(code: number) {
    super(`exit ${code}`)
    this.code = code
  }
}

class Emulation {
  readonly lines: ScriptOutputLine[] = []
  readonly passwords: Record<string, string> = {}
  readonly variables: ScriptVariables = new Map()
  exitCode: number | undefined
  #statements = 0

  block(statements: string[]): void {
    try {
      this.#run(statements)
    } catch (stop) {
      if (!(stop instanceof Exit)) throw stop
      this.exitCode = stop.code
    }
  }

  #run(statements: string[]): void {
    let index = 0
    while (index < statements.length) {
      this.#statements += 1
      if (this.#statements > statementLimit) throw new Exit(1)
      const statement = statements[index] ?? ''
      const opener = blockOpener(statement)
      if (opener === undefined) {
        this.#simple(statement)
        index += 1
        continue
      }
      const end = blockEnd(statements, index, opener.closer)
      const body = statements.slice(index + 1, end)
      if (opener.kind === 'if') this.#if(statement, body)
      else if (opener.kind === 'for') this.#for(statement, body)
      index = end + 1
    }
  }

  #if(head: string, body: string[]): void {
    // Split the body into branches at the else/elif lines of this level.
    const branches: { condition: string | undefined; body: string[] }[] = [
      { condition: /^if (.*); then$/.exec(head)?.[1] ?? 'false', body: [] },
    ]
    let depth = 0
    for (const statement of body) {
      const opener = blockOpener(statement)
      if (opener !== undefined) depth += 1
      if (isBlockCloser(statement)) depth -= 1
      const elif = depth === 0 ? /^elif (.*); then$/.exec(statement) : null
      if (elif !== null) branches.push({ condition: elif[1] ?? 'false', body: [] })
      else if (depth === 0 && statement === 'else')
        branches.push({ condition: undefined, body: [] })
      else branches.at(-1)?.body.push(statement)
    }
    const taken = branches.find(
      (branch) => branch.condition === undefined || this.#test(branch.condition),
    )
    if (taken !== undefined) this.#run(taken.body)
  }

  #for(head: string, body: string[]): void {
    const match = /^for ([A-Za-z_]\w*) in (.*); do$/.exec(head)
    if (match === null) return
    const [, name = '', list = ''] = match
    for (const word of expandWords(list, this.variables)) {
      this.variables.set(name, word)
      this.#run(body)
    }
  }

  #test(condition: string): boolean {
    if (condition.startsWith('! ')) return !this.#test(condition.slice(2))
    const bracket = /^\[ (.*) \]$/.exec(condition)
    // Any command other than a test counts as succeeded: tools are there, services start.
    if (bracket === null) return true
    const words = expandWords(bracket[1] ?? '', this.variables)
    const [first = '', second = '', third = ''] = words
    if (words.length === 2 && first === '-n') return second !== ''
    if (words.length === 2 && first === '-z') return second === ''
    if (words.length === 1) return first !== ''
    return compare(first, second, third)
  }

  #simple(statement: string): void {
    const assignment = /^(?:export |local )?([A-Za-z_]\w*)=(.*)$/.exec(statement)
    const failedCheck = /\|\|\s*([A-Za-z_]\w*)=([^|&;]*)$/.exec(statement)
    const target = assignment ?? failedCheck
    if (target !== null) {
      const [, name = '', value = ''] = target
      this.variables.set(name, expandWords(value, this.variables, { split: false }).join(''))
      return
    }
    const chpasswd = /^printf\s+(.*)\|\s*chpasswd -e$/.exec(statement)
    if (chpasswd !== null) {
      this.#chpasswd(chpasswd[1] ?? '')
      return
    }
    const exit = /^exit(?: (\d+))?$/.exec(statement)
    if (exit !== null) throw new Exit(Number(exit[1] ?? '0'))
    if (/^say\s+['"]/.test(statement)) this.#say(statement.slice(3))
  }

  /** `printf FORMAT ARGS | chpasswd -e`: the `user:hash` lines printf makes set the passwords. */
  #chpasswd(printfArguments: string): void {
    const [format = '', ...values] = expandWords(printfArguments, this.variables)
    let next = 0
    const text = format.replaceAll('\\n', '\n').replace(/%s/g, () => values[next++] ?? '')
    for (const line of text.split('\n')) {
      const split = line.indexOf(':')
      if (split > 0) this.passwords[line.slice(0, split)] = line.slice(split + 1)
    }
  }

  #say(argumentText: string): void {
    const words = expandWords(argumentText, this.variables)
    const toStderr = words.some((word) => word === '>&2' || word === '1>&2')
    const text = words.filter((word) => !/^\d?[<>]/.test(word)).join(' ')
    this.lines.push({ stream: toStderr ? 'stderr' : 'stdout', text })
  }
}

function compare(left: string, operator: string, right: string): boolean {
  switch (operator) {
    case '=':
    case '==':
      return left === right
    case '!=':
      return left !== right
    case '-eq':
      return Number(left) === Number(right)
    case '-ne':
      return Number(left) !== Number(right)
    case '-lt':
      return Number(left) < Number(right)
    case '-le':
      return Number(left) <= Number(right)
    case '-gt':
      return Number(left) > Number(right)
    case '-ge':
      return Number(left) >= Number(right)
    default:
      return true
  }
}

type BlockKind = 'if' | 'for' | 'skip'

function blockOpener(statement: string): { kind: BlockKind; closer: string } | undefined {
  if (/^if .*; then$/.test(statement)) return { kind: 'if', closer: 'fi' }
  if (/^for .*; do$/.test(statement)) return { kind: 'for', closer: 'done' }
  if (/^(?:while|until) .*; do$/.test(statement)) return { kind: 'skip', closer: 'done' }
  if (/^case .* in$/.test(statement)) return { kind: 'skip', closer: 'esac' }
  // A function whose body spans lines; one-line functions (`f() { …; }`) are simple statements.
  if (/^(?:function )?[A-Za-z_][\w-]*\s*\(\)\s*\{$/.test(statement)) {
    return { kind: 'skip', closer: '}' }
  }
  return undefined
}

function isBlockCloser(statement: string): boolean {
  return statement === 'fi' || statement === 'done' || statement === 'esac' || statement === '}'
}

/** The index of the statement that closes the block opened at `start` (or the last one). */
function blockEnd(statements: string[], start: number, closer: string): number {
  let depth = 0
  for (let index = start + 1; index < statements.length; index += 1) {
    const statement = statements[index] ?? ''
    if (blockOpener(statement) !== undefined) depth += 1
    if (isBlockCloser(statement)) {
      if (depth === 0 && statement === closer) return index
      depth -= 1
    }
  }
  return statements.length
}

/** Trimmed, non-blank, non-comment lines; a `\` at a line's end joins it to the next. */
function toStatements(script: string): string[] {
  return script
    .replaceAll('\\\n', ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
}
