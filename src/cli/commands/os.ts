import { readFields } from '../api/read-json.js'
import { exitCodes } from '../errors.js'
import { formatTable } from '../output/table.js'
import type { Command } from './command.js'

interface Release {
  os: string
  version: string
  codename: string
  defaultUser: string
  supportEnds: string
}

/** `os`: the catalog of `GET /api/os`, what `install` accepts. */
export const osCommand: Command = {
  name: 'os',
  usage: 'pve-qemu os [--json]',
  summary: 'the operating systems and versions install offers',
  async run({ client, out, json, signal }) {
    const reply = readFields(await client().getJson('/api/os', { signal }), 'OS list')
    const releases = reply.array('releases').map((entry): Release => {
      const release = readFields(entry, 'release')
      return {
        os: release.string('os'),
        version: release.string('version'),
        codename: release.string('codename'),
        defaultUser: release.string('default_user'),
        supportEnds: release.string('support_ends'),
      }
    })
    if (json) {
      out.json(releases)
      return exitCodes.ok
    }
    const columns = [
      { title: 'OS', value: (r: Release) => r.os },
      { title: 'VERSION', value: (r: Release) => r.version },
      { title: 'CODENAME', value: (r: Release) => r.codename },
      { title: 'USER', value: (r: Release) => r.defaultUser },
      { title: 'SUPPORT ENDS', value: (r: Release) => r.supportEnds },
    ]
    for (const line of formatTable(releases, columns, out.style)) out.line(line)
    return exitCodes.ok
  },
}
