import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

import { privilegeList, requiredPrivileges } from '../../../../src/pve/drivers/api/index.js'

const readme = readFileSync(
  fileURLToPath(new URL('../../../../README.md', import.meta.url)),
  'utf8',
)
const section = readme.slice(readme.indexOf('## Running with the REST API driver'))

describe('README, "Running with the REST API driver"', () => {
  it('creates a role with exactly the privileges the driver checks', () => {
    const line = /pveum role add PVEQemuService --privs "([^"]+)"/.exec(section)
    expect(line?.[1]).toBe(privilegeList())
  })

  it('says what each privilege is for', () => {
    // prettier pads table cells, so headers and cells are matched with any padding
    const table = section.slice(section.search(/\| Privilege\s+\|/), section.indexOf('At start'))
    for (const { privilege } of requiredPrivileges) expect(table).toContain(`\`${privilege}\``)
  })

  it('lists each api driver variable in the configuration table', () => {
    const table = readme.slice(readme.search(/\| Variable\s+\|/), readme.indexOf('## API'))
    for (const name of [
      'PVE_API_URL',
      'PVE_TOKEN_ID',
      'PVE_TOKEN_SECRET',
      'PVE_CA_FILE',
      'PVE_TLS_FINGERPRINT',
      'PVE_TLS_INSECURE',
    ]) {
      expect(table).toMatch(new RegExp(`\\|\\s*\`${name}\`\\s*\\|`))
    }
  })
})
