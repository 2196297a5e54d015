import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { finished, pipeline } from 'node:stream/promises'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import {
  HashingFileWriter,
  type HashingFileWriterOptions,
} from '../../src/images/hashing-file-writer.js'
import { makeTempDir } from '../exec/temp-dir.js'

let temp: { dir: string; remove: () => void }

beforeEach(() => {
  temp = makeTempDir('pve-qemu-writer-')
})

afterEach(() => {
  temp.remove()
})

function writer(overrides: Partial<HashingFileWriterOptions> = {}): HashingFileWriter {
  return new HashingFileWriter({
    path: join(temp.dir, 'image.part'),
    start: 0,
    hash: createHash('sha512'),
    highWaterMark: 8 * 1024,
    writeBytes: 3000,
    syncEveryBytes: 64 * 1024,
    ...overrides,
  })
}

/** `data` in pieces of uneven size, as a socket delivers them. */
function pieces(data: Buffer): Buffer[] {
  const out: Buffer[] = []
  for (let at = 0, step = 1; at < data.length; step = (step * 7 + 3) % 9000) {
    out.push(data.subarray(at, at + step + 1))
    at += step + 1
  }
  return out
}

describe('HashingFileWriter', () => {
  it('writes every byte in order and hashes them, with far more input than its queue', async () => {
    const data = randomBytes(2 * 1024 * 1024)
    const counted: number[] = []
    const target = writer({ onBytes: (bytes) => counted.push(bytes) })
    let refused = 0
    for (const piece of pieces(data)) {
      if (target.write(piece)) continue
      refused += 1
      await once(target, 'drain')
    }
    target.end()
    await finished(target)

    expect(refused).toBeGreaterThan(0)
    expect(target.bytes).toBe(data.length)
    expect(target.digest()).toBe(createHash('sha512').update(data).digest('hex'))
    expect(readFileSync(join(temp.dir, 'image.part')).equals(data)).toBe(true)
    expect(counted.reduce((sum, bytes) => sum + bytes, 0)).toBe(data.length)
    expect(counted.length).toBe(pieces(data).length)
  })

  it('hashes an empty input with SHA-256 too', async () => {
    const target = writer({ hash: createHash('sha256') })
    await pipeline(Readable.from([]), target)
    expect(target.digest()).toBe(createHash('sha256').digest('hex'))
    expect(readFileSync(join(temp.dir, 'image.part')).length).toBe(0)
  })

  it('appends after the bytes it keeps, cutting off what follows them', async () => {
    const path = join(temp.dir, 'image.part')
    writeFileSync(path, 'abcdefXYZXYZ')
    const hash = createHash('sha256').update('abcdef')

    const target = writer({ path, start: 6, hash })
    await pipeline(Readable.from([Buffer.from('ghi')]), target)

    expect(readFileSync(path, 'utf8')).toBe('abcdefghi')
    expect(target.bytes).toBe(9)
    expect(target.digest()).toBe(createHash('sha256').update('abcdefghi').digest('hex'))
  })

  it('keeps on disk what it received before the sender broke off, for a resumed download', async () => {
    const target = writer()
    const data = randomBytes(1000)
    // Taken (hashed, queued) but fewer bytes than one write gathers, so not yet on disk.
    await new Promise((resolve) => target.write(data, resolve))
    const closed = new Promise((resolve) => target.once('close', resolve))
    target.on('error', () => undefined)
    target.destroy(new Error('other side closed'))
    await closed

    expect(readFileSync(join(temp.dir, 'image.part')).equals(data)).toBe(true)
    expect(target.bytes).toBe(data.length)
    expect(target.diskFailure()).toBeUndefined()
  })

  it('fails with the disk’s error, ENOSPC on a full device, and says it is the disk’s', async () => {
    const target = writer({ path: '/dev/full' })

    const error = await pipeline(Readable.from(pieces(randomBytes(256 * 1024))), target).catch(
      (caught: unknown) => caught,
    )

    expect(error).toMatchObject({ code: 'ENOSPC' })
    expect(target.diskFailure()).toBe(error)
    expect(() => target.digest()).toThrow('not completely written')
  })

  it('fails with the disk’s error when an fdatasync under way fails, and stops taking bytes', async () => {
    // /dev/null takes every write and refuses every fdatasync (EINVAL): the writes succeed, the
    // background fdatasync started after the first 64 KiB fails while more is on its way.
    const target = writer({ path: '/dev/null' })
    const data = randomBytes(4 * 1024 * 1024)

    const error = await pipeline(Readable.from(pieces(data)), target).catch(
      (caught: unknown) => caught,
    )

    expect(error).toMatchObject({ code: 'EINVAL', syscall: 'fdatasync' })
    expect(target.diskFailure()).toBe(error)
    expect(target.bytes).toBeLessThan(data.length)
    expect(() => target.digest()).toThrow('not completely written')
  })

  it('fails with the disk’s error when the fdatasync fails while the sender is idle', async () => {
    const target = writer({ path: '/dev/null', writeBytes: 1024 })
    const failed = new Promise((resolve) => target.once('error', resolve))
    // More than one interim sync's worth, then nothing more: no later write would notice.
    await new Promise((resolve) => target.write(randomBytes(64 * 1024), resolve))

    const error = await failed

    expect(error).toMatchObject({ code: 'EINVAL', syscall: 'fdatasync' })
    expect(target.diskFailure()).toBe(error)
  })

  it('fails to open a file in a directory that does not exist, as the disk’s failure', async () => {
    const target = writer({ path: join(temp.dir, 'missing', 'image.part') })
    const error = await pipeline(Readable.from([Buffer.from('x')]), target).catch(
      (caught: unknown) => caught,
    )
    expect(error).toMatchObject({ code: 'ENOENT' })
    expect(target.diskFailure()).toBe(error)
  })
})
