import { paramError } from '../api/errors.js'
import { memoryMiB } from '../state/vm-view.js'

/** Checks between keys that PVE makes after parsing: balloon ≤ memory, boot devices exist. */
export function checkConfigConsistency(config: Record<string, string>): void {
  if (config.balloon !== undefined && Number(config.balloon) > memoryMiB(config)) {
    paramError('balloon', 'balloon value too large (must be smaller than assigned memory)')
  }
  const order = /(?:^|,)order=([^,]*)/.exec(config.boot ?? '')?.[1]
  if (order !== undefined) {
    for (const device of order.split(';').filter((d) => d !== '')) {
      if (config[device] === undefined)
        paramError('boot', `invalid bootorder: device '${device}' does not exist'`)
    }
  }
}
