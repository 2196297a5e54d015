/**
 * A tiny terminal emulator for the escape sequences the live display uses — line feed,
 * carriage return, cursor up/down (`ESC[nA`, `ESC[nB`), clear line (`ESC[2K`), colours and
 * cursor visibility (ignored) — so a test can read the screen as a person would see it.
 */
export interface FakeScreen {
  write(text: string): boolean
  readonly isTTY: true
  readonly columns: number
  readonly rows: number
  /** the lines on screen, trailing blanks trimmed */
  lines(): string[]
  /** every byte written */
  readonly raw: string
}

// eslint-disable-next-line no-control-regex -- reading escape sequences is the point
const escapeSequence = /^\x1b\[(\??)(\d*)([A-Za-z])/

export function createFakeScreen(columns = 100, rows = 40): FakeScreen {
  const lines: string[] = ['']
  let row = 0
  let column = 0
  let raw = ''
  const put = (char: string): void => {
    const line = lines[row] ?? ''
    lines[row] = line.padEnd(column).slice(0, column) + char + line.slice(column + 1)
    column += 1
  }
  return {
    isTTY: true,
    columns,
    rows,
    get raw() {
      return raw
    },
    write(text) {
      raw += text
      for (let index = 0; index < text.length; index += 1) {
        const char = text[index] ?? ''
        if (char === '\x1b') {
          const match = escapeSequence.exec(text.slice(index))
          if (match === null) continue
          const count = Number(match[2] === '' ? '1' : match[2])
          if (match[3] === 'A') row = Math.max(0, row - count)
          else if (match[3] === 'B') row += count
          else if (match[3] === 'K') lines[row] = ''
          index += match[0].length - 1
        } else if (char === '\n') {
          row += 1
          column = 0
          while (lines.length <= row) lines.push('')
        } else if (char === '\r') {
          column = 0
        } else {
          while (lines.length <= row) lines.push('')
          put(char)
        }
      }
      return true
    },
    lines: () =>
      lines
        .map((line) => line.trimEnd())
        .filter((line, index, all) => index < all.length - 1 || line !== ''),
  }
}

// eslint-disable-next-line no-control-regex -- colour codes are what is removed
const colourCode = /\x1b\[[0-9;]*m/g

/** `text` without its colour codes (the fake screen does not paint). */
export function withoutColours(text: string): string {
  return text.replace(colourCode, '')
}

/** True when `text` moves the cursor up, as a display that redraws in place does. */
export function movesCursorUp(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- reading escape sequences is the point
  return /\x1b\[\d+A/.test(text)
}
