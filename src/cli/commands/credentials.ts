import { readFields } from '../api/read-json.js'
import { exitCodes, usageError } from '../errors.js'
import type { Command } from './command.js'

/** `credentials <job>`: the generated password of an install, once, to whoever started it. */
export const credentialsCommand: Command = {
  name: 'credentials',
  usage: 'pve-qemu credentials <job-id> [--json]',
  summary: "an install's generated password, if you missed it (once, within 24 h)",
  details: [
    'The service keeps a generated password in memory only, for the API token that started the',
    'install (anyone when no token is configured), and hands it over once. A restart forgets it.',
  ],
  async run({ client, out, json, positionals, signal }) {
    const id = positionals[0]
    if (id === undefined)
      throw usageError(`missing job id (see pve-qemu jobs); usage: ${this.usage}`)
    const reply = readFields(
      await client().getJson(`/api/jobs/${encodeURIComponent(id)}/credentials`, { signal }),
      'credentials',
    )
    const found = reply.object('credentials')
    const credentials = {
      password: found.string('password'),
      vmid: found.optionalNumber('vmid'),
      ip: found.optionalString('ip'),
      user: found.optionalString('user'),
      ssh: found.optionalString('ssh'),
    }
    if (json) {
      out.json(credentials)
      return exitCodes.ok
    }
    const rows: [string, string | number | undefined][] = [
      ['VMID', credentials.vmid],
      ['IP', credentials.ip],
      ['User', credentials.user],
      ['Password', credentials.password],
      ['SSH', credentials.ssh],
    ]
    for (const [key, value] of rows)
      if (value !== undefined) out.line(`${key.padEnd(9)} ${String(value)}`)
    out.note(out.style.paint('dim', 'the service has now forgotten this password; keep it safe'))
    return exitCodes.ok
  },
}
