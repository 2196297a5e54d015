import type { Route } from '../api/route.js'
import { clusterRoutes } from './cluster.js'
import { qemuCloneRoutes } from './qemu-clone.js'
import { nodeRoutes } from './node.js'
import { nodeNetworkRoutes } from './node-network.js'
import { qemuAgentRoutes } from './qemu-agent.js'
import { qemuConfigRoutes } from './qemu-config.js'
import { qemuCreateRoutes } from './qemu-create.js'
import { qemuDestroyRoutes } from './qemu-destroy.js'
import { qemuMigrateRoutes } from './qemu-migrate.js'
import { qemuPowerRoutes } from './qemu-power.js'
import { qemuReadRoutes } from './qemu-read.js'
import { qemuResizeRoutes } from './qemu-resize.js'
import { storageDownloadRoutes } from './storage-download.js'
import { taskRoutes } from './tasks.js'

/** Every API method the simulator implements; anything else answers 501. */
export const allRoutes: readonly Route[] = [
  ...clusterRoutes,
  ...nodeRoutes,
  ...nodeNetworkRoutes,
  ...qemuAgentRoutes,
  ...storageDownloadRoutes,
  ...taskRoutes,
  ...qemuReadRoutes,
  ...qemuCreateRoutes,
  ...qemuConfigRoutes,
  ...qemuPowerRoutes,
  ...qemuResizeRoutes,
  ...qemuDestroyRoutes,
  ...qemuMigrateRoutes,
  ...qemuCloneRoutes,
]
