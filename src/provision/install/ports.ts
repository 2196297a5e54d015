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
  waitForSsh(ip: string, user: string, options: { signal: AbortSignal }): Promise<void>
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
   * Runs `reboot` and waits until the old boot is gone and the new one answers SSH; it holds a
   * session across the reboot, so even a reboot faster than polling is noticed.
   */
  rebootAndWait(
    ip: string,
    user: string,
    reboot: (signal: AbortSignal) => Promise<void>,
    options: { signal: AbortSignal },
  ): Promise<void>
  runScript(
    ip: string,
    user: string,
    script: string,
    options: { signal: AbortSignal; onLine: (line: string) => void },
  ): Promise<void>
  /** asks the guest whether its first-boot setup needs a reboot (`/run/reboot-required`, …) */
  rebootRequired(
    ip: string,
    user: string,
    release: OsRelease,
    options: { signal: AbortSignal },
  ): Promise<{ required: boolean; why: string }>
  /** forget the host key recorded for an address (a new VM takes it over) */
  forgetHost(ip: string): void
}
