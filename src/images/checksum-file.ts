/**
 * Readers of distribution checksum files (cloud-images.md §2, §7): GNU coreutils lines
 * (`<hex>  <file>`, `<hex> *<file>`) as Debian and Ubuntu publish them, and BSD tag lines
 * (`SHA256 (<file>) = <hex>`) with `# <file>: <n> bytes` comments as Rocky publishes them.
 */

export type DigestAlgorithm = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512'

export interface ChecksumEntry {
  /** the file name exactly as the line gives it, after GNU unescaping */
  file: string
  /** lowercase hex */
  digest: string
  algorithm: DigestAlgorithm
}

export interface ChecksumFile {
  entries: ChecksumEntry[]
  /** sizes from Rocky's `# <file>: <n> bytes` comments, by file name */
  sizes: Map<string, number>
}

export type ChecksumLookup =
  { found: true; digest: string; sizeBytes?: number } | { found: false; reason: string }

const algorithmByHexLength = new Map<number, DigestAlgorithm>([
  [32, 'md5'],
  [40, 'sha1'],
  [56, 'sha224'],
  [64, 'sha256'],
  [96, 'sha384'],
  [128, 'sha512'],
])

const algorithmByTag = new Map<string, DigestAlgorithm>([
  ['MD5', 'md5'],
  ['SHA1', 'sha1'],
  ['SHA224', 'sha224'],
  ['SHA256', 'sha256'],
  ['SHA384', 'sha384'],
  ['SHA512', 'sha512'],
])

// A leading backslash marks a GNU line whose name has `\\`, `\n` or `\r` escapes.
const gnuLine = /^(\\?)([0-9a-fA-F]+) [ *](.+)$/
const bsdLine = /^(\\?)([A-Z0-9]+) \((.+)\) = ([0-9a-fA-F]+)$/
const sizeComment = /^#\s*(.+): (\d+) bytes$/

/**
 * Every well-formed line of a checksum file, in order. Blank lines, `#` comments and lines that
 * fit neither format are skipped; a digest whose length fits no algorithm (or not its BSD tag)
 * makes its line malformed.
 */
export function parseChecksumFile(text: string): ChecksumFile {
  const entries: ChecksumEntry[] = []
  const sizes = new Map<string, number>()
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine
    if (line.trim() === '') continue
    if (line.startsWith('#')) {
      const size = sizeComment.exec(line)
      if (size?.[1] !== undefined && size[2] !== undefined) sizes.set(size[1], Number(size[2]))
      continue
    }
    const entry = parseBsdLine(line) ?? parseGnuLine(line)
    if (entry !== undefined) entries.push(entry)
  }
  return { entries, sizes }
}

function parseGnuLine(line: string): ChecksumEntry | undefined {
  const match = gnuLine.exec(line)
  if (match?.[2] === undefined || match[3] === undefined) return undefined
  const algorithm = algorithmByHexLength.get(match[2].length)
  if (algorithm === undefined) return undefined
  const file = match[1] === '\\' ? unescapeName(match[3]) : match[3]
  return { file, digest: match[2].toLowerCase(), algorithm }
}

function parseBsdLine(line: string): ChecksumEntry | undefined {
  const match = bsdLine.exec(line)
  if (match?.[2] === undefined || match[3] === undefined || match[4] === undefined) return undefined
  const algorithm = algorithmByTag.get(match[2])
  if (algorithm === undefined || algorithmByHexLength.get(match[4].length) !== algorithm) {
    return undefined
  }
  const file = match[1] === '\\' ? unescapeName(match[3]) : match[3]
  return { file, digest: match[4].toLowerCase(), algorithm }
}

function unescapeName(name: string): string {
  return name.replace(/\\(.)/g, (_whole, char: string) => {
    if (char === 'n') return '\n'
    if (char === 'r') return '\r'
    return char
  })
}

/**
 * The digest a checksum file gives for exactly `fileName` (never a name that merely contains
 * it), which must be of `algorithm`. Two lines for the name with different digests make the
 * answer unknown rather than a guess.
 */
export function lookupChecksum(
  text: string,
  fileName: string,
  algorithm: DigestAlgorithm,
): ChecksumLookup {
  const parsed = parseChecksumFile(text)
  const named = parsed.entries.filter((entry) => entry.file === fileName)
  if (named.length === 0) return { found: false, reason: `no line for ${fileName}` }
  const matching = named.filter((entry) => entry.algorithm === algorithm)
  const first = matching[0]
  if (first === undefined) {
    const others = [...new Set(named.map((entry) => entry.algorithm))].join(', ')
    return {
      found: false,
      reason: `${fileName} is listed with a ${others} digest, not ${algorithm}`,
    }
  }
  if (matching.some((entry) => entry.digest !== first.digest)) {
    return { found: false, reason: `${fileName} is listed more than once with different digests` }
  }
  const sizeBytes = parsed.sizes.get(fileName)
  return sizeBytes === undefined
    ? { found: true, digest: first.digest }
    : { found: true, digest: first.digest, sizeBytes }
}
