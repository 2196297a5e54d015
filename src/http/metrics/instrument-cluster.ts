import type { Cluster } from '../../pve/cluster.js'
import type { AppMetrics } from './create-metrics.js'

/**
 * The same cluster port, timing every operation it is asked for (whatever the driver: cli,
 * api or the simulator). Properties that are not functions pass through.
 */
export function instrumentCluster(cluster: Cluster, metrics: AppMetrics): Cluster {
  return new Proxy(cluster, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || typeof property !== 'string') return value
      return async (...args: unknown[]): Promise<unknown> => {
        const startedAt = performance.now()
        const seconds = (): number => (performance.now() - startedAt) / 1000
        try {
          const result: unknown = await Reflect.apply(value, target, args)
          metrics.observePveOperation({ operation: property, outcome: 'success' }, seconds())
          return result
        } catch (error) {
          metrics.observePveOperation({ operation: property, outcome: 'error' }, seconds())
          throw error
        }
      }
    },
  })
}
