/**
 * The handful of ASN.1 DER encoders a self-signed X.509 certificate needs. Each returns the
 * complete encoding (tag, length, content), so they nest like the structure they describe.
 */

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length])
  const bytes: number[] = []
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

/** One element: `tag`, then the length of and the concatenated `parts`. */
export function element(tag: number, ...parts: Buffer[]): Buffer {
  const content = Buffer.concat(parts)
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content])
}

export const sequence = (...parts: Buffer[]): Buffer => element(0x30, ...parts)
export const set = (...parts: Buffer[]): Buffer => element(0x31, ...parts)
export const octetString = (bytes: Buffer): Buffer => element(0x04, bytes)
export const utf8String = (text: string): Buffer => element(0x0c, Buffer.from(text, 'utf8'))
export const boolean = (value: boolean): Buffer => element(0x01, Buffer.from([value ? 0xff : 0]))
/** `[n] EXPLICIT`: a constructed context tag around a whole element. */
export const explicit = (n: number, inner: Buffer): Buffer => element(0xa0 + n, inner)
/** `[n] IMPLICIT` of a primitive type: the context tag replaces the type's own. */
export const implicit = (n: number, bytes: Buffer): Buffer => element(0x80 + n, bytes)

/** A non-negative INTEGER from its big-endian magnitude. */
export function unsignedInteger(magnitude: Buffer): Buffer {
  let start = 0
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++
  const trimmed = magnitude.subarray(start)
  // a set top bit would read as negative
  const first = trimmed[0] ?? 0
  return element(0x02, first >= 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed)
}

/** A BIT STRING of whole bytes (no unused bits). */
export function bitString(bytes: Buffer): Buffer {
  return element(0x03, Buffer.from([0]), bytes)
}

/** An OBJECT IDENTIFIER from its dotted form (`2.5.4.3`). */
export function objectId(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number)
  const [first = 0, second = 0, ...rest] = arcs
  const bytes = [40 * first + second]
  for (const arc of rest) {
    const groups: number[] = []
    for (let value = arc; ; value = Math.floor(value / 128)) {
      groups.unshift(value % 128)
      if (value < 128) break
    }
    bytes.push(...groups.map((group, i) => (i < groups.length - 1 ? group | 0x80 : group)))
  }
  return element(0x06, Buffer.from(bytes))
}

/** UTCTime (`YYMMDDHHMMSSZ`), valid for years 1950 to 2049. */
export function utcTime(date: Date): Buffer {
  const iso = date.toISOString()
  const text = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`
  return element(0x17, Buffer.from(text, 'ascii'))
}
