import type { Style } from '../output/output.js'
import type { StageView } from './stage-board.js'

export const spinnerFrames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/** Width the stage labels are padded to; the seed's longest is 29 characters. */
const labelWidth = 30

export interface StageLineOptions {
  style: Style
  /** seconds since the stage started, for a running one */
  runningSeconds: number
  /** spinner frame for a running stage */
  frame: number
  /** the terminal's width; the line is cut to fit, so it never wraps */
  columns?: number | undefined
}

/**
 * One stage as a line: symbol (spinner, ✓ or ✗), label, elapsed seconds and the latest detail,
 * indented under its group.
 */
export function formatStageLine(stage: StageView, options: StageLineOptions): string {
  const { style } = options
  const indent = stage.group === undefined ? '' : '  '
  const symbol =
    stage.state === 'running'
      ? style.paint('cyan', spinnerFrames[options.frame % spinnerFrames.length] ?? '*')
      : stage.state === 'done'
        ? style.paint('green', '✓')
        : style.paint('red', '✗')
  const seconds =
    stage.state === 'running'
      ? `${Math.floor(options.runningSeconds)}s`
      : `${(stage.seconds ?? 0).toFixed(2)}s`
  const head = `${indent}  ${stage.label.padEnd(labelWidth)} ${seconds.padStart(8)}`
  let detail = stage.detail ?? ''
  if (options.columns !== undefined) {
    const room = options.columns - 1 - head.length - 2
    detail = truncate(detail, Math.max(room, 0))
  }
  const coloured = `${indent}${symbol} ${stage.label.padEnd(labelWidth)} ${seconds.padStart(8)}`
  const detailText =
    detail === ''
      ? ''
      : `  ${stage.state === 'failed' ? style.paint('red', detail) : style.paint('dim', detail)}`
  return `${coloured}${detailText}`
}

/** `text` cut to `width` characters, with an ellipsis when cut. */
export function truncate(text: string, width: number): string {
  if (text.length <= width) return text
  if (width <= 1) return text.slice(0, width)
  return `${text.slice(0, width - 1)}…`
}

/** The indentation of a stage's output lines. */
export function outputPrefix(stage: StageView, style: Style): string {
  return `${stage.group === undefined ? '' : '  '}    ${style.paint('dim', '│')} `
}

/** The indentation of a stage's notes (`[*]` messages) where lines cannot be redrawn. */
export function notePrefix(stage: StageView, style: Style): string {
  return `${stage.group === undefined ? '' : '  '}    ${style.paint('dim', '·')} `
}
