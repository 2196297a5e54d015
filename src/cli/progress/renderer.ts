import type { BoardChange } from './stage-board.js'

/** Draws a job's progress from the board's changes. */
export interface ProgressRenderer {
  render(changes: readonly BoardChange[]): void
  /** stops any animation and leaves the terminal as it was */
  finish(): void
}
