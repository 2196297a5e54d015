import { styleText } from 'node:util'

/** A writable the CLI prints to; `isTTY`/`columns`/`rows` as on `process.stdout`. */
export interface Terminal {
  write(text: string): unknown
  isTTY?: boolean | undefined
  columns?: number | undefined
  rows?: number | undefined
}

type StyleName = 'green' | 'red' | 'yellow' | 'cyan' | 'dim' | 'bold'

/** Colours on a terminal, plain text elsewhere (and with NO_COLOR). */
export interface Style {
  readonly enabled: boolean
  paint(name: StyleName, text: string): string
}

export function createStyle(enabled: boolean): Style {
  return {
    enabled,
    paint: (name, text) => (enabled ? styleText(name, text) : text),
  }
}

/** Where a command writes: results to stdout, messages and errors to stderr. */
export interface Output {
  readonly stdout: Terminal
  readonly stderr: Terminal
  /** true when stdout is a terminal: live display, colours, tables sized to it */
  readonly interactive: boolean
  readonly style: Style
  /** one line to stdout */
  line(text?: string): void
  /** one line to stderr */
  note(text: string): void
  /** one JSON value on one line to stdout (for `--json`) */
  json(value: unknown): void
}

export function createOutput(options: {
  stdout: Terminal
  stderr: Terminal
  noColor: boolean
}): Output {
  const interactive = options.stdout.isTTY === true
  return {
    stdout: options.stdout,
    stderr: options.stderr,
    interactive,
    style: createStyle(interactive && !options.noColor),
    line: (text = '') => options.stdout.write(`${text}\n`),
    note: (text) => options.stderr.write(`${text}\n`),
    json: (value) => options.stdout.write(`${JSON.stringify(value)}\n`),
  }
}
