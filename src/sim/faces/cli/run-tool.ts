import { describeError } from '../../../errors.js'
import { runCommandTree } from './command-tree.js'
import { dieExit } from './print-errors.js'
import { runPvesh } from './pvesh/pvesh-tool.js'
import { pvesmCommands } from './pvesm/pvesm-tool.js'
import { qmCommands } from './qm/qm-tool.js'
import type { ToolIo } from './tool-io.js'

/** The tools the face serves. */
export const cliTools = ['qm', 'pvesh', 'pvesm'] as const

/** Runs one invocation of a fake tool; resolves with its exit status. */
export async function runTool(io: ToolIo, tool: string, argv: readonly string[]): Promise<number> {
  try {
    switch (tool) {
      case 'qm':
        return await runCommandTree(io, 'qm', qmCommands, argv)
      case 'pvesm':
        return await runCommandTree(io, 'pvesm', pvesmCommands, argv)
      case 'pvesh':
        return await runPvesh(io, argv)
      default:
        io.stderr(`${tool}: not a tool of the simulated cluster`)
        return 127
    }
  } catch (error) {
    // an unexpected failure prints like a Perl die: the message, exit 255
    io.stderr(describeError(error).replace(/\n$/, ''))
    return dieExit
  }
}
