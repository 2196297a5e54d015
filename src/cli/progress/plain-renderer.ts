import type { Style, Terminal } from '../output/output.js'
import type { ProgressRenderer } from './renderer.js'
import type { StageView } from './stage-board.js'
import { formatStageLine, notePrefix, outputPrefix } from './stage-line.js'

/**
 * The display when stdout is not a terminal (a log, a pipe): lines are only appended, never
 * redrawn. A stage that prints notes or output gets a `…` line first; every stage ends with
 * its ✓ or ✗ line.
 */
export function createPlainRenderer(options: {
  terminal: Terminal
  style: Style
}): ProgressRenderer {
  const { terminal, style } = options
  let group: string | undefined
  const announced = new Set<StageView>()
  const indent = (stage: StageView): string => (stage.group === undefined ? '' : '  ')
  const announce = (stage: StageView): void => {
    if (announced.has(stage)) return
    announced.add(stage)
    terminal.write(`${indent(stage)}… ${stage.label}\n`)
  }
  return {
    render(changes) {
      for (const change of changes) {
        switch (change.kind) {
          case 'started':
            if (change.stage.group !== undefined && change.stage.group !== group) {
              terminal.write(`${change.stage.group}\n`)
            }
            group = change.stage.group
            break
          case 'note':
            announce(change.stage)
            terminal.write(`${notePrefix(change.stage, style)}${change.stage.detail ?? ''}\n`)
            break
          case 'output':
            announce(change.stage)
            terminal.write(`${outputPrefix(change.stage, style)}${change.text}\n`)
            break
          case 'ended':
            terminal.write(
              `${formatStageLine(change.stage, { style, frame: 0, runningSeconds: 0 })}\n`,
            )
            break
          case 'fact':
            break
        }
      }
    },
    finish() {
      // nothing is animated
    },
  }
}
