import { statfsSync } from 'node:fs'
import { describeError } from '../errors.js'
import { StoreError, type StoreHealthState } from '../store/index.js'
import { JobError } from './errors.js'

/** What an install needs before it is admitted: a store that writes, and room in DATA_DIR. */
export interface InstallAdmission {
  /** Throws `STORE_UNAVAILABLE` or `DISK_LOW` (503) when an install must not start now. */
  check(): void
  /** Free space of DATA_DIR in MB, as the check sees it. */
  freeDiskMb(): number
}

export interface InstallAdmissionOptions {
  dataDir: string
  /** `MIN_FREE_DISK_MB` */
  minFreeDiskMb: number
  /** the store's write state (`store.health`) */
  storeHealth: () => StoreHealthState
  /** free bytes of a directory's filesystem; default `statfs` */
  freeBytes?: (dir: string) => number
}

/**
 * An install writes dozens of events and may fill DATA_DIR's filesystem with a cloud image, and
 * a job the store cannot record must fail and roll back halfway. So none is admitted while the
 * store's last write failed, or while DATA_DIR has less than `MIN_FREE_DISK_MB` free.
 */
export function createInstallAdmission(options: InstallAdmissionOptions): InstallAdmission {
  const freeBytes = options.freeBytes ?? statfsFreeBytes
  const freeDiskMb = (): number => Math.floor(freeBytes(options.dataDir) / (1024 * 1024))
  return {
    freeDiskMb,
    check() {
      const health = options.storeHealth()
      if (!health.writable) {
        throw new StoreError(
          'STORE_UNAVAILABLE',
          `no install is admitted while the job store cannot write (${health.error ?? 'unknown error'}); free space in DATA_DIR and retry`,
        )
      }
      const free = freeDiskMb()
      if (free < options.minFreeDiskMb) {
        throw new JobError(
          'DISK_LOW',
          `no install is admitted: DATA_DIR (${options.dataDir}) has ${free} MB free, less than MIN_FREE_DISK_MB (${options.minFreeDiskMb} MB)`,
        )
      }
    },
  }
}

function statfsFreeBytes(dir: string): number {
  try {
    const stats = statfsSync(dir)
    return stats.bavail * stats.bsize
  } catch (error) {
    throw new JobError('DISK_LOW', `cannot read the free space of ${dir}: ${describeError(error)}`)
  }
}
