import type { SimNetworkControl } from './control.js'

/**
 * `ping` in simulated mode, for the address probe: resolves true when something in the simulated
 * network answers on `address` (Simulator.network.answersPing). Nothing is sent anywhere.
 *
 * @example
 * const probe = createSimulatedPing(simulator)
 * await probe('127.0.2.10', signal) // false until a booted guest holds that lease
 */
export function createSimulatedPing(sim: {
  readonly network: Pick<SimNetworkControl, 'answersPing'>
}): (address: string, signal?: AbortSignal) => Promise<boolean> {
  return (address, signal) => {
    if (signal?.aborted === true) {
      const reason: unknown = signal.reason
      return Promise.reject(reason instanceof Error ? reason : new Error('the probe was aborted'))
    }
    return Promise.resolve(sim.network.answersPing(address))
  }
}
