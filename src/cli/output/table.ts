import type { Style } from './output.js'

export interface Column<Row> {
  title: string
  value: (row: Row) => string
  align?: 'left' | 'right'
  /** colour of a cell, on a terminal */
  paint?: (row: Row, text: string, style: Style) => string
}

/**
 * Formats rows as an aligned text table with a header, two spaces between columns. Padding is
 * computed on the plain text, so colours never shift the columns.
 */
export function formatTable<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  style: Style,
): string[] {
  const cells = rows.map((row) => columns.map((column) => column.value(row)))
  const widths = columns.map((column, index) =>
    Math.max(column.title.length, ...cells.map((line) => (line[index] ?? '').length)),
  )
  const pad = (text: string, index: number): string => {
    const width = widths[index] ?? text.length
    return columns[index]?.align === 'right' ? text.padStart(width) : text.padEnd(width)
  }
  const header = columns
    .map((column, index) => pad(column.title, index))
    .join('  ')
    .trimEnd()
  const lines = [style.paint('bold', header)]
  rows.forEach((row, rowIndex) => {
    const line = columns.map((column, index) => {
      const padded = pad(cells[rowIndex]?.[index] ?? '', index)
      return column.paint === undefined ? padded : column.paint(row, padded, style)
    })
    lines.push(line.join('  ').trimEnd())
  })
  return lines
}
