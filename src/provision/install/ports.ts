import type { OsRelease } from '../../images/os-catalog.js'

export interface DownloadProgress {
  receivedBytes: number
  totalBytes?: number | undefined
  percent?: number | undefined
  bytesPerSecond: number
}

/** What the install needs from the image store. */
export interface ImagePort {
  imageUrl(release: OsRelease): string
  /** HEAD check of the image URL; the size when the server says it. */
  check(
    release: OsRelease,
    options: { signal: AbortSignal },
  ): Promise<{ bytes?: number | undefined }>
  /** The verified image on local disk, downloaded if missing or stale. */
  ensure(
    release: OsRelease,
    options: { signal: AbortSignal; onProgress: (progress: DownloadProgress) => void },
  ): Promise<{ path: string; downloaded: boolean; bytes: number; sha?: string }>
}

/** What the install needs from the guest side (SSH into the new VM). */
export interface GuestPort {
  /** the service's own public key, created on first use */
  servicePublicKey(): Promise<string>
  /** short TCP probe: does something answer SSH on this address already? */
  isAnswering(ip: string, signal: AbortSignal): Promise<boolean>
  /**
   * Waits, as long as `waitForSsh` does (GUEST_SSH_TIMEOUT), until SSH on this address answers:
   * the service key logs in, or sshd completes the handshake and refuses the key (a VM the
   * service did not install). `onAttempt` hears of each attempt that failed.
   */
  waitForAnswer(
    ip: string,
    user: string,
    options: { signal: AbortSignal; onAttempt: (attempt: number, reason: string) => void },
  ): Promise<void>
  /**
   * The install's SSH to one VM from its first boot on: readiness, the first-boot script, the
   * reboot check and the reboot run on one kept connection (re-opened when it was lost); the
   * install closes it when it ends.
   */
  session(ip: string, user: string): GuestSessionPort
  /** forget the host key recorded for an address (a new VM takes it over) */
  forgetHost(ip: string): void
}

/** One VM's SSH for an install's steps after it started, on one kept connection. */
export interface GuestSessionPort {
  /** waits until the service key logs in and runs `true`; that login is kept for the next steps */
  waitForSsh(options: { signal: AbortSignal }): Promise<void>
  /** the first-boot script, on the kept connection (a fresh one when it was lost) */
  runScript(
    script: string,
    options: { signal: AbortSignal; onLine: (line: string) => void },
  ): Promise<void>
  /** asks the guest whether its first-boot setup needs a reboot (`/run/reboot-required`, …) */
  rebootRequired(
    release: OsRelease,
    options: { signal: AbortSignal },
  ): Promise<{ required: boolean; why: string }>
  /**
   * Runs `reboot` and waits until the old boot is gone and the new one answers SSH with a fresh
   * login; the kept connection is the session watched across the reboot, so even a reboot
   * faster than polling is noticed.
   */
  rebootAndWait(
    reboot: (signal: AbortSignal) => Promise<void>,
    options: { signal: AbortSignal },
  ): Promise<void>
  /** ends the kept connection */
  close(): void
}
