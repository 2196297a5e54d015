/** Words that a shell would love to interpret, and a seeded generator mixing them. */
export const nastyFragments = [
  "'",
  '"',
  ';',
  '$(touch /tmp/pwned)',
  '`id`',
  ' ',
  '\n',
  '\t',
  '-',
  '--force',
  '\\',
  '$HOME',
  '${PATH}',
  '*',
  '?',
  '~',
  '&&',
  '|',
  '>',
  '<',
  '!',
  '#',
  '%',
  'é',
  '日本',
  '🙂',
  "'\\''",
  'a',
  'Z',
  '0',
  '=',
  '(',
  ')',
  '{}',
  '\r',
]

/** A deterministic PRNG (mulberry32), so a failing case can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** One random word of 0..8 fragments. */
export function randomWord(random: () => number): string {
  const length = Math.floor(random() * 9)
  let word = ''
  for (let i = 0; i < length; i++) {
    word += nastyFragments[Math.floor(random() * nastyFragments.length)] ?? ''
  }
  return word
}
