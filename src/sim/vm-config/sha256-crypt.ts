import { createHash, randomBytes } from 'node:crypto'

const itoa64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

function sha256(...parts: Buffer[]): Buffer {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part)
  return hash.digest()
}

function repeatTo(source: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length)
  for (let i = 0; i < length; i++) out[i] = source[i % source.length] ?? 0
  return out
}

function encode24(b2: number, b1: number, b0: number, count: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0
  let out = ''
  for (let i = 0; i < count; i++) {
    out += itoa64[w & 0x3f] ?? ''
    w >>= 6
  }
  return out
}

/**
 * SHA-256 crypt (`$5$salt$hash`, 5000 rounds), what PVE stores for a plain-text `cipassword`
 * (pve.md §4.1), so that a simulated guest can check a password the way `/etc/shadow` would.
 */
export function sha256Crypt(password: string, salt?: string): string {
  const p = Buffer.from(password, 'utf8')
  const s = Buffer.from(
    (salt ?? [...randomBytes(16)].map((b) => itoa64[b & 0x3f] ?? '.').join('')).slice(0, 16),
    'utf8',
  )
  const b = sha256(p, s, p)
  const aParts: Buffer[] = [p, s]
  for (let n = p.length; n > 0; n -= 32) aParts.push(b.subarray(0, Math.min(32, n)))
  for (let n = p.length; n > 0; n >>= 1) aParts.push(n & 1 ? b : p)
  const a = sha256(...aParts)
  const dp = sha256(...Array.from({ length: p.length }, () => p))
  const pBytes = repeatTo(dp, p.length)
  const ds = sha256(...Array.from({ length: 16 + (a[0] ?? 0) }, () => s))
  const sBytes = repeatTo(ds, s.length)
  let c = a
  for (let i = 0; i < 5000; i++) {
    const hash = createHash('sha256')
    hash.update(i & 1 ? pBytes : c)
    if (i % 3 !== 0) hash.update(sBytes)
    if (i % 7 !== 0) hash.update(pBytes)
    hash.update(i & 1 ? c : pBytes)
    c = hash.digest()
  }
  const at = (i: number): number => c[i] ?? 0
  const order: [number, number, number][] = [
    [0, 10, 20],
    [21, 1, 11],
    [12, 22, 2],
    [3, 13, 23],
    [24, 4, 14],
    [15, 25, 5],
    [6, 16, 26],
    [27, 7, 17],
    [18, 28, 8],
    [9, 19, 29],
  ]
  let hash = order.map(([x, y, z]) => encode24(at(x), at(y), at(z), 4)).join('')
  hash += encode24(0, at(31), at(30), 3)
  return `$5$${s.toString('utf8')}$${hash}`
}

/** True when a `cipassword` value already is a crypt hash PVE stores as is. */
export function isCryptHash(value: string): boolean {
  return /^\$(1|5|6|2a|2y)\$/.test(value)
}
