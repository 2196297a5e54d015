import type { FileHandle } from 'node:fs/promises'

import type { DigestAlgorithm } from './checksum-file.js'
import { createHashWorker } from './hash-worker.js'
import { createWriteWorker } from './write-worker.js'

export interface HashingFileSinkOptions {
  /** opened for writing, empty; the sink writes from offset 0 */
  file: FileHandle
  algorithm: DigestAlgorithm
  /** bytes per slot: one hand-over to each worker */
  slotBytes: number
  /** slots in the ring; the sink holds about `slotBytes × slotCount` bytes of memory */
  slotCount: number
  /** bytes per write call */
  writeBytes: number
  /** bytes written between two background fdatasyncs, so the final fsync has little left */
  syncEveryBytes: number
  /** there is room again after `write` returned false */
  onDrain: () => void
  /** a write, a sync or a worker failed; the caller should stop sending */
  onFailure: (error: Error) => void
}

export interface HashingFileSink {
  /**
   * Takes `bytes` in: all of them, copied unless they are already in place (see `space`), so
   * the caller may reuse its memory. Returns false when the slots are full: the caller should
   * send nothing more until `onDrain`.
   */
  write(bytes: Uint8Array): boolean
  /**
   * The free part of the slot being filled, for a caller that can put bytes there itself (a
   * socket read); `write` then takes a view of it that starts there without copying. Undefined
   * while no slot is free. Valid only until the next `write`.
   */
  space(): Uint8Array | undefined
  /** writes what is left and waits for the worker: the digest and the byte count */
  finish(): Promise<{ digest: string; bytes: number }>
  /** the error a write, a sync or a worker failed with, if any did */
  failure(): Error | undefined
  /** waits for the work in flight and stops the workers; the file may be closed after */
  close(): Promise<void>
}

/**
 * Copies incoming bytes into a ring of slots. Each full slot goes to a hashing thread, then to a
 * writing thread, then back: the main thread receives into one slot while the next is hashed and
 * the one before is written. Slots move between threads (transferred, never copied or shared).
 */
export function createHashingFileSink(options: HashingFileSinkOptions): HashingFileSink {
  const { file, slotBytes } = options
  const hasher = createHashWorker(options.algorithm)
  const writer = createWriteWorker(file.fd, options.writeBytes)
  const free = Array.from({ length: options.slotCount }, () => new ArrayBuffer(slotBytes))
  let slot: Uint8Array<ArrayBuffer> | undefined
  let filled = 0
  let handedOver = 0
  let syncedAt = 0
  let overflow: Uint8Array | undefined
  // Slots with the workers and the syncs under way; these promises never reject (see `record`).
  const inFlight = new Set<Promise<void>>()
  let syncing = false
  let failure: Error | undefined
  let closing: Promise<void> | undefined
  let drained: (() => void) | undefined

  const record = (error: unknown): void => {
    if (failure !== undefined) return
    failure = error instanceof Error ? error : new Error(String(error))
    options.onFailure(failure)
    drained?.()
  }

  const track = <T>(work: Promise<T>, done: (value: T) => void): void => {
    const tracked: Promise<void> = work.then(done, record).finally(() => {
      inFlight.delete(tracked)
    })
    inFlight.add(tracked)
  }

  const dispatch = (): void => {
    if (slot === undefined || filled === 0) return
    const { buffer } = slot
    const length = filled
    const position = handedOver
    slot = undefined
    filled = 0
    handedOver += length
    const hashedAndWritten = hasher
      .update(buffer, length)
      .then((hashed) => writer.write(hashed, length, position))
    track(hashedAndWritten, (back) => {
      free.push(back)
      refill()
    })
    if (!syncing && handedOver - syncedAt >= options.syncEveryBytes) {
      syncing = true
      syncedAt = handedOver
      track(file.datasync(), () => {
        syncing = false
      })
    }
  }

  const current = (): Uint8Array<ArrayBuffer> | undefined => {
    if (slot === undefined) {
      const buffer = free.pop()
      if (buffer !== undefined) slot = new Uint8Array(buffer)
    }
    return slot
  }

  // Copies as much of `bytes` as the free slots hold; returns how many bytes it took.
  const place = (bytes: Uint8Array): number => {
    let at = 0
    while (at < bytes.length) {
      const target = current()
      if (target === undefined) break
      const take = Math.min(slotBytes - filled, bytes.length - at)
      target.set(bytes.subarray(at, at + take), filled)
      filled += take
      at += take
      if (filled === slotBytes) dispatch()
    }
    return at
  }

  // Bytes a read put where `space` pointed: the slot's buffer, right after what it holds.
  const isInPlace = (bytes: Uint8Array): boolean =>
    bytes.buffer === slot?.buffer &&
    bytes.byteOffset === filled &&
    bytes.length <= slotBytes - filled

  const refill = (): void => {
    if (overflow === undefined) return
    const rest = overflow.subarray(place(overflow))
    if (rest.length > 0) {
      overflow = rest
      return
    }
    overflow = undefined
    if (drained !== undefined) {
      drained()
      return
    }
    options.onDrain()
  }

  const settle = async (): Promise<void> => {
    while (inFlight.size > 0) await Promise.all(inFlight)
  }

  const close = (): Promise<void> => {
    closing ??= settle().then(async () => {
      await Promise.all([hasher.close(), writer.close()])
    })
    return closing
  }

  return {
    write(bytes) {
      if (failure !== undefined) return false
      if (isInPlace(bytes)) {
        filled += bytes.length
        if (filled === slotBytes) dispatch()
        return true
      }
      const taken = place(bytes)
      if (taken === bytes.length) return true
      overflow = bytes.slice(taken)
      return false
    },
    space() {
      if (failure !== undefined || overflow !== undefined) return undefined
      return current()?.subarray(filled)
    },
    async finish() {
      if (overflow !== undefined) {
        await new Promise<void>((resolve) => {
          drained = resolve
        })
      }
      dispatch()
      await settle()
      if (failure !== undefined) throw failure
      return { digest: await hasher.digest(), bytes: handedOver }
    },
    failure: () => failure,
    close,
  }
}
