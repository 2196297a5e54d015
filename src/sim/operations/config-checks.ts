import { die, paramError } from '../api/errors.js'
import { memoryMiB } from '../state/vm-view.js'

const balloonTooLarge = 'balloon value too large (must be smaller than assigned memory)'

/**
 * `update_vm_api`'s memory check (pve.md §10.2), a plain die before anything is written: when a
 * change names `memory` or `balloon`, the balloon in effect afterwards (the one given, else the
 * pending one, else the current one) may not exceed the memory (the one given, else pending,
 * else current). `balloon 0` disables the device and always passes.
 */
export function checkBalloon(
  set: Readonly<Record<string, string>>,
  pending: Readonly<Record<string, string>>,
  config: Readonly<Record<string, string>>,
): void {
  if (set.memory === undefined && set.balloon === undefined) return
  const memory = memoryMiB({ memory: set.memory ?? pending.memory ?? config.memory ?? '512' })
  const balloon = Number(set.balloon ?? pending.balloon ?? config.balloon ?? 0)
  if (balloon > 0 && balloon > memory) die(balloonTooLarge)
}

/** Checks between keys that PVE makes after parsing: boot devices exist. */
export function checkConfigConsistency(config: Record<string, string>): void {
  const order = /(?:^|,)order=([^,]*)/.exec(config.boot ?? '')?.[1]
  if (order !== undefined) {
    for (const device of order.split(';').filter((d) => d !== '')) {
      if (config[device] === undefined)
        paramError('boot', `invalid bootorder: device '${device}' does not exist'`)
    }
  }
}
