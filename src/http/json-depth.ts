/**
 * The deepest nesting of arrays and objects in a JSON text, counted without parsing it (so a
 * body of 30 000 `[` is measured, not recursed into). Brackets inside strings do not count.
 * Stops counting once `limit` is passed and returns `limit + 1`.
 */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index)
    if (inString) {
      if (char === 0x5c)
        index += 1 // backslash: skip the escaped character
      else if (char === 0x22) inString = false
      continue
    }
    if (char === 0x22) inString = true
    else if (char === 0x5b || char === 0x7b) {
      depth += 1
      if (depth > deepest) deepest = depth
      if (deepest > limit) return deepest
    } else if (char === 0x5d || char === 0x7d) depth -= 1
  }
  return deepest
}
