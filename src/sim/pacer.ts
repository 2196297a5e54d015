import { sleep } from '../lib/sleep.js'

/** Turns Proxmox durations into waits at the simulator's speed. */
export interface Pacer {
  /** 1 = realistic, 0 = no waiting at all, 0.25 = four times faster */
  readonly speed: number
  /** Waits `ms` (at speed 1) scaled by speed; at speed 0 it only yields to the event loop's microtasks. */
  wait(ms: number, signal?: AbortSignal): Promise<void>
  /** A lock wait limit at this speed; unlimited at speed 0, where every hold is instantaneous. */
  lockTimeout(ms: number): number
}

/** A pacer for `speed` (a finite number ≥ 0). */
export function createPacer(speed: number): Pacer {
  if (!Number.isFinite(speed) || speed < 0) {
    throw new RangeError(`speed must be a finite number >= 0, got ${String(speed)}`)
  }
  return {
    speed,
    wait(ms, signal) {
      const scaled = ms * speed
      if (scaled <= 0) return Promise.resolve()
      return sleep(scaled, signal)
    },
    lockTimeout(ms) {
      return speed === 0 ? Number.POSITIVE_INFINITY : ms * speed
    },
  }
}
