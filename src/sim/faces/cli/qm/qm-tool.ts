import type { CommandTree } from '../command-tree.js'
import { qmGuestCmd } from './qm-agent-commands.js'
import { qmClone, qmTemplate } from './qm-clone-commands.js'
import { qmDiskImport, qmList } from './qm-local-commands.js'
import {
  qmDestroy,
  qmDiskResize,
  qmMigrate,
  qmReboot,
  qmShutdown,
  qmStart,
  qmStop,
} from './qm-task-commands.js'
import { qmConfig, qmCreate, qmPending, qmSet, qmStatus } from './qm-vm-commands.js'

/** The `qm` subcommands the simulator implements, with qm's aliases. */
export const qmCommands: CommandTree = {
  create: qmCreate,
  set: qmSet,
  config: qmConfig,
  pending: qmPending,
  status: qmStatus,
  list: qmList,
  start: qmStart,
  stop: qmStop,
  shutdown: qmShutdown,
  reboot: qmReboot,
  destroy: qmDestroy,
  migrate: qmMigrate,
  clone: qmClone,
  template: qmTemplate,
  disk: { kind: 'group', commands: { resize: qmDiskResize, import: qmDiskImport } },
  resize: { kind: 'alias', alias: ['disk', 'resize'] },
  importdisk: { kind: 'alias', alias: ['disk', 'import'] },
  guest: { kind: 'group', commands: { cmd: qmGuestCmd } },
  agent: { kind: 'alias', alias: ['guest', 'cmd'] },
}
