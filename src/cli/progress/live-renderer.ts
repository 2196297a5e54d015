import type { Style, Terminal } from '../output/output.js'
import type { ProgressRenderer } from './renderer.js'
import type { StageView } from './stage-board.js'
import { formatStageLine, outputPrefix, truncate } from './stage-line.js'

export interface LiveRendererOptions {
  terminal: Terminal
  style: Style
  now?: () => number
  /** spinner interval; 0 turns the animation off (tests) */
  intervalMs?: number
}

const up = (n: number): string => `\x1b[${n}A`
const down = (n: number): string => `\x1b[${n}B`
const clearLine = '\r\x1b[2K'
const hideCursor = '\x1b[?25l'
const showCursor = '\x1b[?25h'

/**
 * The terminal display: one line per stage, the running one with a spinner and its seconds,
 * redrawn in place (cursor up, rewrite, cursor down) when it ends as ✓ or ✗; tool and script
 * output printed under its stage. Lines are cut to the terminal's width so that counting rows
 * stays exact; once a stage's line has scrolled off the screen its result is printed anew.
 */
export function createLiveRenderer(options: LiveRendererOptions): ProgressRenderer {
  const { terminal, style } = options
  const now = options.now ?? Date.now
  // a terminal that does not know its size (0, as under some pseudo-terminals) gets 80x24
  const columns = (): number => positiveOr(terminal.columns, 80)
  const rows = (): number => positiveOr(terminal.rows, 24)
  let frame = 0
  let group: string | undefined
  let live: { stage: StageView; below: number } | undefined

  const line = (stage: StageView): string =>
    formatStageLine(stage, {
      style,
      frame,
      runningSeconds: (now() - stage.startedAt) / 1000,
      columns: columns(),
    })

  const redraw = (): boolean => {
    if (live === undefined) return true
    const distance = live.below + 1
    if (distance >= rows()) return false
    terminal.write(`${up(distance)}${clearLine}${line(live.stage)}\r${down(distance)}`)
    return true
  }

  const timer =
    (options.intervalMs ?? 80) > 0
      ? setInterval(() => {
          frame += 1
          redraw()
        }, options.intervalMs ?? 80)
      : undefined
  timer?.unref()
  terminal.write(hideCursor)

  return {
    render(changes) {
      for (const change of changes) {
        switch (change.kind) {
          case 'started': {
            const { stage } = change
            if (stage.group !== undefined && stage.group !== group) {
              terminal.write(`${style.paint('bold', stage.group)}\n`)
            }
            group = stage.group
            terminal.write(`${line(stage)}\n`)
            live = { stage, below: 0 }
            break
          }
          case 'note':
            redraw()
            break
          case 'output': {
            const prefix = outputPrefix(change.stage, style)
            const room = columns() - 1 - (change.stage.group === undefined ? 6 : 8)
            terminal.write(`${prefix}${truncate(change.text, Math.max(room, 10))}\n`)
            if (live?.stage === change.stage) live.below += 1
            break
          }
          case 'ended':
            if (live?.stage === change.stage) {
              if (!redraw()) terminal.write(`${line(change.stage)}\n`)
              live = undefined
            } else {
              terminal.write(`${line(change.stage)}\n`)
            }
            break
          case 'fact':
            break
        }
      }
    },
    finish() {
      if (timer !== undefined) clearInterval(timer)
      terminal.write(showCursor)
    },
  }
}

function positiveOr(value: number | undefined, fallback: number): number {
  return value !== undefined && value > 0 ? value : fallback
}
