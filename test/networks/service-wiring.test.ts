import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/index.js'
import { createService, type Service } from '../../src/create-service.js'

const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-networks-service-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let service: Service | undefined
afterEach(async () => {
  await service?.close()
  service = undefined
})

const file = join(dir, 'networks.yaml')
writeFileSync(
  file,
  'networks:\n  - { name: lan, bridge: vmbr0, mode: static, cidr: 127.20.0.0/24, gateway: 127.20.0.1 }\n',
)

async function start(env: Record<string, string>): Promise<Service> {
  const config = parseConfig({
    SIM_SPEED: '0',
    DATA_DIR: mkdtempSync(join(dir, 'data-')),
    NETWORKS_FILE: file,
    TEMPLATES: 'off',
    ...env,
  })
  service = await createService(config, { logger: pino({ level: 'silent' }) })
  return service
}

const signal = new AbortController().signal

describe('the address book in the service', () => {
  it('skips an address the simulated network answers ping on (IP_PROBE=ping)', async () => {
    const { simulator, addresses, config } = await start({})
    const lan = config.networks.networks[0]
    if (simulator === undefined || lan === undefined) throw new Error('simulated, one network')
    simulator.network.addForeignHost('127.20.0.2')
    expect(await addresses.hold(lan, 'job-a', { vmid: 1000, signal })).toEqual({
      network: 'lan',
      ipv4: '127.20.0.3',
    })
  })

  it('hands out an answering address with IP_PROBE=off', async () => {
    const { simulator, addresses, config } = await start({ IP_PROBE: 'off' })
    const lan = config.networks.networks[0]
    if (simulator === undefined || lan === undefined) throw new Error('simulated, one network')
    simulator.network.addForeignHost('127.20.0.2')
    expect((await addresses.hold(lan, 'job-a', { vmid: 1000, signal })).ipv4).toBe('127.20.0.2')
  })
})
