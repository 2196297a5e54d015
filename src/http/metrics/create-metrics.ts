import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { JobRecord } from '../../jobs/index.js'
import type { ClusterResources } from '../../pve/cluster.js'
import { directoryBytes } from './directory-bytes.js'

/** Image cache counters as the image store keeps them. */
export interface ImageCacheStats {
  cacheHits: number
  cacheMisses: number
}

export interface MetricsSources {
  /** every job the service knows, read at each scrape */
  listJobs: () => readonly JobRecord[]
  /** the image store's counters (`imageStore.stats()`) */
  imageStats?: (() => ImageCacheStats) | undefined
  /** the cli driver's command counts by `tool subcommand`, when that driver runs */
  commandCounts?: (() => Record<string, number>) | undefined
  /** the cluster's resource list (the shared read), for the node and VM gauges */
  resources?: (() => Promise<ClusterResources>) | undefined
  /** IMAGE_DIR: the verified cloud images kept on disk, whose size is graphed */
  imageDir?: string | undefined
}

/** The service's Prometheus metrics, in a registry of their own (one per app). */
export interface AppMetrics {
  readonly registry: Registry
  observeRequest(labels: { method: string; route: string; status: number }, seconds: number): void
  observeStage(labels: { jobType: string; stage: string; outcome: Outcome }, seconds: number): void
  observePveOperation(labels: { operation: string; outcome: Outcome }, seconds: number): void
  /** the exposition text of every metric */
  render(): Promise<string>
  readonly contentType: string
}

export type Outcome = 'success' | 'error'

const prefix = 'pve_qemu_'

/**
 * Creates the metrics: HTTP request durations, jobs by type and state, install and lifecycle
 * stage durations, Proxmox operation counts and durations (and the cli driver's command
 * counts), image cache hits and misses, plus the process's default metrics. Gauges and
 * counters owned by other parts are read from `sources` at scrape time.
 */
export function createMetrics(sources: MetricsSources): AppMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix })

  const requests = new Histogram({
    name: `${prefix}http_request_duration_seconds`,
    help: 'HTTP requests by route pattern, method and status; streams count until they end',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  })
  // install stages last from a second (checks) to minutes (download, first boot): the buckets
  // are dense there, so a p50/p95 of each stage reads well
  const stages = new Histogram({
    name: `${prefix}stage_duration_seconds`,
    help: 'Duration of each stage of a job (install pipeline stages, start, reboot, migrate)',
    labelNames: ['job_type', 'stage', 'outcome'],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200],
    registers: [registry],
  })
  const pveCalls = new Counter({
    name: `${prefix}pve_operations_total`,
    help: 'Operations asked of Proxmox through the cluster port, by operation and outcome',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  })
  const pveDurations = new Histogram({
    name: `${prefix}pve_operation_duration_seconds`,
    help: 'Duration of operations asked of Proxmox, by operation',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  })
  new Gauge({
    name: `${prefix}jobs`,
    help: 'Jobs the service knows, by type and state',
    labelNames: ['type', 'state'],
    registers: [registry],
    collect() {
      this.reset()
      for (const job of sources.listJobs()) this.inc({ type: job.type, state: job.state })
    },
  })
  new Gauge({
    name: `${prefix}install_queue_depth`,
    help: 'Installs waiting for a free slot (MAX_CONCURRENT_INSTALLS)',
    registers: [registry],
    collect() {
      this.set(
        sources.listJobs().filter((job) => job.type === 'install' && job.state === 'queued').length,
      )
    },
  })
  new Gauge({
    name: `${prefix}installs_running`,
    help: 'Installs running now',
    registers: [registry],
    collect() {
      this.set(
        sources.listJobs().filter((job) => job.type === 'install' && job.state === 'running')
          .length,
      )
    },
  })
  if (sources.resources !== undefined) addClusterGauges(registry, sources.resources)
  const { imageDir } = sources
  if (imageDir !== undefined) {
    new Gauge({
      name: `${prefix}image_cache_bytes`,
      help: 'Bytes of the verified cloud images kept in IMAGE_DIR',
      registers: [registry],
      async collect() {
        this.set(await directoryBytes(imageDir))
      },
    })
  }
  const { imageStats, commandCounts } = sources
  if (imageStats !== undefined) {
    new Counter({
      name: `${prefix}image_cache_hits_total`,
      help: 'Image requests answered by a verified copy already on disk',
      registers: [registry],
      collect() {
        this.reset()
        this.inc(imageStats().cacheHits)
      },
    })
    new Counter({
      name: `${prefix}image_cache_misses_total`,
      help: 'Image requests that had to download the image',
      registers: [registry],
      collect() {
        this.reset()
        this.inc(imageStats().cacheMisses)
      },
    })
  }
  if (commandCounts !== undefined) {
    new Counter({
      name: `${prefix}pve_commands_total`,
      help: 'Proxmox tool commands the cli driver ran, by tool and subcommand (qm start, pvesh get)',
      labelNames: ['command'],
      registers: [registry],
      collect() {
        this.reset()
        for (const [command, count] of Object.entries(commandCounts())) this.inc({ command }, count)
      },
    })
  }

  return {
    registry,
    observeRequest({ method, route, status }, seconds) {
      requests.observe({ method, route, status: String(status) }, seconds)
    },
    observeStage({ jobType, stage, outcome }, seconds) {
      stages.observe({ job_type: jobType, stage, outcome }, seconds)
    },
    observePveOperation({ operation, outcome }, seconds) {
      pveCalls.inc({ operation, outcome })
      pveDurations.observe({ operation }, seconds)
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  }
}

/**
 * Per-node CPU load, memory and running VMs, read from the shared resource list at each scrape
 * (one cached Proxmox read serves every scraper and the VM list). A node Proxmox has no figure
 * for yet reads 0, never NaN; a failed read leaves the gauges empty rather than failing /metrics.
 */
function addClusterGauges(registry: Registry, resources: () => Promise<ClusterResources>): void {
  let pending: Promise<ClusterResources | undefined> | undefined
  // the four gauges are collected one after another within a scrape: they share one read
  const read = (): Promise<ClusterResources | undefined> => {
    pending ??= resources()
      .catch(() => undefined)
      .finally(() => setTimeout(() => (pending = undefined), 0).unref())
    return pending
  }
  const gauge = (
    name: string,
    help: string,
    value: (resources: ClusterResources, node: string) => number,
  ): void => {
    new Gauge({
      name: `${prefix}${name}`,
      help,
      labelNames: ['node'],
      registers: [registry],
      async collect() {
        this.reset()
        const listed = await read()
        if (listed === undefined) return
        for (const node of listed.nodes) {
          const figure = value(listed, node.node)
          this.set({ node: node.node }, Number.isFinite(figure) ? figure : 0)
        }
      },
    })
  }
  const nodeOf = (listed: ClusterResources, name: string) =>
    listed.nodes.find((node) => node.node === name)
  gauge('node_cpu_ratio', 'CPU load of each node, 0..1', (l, n) => nodeOf(l, n)?.cpu ?? 0)
  gauge('node_memory_used_bytes', 'Memory in use on each node', (l, n) => nodeOf(l, n)?.mem ?? 0)
  gauge('node_memory_total_bytes', 'Memory of each node', (l, n) => nodeOf(l, n)?.maxmem ?? 0)
  gauge(
    'node_running_vms',
    'VMs running on each node',
    (l, n) => l.vms.filter((vm) => vm.node === n && vm.status === 'running').length,
  )
  gauge('node_online', '1 when the node is online', (l, n) =>
    nodeOf(l, n)?.status === 'online' ? 1 : 0,
  )
}
