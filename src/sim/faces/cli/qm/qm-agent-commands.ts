import type { CliCommand } from '../command-tree.js'
import { prettyJson } from '../format/json-output.js'
import { optionTable } from '../getopt.js'
import { printApiError } from '../print-errors.js'
import { callApi, qemuPath } from '../tool-io.js'

/**
 * `qm guest cmd <vmid> <command>` (alias `qm agent`): the agent API method, its `result` printed
 * as qemu-server PVE/CLI/qm.pm `$print_agent_result` does: nothing for an empty object (a
 * successful `ping`), a scalar as a line, anything else as pretty JSON (3-space indent,
 * `"key" : value`, keys sorted). Errors are the API's die messages, exit 255 (pve.md §2.11).
 */
export const qmGuestCmd: CliCommand = {
  kind: 'command',
  usage: 'qm guest cmd <vmid> <command>',
  positional: ['vmid', 'command'],
  options: optionTable({}),
  async run(io, args) {
    const path = `${qemuPath(io, args.vmid ?? '')}/agent`
    const response = await callApi(io, 'POST', path, { command: args.command ?? '' })
    if (response.status !== 200) return printApiError(io, response, this.usage)
    const data = response.data
    const result =
      typeof data === 'object' && data !== null && 'result' in data ? data.result : data
    if (result === undefined || result === null) return 0
    if (typeof result === 'string' || typeof result === 'number' || typeof result === 'boolean') {
      const text = String(result).replace(/\n$/, '')
      if (text.trim() !== '') io.stdout(text)
      return 0
    }
    if (typeof result === 'object' && !Array.isArray(result) && Object.keys(result).length === 0)
      return 0
    io.stdout(prettyJson(result))
    return 0
  },
}
