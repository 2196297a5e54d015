export {
  createMetrics,
  type AppMetrics,
  type ImageCacheStats,
  type MetricsSources,
} from './create-metrics.js'
export { instrumentCluster } from './instrument-cluster.js'
export { instrumentJobs } from './instrument-jobs.js'
export { metricsPlugin, type MetricsPluginOptions } from './metrics-plugin.js'
