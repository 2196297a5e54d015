import { createHash, randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import {
  createHashingFileSink,
  type HashingFileSink,
  type HashingFileSinkOptions,
} from '../../src/images/hashing-file-sink.js'
import { makeTempDir } from '../exec/temp-dir.js'

let temp: { dir: string; remove: () => void }
let file: FileHandle | undefined

beforeEach(() => {
  temp = makeTempDir('pve-qemu-sink-')
})

afterEach(async () => {
  await file?.close()
  file = undefined
  temp.remove()
})

/** A sink with small slots, so a few hundred KiB fill them all and exercise the waiting. */
function sink(
  handle: FileHandle,
  overrides: Partial<HashingFileSinkOptions> = {},
): { sink: HashingFileSink; drained: () => Promise<void>; failures: Error[] } {
  let wake = (): void => undefined
  const failures: Error[] = []
  const created = createHashingFileSink({
    file: handle,
    algorithm: 'sha512',
    slotBytes: 16 * 1024,
    slotCount: 2,
    writeBytes: 4096,
    syncEveryBytes: 64 * 1024,
    onDrain: () => {
      wake()
    },
    onFailure: (error) => failures.push(error),
    ...overrides,
  })
  return {
    sink: created,
    drained: () => new Promise<void>((resolve) => (wake = resolve)),
    failures,
  }
}

/** Sends `data` in pieces of uneven size, waiting for a drain whenever the sink asks. */
async function send(target: ReturnType<typeof sink>, data: Buffer): Promise<{ refusals: number }> {
  let refusals = 0
  let at = 0
  for (let step = 1; at < data.length; step = (step * 7 + 3) % 9000) {
    const piece = data.subarray(at, at + step + 1)
    at += piece.length
    const drained = target.drained()
    if (!target.sink.write(piece)) {
      refusals += 1
      await drained
    }
  }
  return { refusals }
}

describe('createHashingFileSink', () => {
  it('writes every byte in order and hashes them, waiting when the slots are full', async () => {
    const path = join(temp.dir, 'image.part')
    file = await open(path, 'wx')
    const target = sink(file)
    const data = randomBytes(600 * 1024)

    const { refusals } = await send(target, data)
    const result = await target.sink.finish()
    await target.sink.close()

    expect(refusals).toBeGreaterThan(0)
    expect(result).toEqual({
      digest: createHash('sha512').update(data).digest('hex'),
      bytes: data.length,
    })
    expect(readFileSync(path).equals(data)).toBe(true)
    expect(target.failures).toEqual([])
  })

  it('hashes with SHA-256 too, and an empty input', async () => {
    file = await open(join(temp.dir, 'empty.part'), 'wx')
    const target = sink(file, { algorithm: 'sha256' })

    const result = await target.sink.finish()
    await target.sink.close()

    expect(result).toEqual({ digest: createHash('sha256').digest('hex'), bytes: 0 })
  })

  it('copies what it is given, so the caller may reuse its buffer at once', async () => {
    const path = join(temp.dir, 'image.part')
    file = await open(path, 'wx')
    const target = sink(file, { slotBytes: 1024 * 1024, slotCount: 1 })
    const reused = Buffer.alloc(1000)

    for (const value of [1, 2, 3]) {
      reused.fill(value)
      expect(target.sink.write(reused)).toBe(true)
    }
    await target.sink.finish()
    await target.sink.close()

    expect(readFileSync(path)).toEqual(
      Buffer.concat([Buffer.alloc(1000, 1), Buffer.alloc(1000, 2), Buffer.alloc(1000, 3)]),
    )
  })

  it('takes bytes put straight into the space it offers, mixed with copied ones', async () => {
    const path = join(temp.dir, 'image.part')
    file = await open(path, 'wx')
    const target = sink(file)
    const data = randomBytes(100 * 1024)

    // As a socket does: read into the space when there is some, else into a buffer of its own.
    let inPlace = 0
    for (let at = 0; at < data.length;) {
      const space = target.sink.space()
      const size = Math.min(space?.length ?? Infinity, 5000, data.length - at)
      const piece = space === undefined ? Buffer.alloc(size) : space.subarray(0, size)
      piece.set(data.subarray(at, at + size))
      if (space !== undefined) inPlace += 1
      at += size
      const drained = target.drained()
      if (!target.sink.write(piece)) await drained
    }
    const result = await target.sink.finish()
    await target.sink.close()

    expect(inPlace).toBeGreaterThan(0)
    expect(result.digest).toBe(createHash('sha512').update(data).digest('hex'))
    expect(readFileSync(path).equals(data)).toBe(true)
  })

  it('reports a write that fails, with its code, and refuses more input', async () => {
    const path = join(temp.dir, 'read-only')
    writeFileSync(path, '')
    file = await open(path, 'r')
    const target = sink(file)

    expect(target.sink.write(randomBytes(20 * 1024))).toBe(true)
    const error = await target.sink.finish().catch((caught: unknown) => caught)
    await target.sink.close()

    expect(error).toMatchObject({ code: 'EBADF' })
    expect(target.failures).toHaveLength(1)
    expect(target.sink.failure()).toBe(target.failures[0])
    expect(target.sink.write(Buffer.from('more'))).toBe(false)
  })
})
