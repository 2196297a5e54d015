import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { configVariables, loadConfig, nodeVariablePrefix } from '../../src/config/index.js'

const envFile = fileURLToPath(new URL('../../.env.example', import.meta.url))
const lines = readFileSync(envFile, 'utf8').split('\n')

/** The line that sets (or shows, commented out) `name`, and the line above it. */
function documentation(name: string): { line: string | undefined; above: string | undefined } {
  const index = lines.findIndex((line) => line.replace(/^# /, '').startsWith(`${name}=`))
  return { line: lines[index], above: index > 0 ? lines[index - 1] : undefined }
}

describe('.env.example', () => {
  it.each(configVariables)('documents %s with a comment line above it', (name) => {
    const { line, above } = documentation(name)
    expect(line).toBeDefined()
    expect(above).toMatch(/^# (?![A-Z_]+=)\S/)
  })

  it('documents the NODE_<name> family', () => {
    expect(lines.some((line) => line.includes(`${nodeVariablePrefix}<name>=<IPv4>`))).toBe(true)
    expect(documentation(`${nodeVariablePrefix}pve1`).line).toBe('NODE_pve1=127.0.0.11')
  })

  it('loads as it is, as a simulated three-node cluster', () => {
    const config = loadConfig({}, { envFile })
    expect(config.pve.driver).toBe('sim')
    expect(config.pve.nodes.map((node) => node.name)).toEqual(['pve1', 'pve2', 'pve3'])
  })

  it('uses loopback addresses only', () => {
    const addresses = lines
      .filter((line) => !line.startsWith('#') || line.startsWith('# TRUST_PROXY='))
      .flatMap((line) => line.replace(/^# /, '').split(/[=,\s]+/))
      .filter((word) => isIP(word.replace(/\/\d+$/, '')) !== 0)
    expect(addresses.length).toBeGreaterThan(4)
    for (const address of addresses) expect(address).toMatch(/^(127\.0\.\d+\.\d+|::1)$/)
  })
})
