import type { Hash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import { Writable } from 'node:stream'

export interface HashingFileWriterOptions {
  path: string
  /**
   * Bytes of the file to keep, already fed to `hash`: 0 starts the file afresh, more appends
   * after them (a resumed download). The file is cut to this length first.
   */
  start: number
  /** the digest so far; every byte written is added to it, in order */
  hash: Hash
  /** bytes received but not yet written before `write` asks the sender to wait */
  highWaterMark: number
  /**
   * bytes gathered before a write starts (the last write may be shorter): each write is a trip
   * to the thread pool and back, which a loaded machine makes slow, so not one per socket read
   */
  writeBytes: number
  /** bytes written between two background fdatasyncs, so the final fsync has little left */
  syncEveryBytes: number
  /** runs before the file is opened (such as recording where the bytes come from) */
  prepare?: () => Promise<void>
  /** called with the size of each piece as it arrives */
  onBytes?: (bytes: number) => void
}

const senderHighWaterMark = 64 * 1024

/**
 * A Writable that hashes what it is given and writes it to one file, synced at the end.
 * Each piece is hashed and counted as it arrives; pieces that arrive while a write is under way
 * go out together in one `writev` on the thread pool, while this thread receives and hashes the
 * next ones. The sender is asked to wait once `highWaterMark` bytes are queued. An fsync runs
 * before `finish`, so a finished writer's bytes are on disk. No worker thread is needed:
 * SHA-256 on this thread keeps up with a loopback link (see bench/download.ts).
 */
export class HashingFileWriter extends Writable {
  readonly #options: HashingFileWriterOptions
  #file: FileHandle | undefined
  #position: number
  #syncedAt: number
  #syncing: Promise<void> | undefined
  #failure: Error | undefined
  #synced = false
  /** received and hashed, not yet handed to the file */
  #queue: Uint8Array[] = []
  #queuedBytes = 0
  /** the write under way; never rejects (its error is recorded in #failure) */
  #writing: Promise<void> | undefined
  /** the sender's callback held back while the queue is full */
  #waiting: ((error?: Error | null) => void) | undefined
  /** the sender has ended: write what is queued however little it is */
  #ending = false

  constructor(options: HashingFileWriterOptions) {
    // The queue below does the buffering; Writable's own holds only what arrives while the
    // queue is full. Not 0: a sender that is told to wait after every piece stops its socket.
    super({ highWaterMark: senderHighWaterMark })
    this.#options = options
    this.#position = options.start
    this.#syncedAt = options.start
  }

  /** bytes in the file: `start` plus all written */
  get bytes(): number {
    return this.#position
  }

  /** the hex digest of the whole file; only once the writer has finished */
  digest(): string {
    if (!this.#synced) throw new Error(`${this.#options.path} is not completely written`)
    return this.#options.hash.digest('hex')
  }

  /** the error of an open, write or sync: the disk's fault rather than the sender's */
  diskFailure(): Error | undefined {
    return this.#failure
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.#settle(this.#open(), callback)
  }

  override _write(
    chunk: unknown,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    if (this.#failure !== undefined) {
      callback(this.#failure)
      return
    }
    if (chunk instanceof Uint8Array && chunk.length > 0) {
      this.#options.hash.update(chunk)
      this.#options.onBytes?.(chunk.length)
      this.#queue.push(chunk)
      this.#queuedBytes += chunk.length
      this.#pump()
    }
    if (this.#queuedBytes < this.#options.highWaterMark) callback()
    else this.#waiting = callback
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#settle(this.#drainAndSync(), callback)
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#release()
    // What was received before a broken connection goes to disk too: it is a head start for a
    // resumed download. FileHandle.close waits for the syncs still under way.
    const closing = this.#flushQueue().then(() => this.#file?.close())
    closing.then(
      () => {
        callback(error)
      },
      (closeError: unknown) => {
        callback(error ?? this.#fail(closeError))
      },
    )
  }

  async #flushQueue(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing
    const buffers = this.#queue
    const bytes = this.#queuedBytes
    this.#queue = []
    this.#queuedBytes = 0
    if (this.#failure !== undefined || bytes === 0 || this.#file === undefined) return
    await this.#write(buffers, bytes).catch((error: unknown) => {
      this.#fail(error)
    })
  }

  async #open(): Promise<void> {
    const { path, start } = this.#options
    await this.#options.prepare?.()
    this.#file = await open(path, start === 0 ? 'w' : 'r+')
    if (start > 0) await this.#file.truncate(start)
  }

  // Starts a write of everything queued once there is enough, or at the end (`all`), unless one
  // is under way (it calls again when done).
  #pump(all = false): void {
    if (this.#writing !== undefined || this.#queue.length === 0 || this.#failure !== undefined) {
      return
    }
    if (!all && this.#queuedBytes < this.#options.writeBytes) return
    const buffers = this.#queue
    const bytes = this.#queuedBytes
    this.#queue = []
    this.#queuedBytes = 0
    this.#writing = this.#write(buffers, bytes).then(
      () => {
        this.#writing = undefined
        this.#startSync()
        this.#pump(this.#ending)
      },
      (error: unknown) => {
        this.#writing = undefined
        this.#failed(error)
      },
    )
    // Only now: the sender's next piece may arrive within this call, and must find the write
    // under way rather than start a second one at the same position.
    this.#release()
  }

  async #write(buffers: Uint8Array[], bytes: number): Promise<void> {
    const file = this.#handle()
    const { bytesWritten } = await file.writev(buffers, this.#position)
    if (bytesWritten !== bytes) throw new Error(`short write: ${bytesWritten} of ${bytes} bytes`)
    this.#position += bytes
  }

  // A background fdatasync, one at a time, lets the disk write back while the download goes on:
  // the page cache would otherwise hold the whole image until the final fsync (the kernel's own
  // writeback starts only at a tenth of the RAM, or after 30 s). When the disk is slower than
  // the network they run back to back. Its error is the disk's.
  #startSync(): void {
    const due = this.#position - this.#syncedAt >= this.#options.syncEveryBytes
    // Once the body has ended, the final fsync takes what is left.
    const idle = this.#syncing === undefined && this.#failure === undefined && !this.#ending
    if (!idle || !due) return
    this.#syncedAt = this.#position
    this.#syncing = this.#handle()
      .datasync()
      .then(
        () => {
          this.#syncing = undefined
          this.#startSync()
        },
        (error: unknown) => {
          this.#failed(error)
        },
      )
  }

  async #drainAndSync(): Promise<void> {
    this.#ending = true
    this.#pump(true)
    while (this.#writing !== undefined) {
      await this.#writing
      this.#pump(true)
    }
    await this.#syncing
    if (this.#failure !== undefined) throw this.#failure
    await this.#handle().sync()
    this.#synced = true
  }

  // A write or sync in the background failed: the sender hears of it now, not at its next piece
  // (there may be none: a server that stalls, or the end of the body already received).
  #failed(error: unknown): void {
    const failure = this.#fail(error)
    if (this.#waiting !== undefined) this.#release()
    else if (!this.#ending) this.destroy(failure)
  }

  // Lets the sender go on: the queue has room again, or a failure will answer it.
  #release(): void {
    const waiting = this.#waiting
    this.#waiting = undefined
    waiting?.(this.#failure)
  }

  #handle(): FileHandle {
    if (this.#file === undefined) throw new Error(`${this.#options.path} is not open`)
    return this.#file
  }

  #fail(error: unknown): Error {
    this.#failure ??= error instanceof Error ? error : new Error(String(error))
    return this.#failure
  }

  #settle(work: Promise<void>, callback: (error?: Error | null) => void): void {
    work.then(
      () => {
        callback()
      },
      (error: unknown) => {
        callback(this.#fail(error))
      },
    )
  }
}
