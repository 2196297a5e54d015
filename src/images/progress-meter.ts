/** How far a download has come; sent at most once per interval, and once when it is complete. */
export interface DownloadProgress {
  receivedBytes: number
  /** from Content-Length, or the checksum file's size line; absent when unknown */
  totalBytes?: number
  /** 0..100 with one decimal, when the total is known */
  percent?: number
  /** over the time since the previous report (the whole download in the last one) */
  bytesPerSecond: number
}

export interface ProgressMeterOptions {
  totalBytes: number | undefined
  /** bytes already on disk from an earlier try (a resumed download), counted as received */
  startBytes?: number
  intervalMs: number
  /** milliseconds, monotonic; injectable so tests need no real time */
  now: () => number
  emit: (progress: DownloadProgress) => void
}

export interface ProgressMeter {
  /** counts `bytes` more received; reports when the interval since the last report has passed */
  add(bytes: number): void
  /** reports the end: 100 %, total = received, average speed */
  finish(): void
}

/** A rate-limited progress reporter for one download. */
export function createProgressMeter(options: ProgressMeterOptions): ProgressMeter {
  const startedAt = options.now()
  const startBytes = options.startBytes ?? 0
  let received = startBytes
  let lastAt = startedAt
  let lastBytes = startBytes

  return {
    add(bytes) {
      received += bytes
      const now = options.now()
      if (now - lastAt < options.intervalMs) return
      // All bytes in: the one 100 % report comes from finish(), once the file is verified.
      if (options.totalBytes !== undefined && received >= options.totalBytes) return
      const progress: DownloadProgress = {
        receivedBytes: received,
        bytesPerSecond: rate(received - lastBytes, now - lastAt),
      }
      if (options.totalBytes !== undefined && options.totalBytes > 0) {
        progress.totalBytes = options.totalBytes
        progress.percent = Math.floor((received * 1000) / options.totalBytes) / 10
      }
      lastAt = now
      lastBytes = received
      options.emit(progress)
    },
    finish() {
      options.emit({
        receivedBytes: received,
        totalBytes: received,
        percent: 100,
        bytesPerSecond: rate(received - startBytes, options.now() - startedAt),
      })
    },
  }
}

function rate(bytes: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((bytes * 1000) / elapsedMs) : 0
}
