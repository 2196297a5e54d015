import { attachCommand } from './attach.js'
import { cancelCommand } from './cancel.js'
import type { Command } from './command.js'
import { credentialsCommand } from './credentials.js'
import { destroyCommand } from './destroy.js'
import { infoCommand } from './info.js'
import { installCommand } from './install.js'
import { jobsCommand } from './jobs.js'
import { listCommand } from './list.js'
import { osCommand } from './os.js'
import { rebootCommand, shutdownCommand, startCommand, stopCommand } from './power.js'
import { serveCommand } from './serve.js'
import { setCommand } from './set.js'
import { statusCommand } from './status.js'

/** Every command, in the order help lists them. */
export const commands: readonly Command[] = [
  serveCommand,
  installCommand,
  listCommand,
  infoCommand,
  statusCommand,
  startCommand,
  stopCommand,
  shutdownCommand,
  rebootCommand,
  destroyCommand,
  setCommand,
  jobsCommand,
  attachCommand,
  cancelCommand,
  credentialsCommand,
  osCommand,
]

export function findCommand(name: string): Command | undefined {
  return commands.find((command) => command.name === name)
}

export type { Command, CommandContext } from './command.js'
