import { describe, expect, it } from 'vitest'
import { describeConfig, parseConfig } from '../../src/config/index.js'

describe('describeConfig', () => {
  it('summarises a simulator configuration', () => {
    const lines = describeConfig(
      parseConfig({ SIM_NODES: 'pve1,pve2', ASSIGN_IP_START: '110' }, { cwd: '/srv/app' }),
    )
    expect(lines).toEqual([
      'http: listening on 0.0.0.0:8080; allowed clients everyone; trusted proxies none',
      'pve: driver sim; main node none; nodes none; storage local-lvm',
      'sim: speed 0.25; nodes pve1, pve2',
      'network: gateway 127.0.0.1; VM addresses 127.0.0.110 to 127.0.0.254',
      'vm limits: cpu 32; ram unlimited; disk unlimited; balloon minimum not set; root password not set',
      'data: /srv/app/data; log level info',
    ])
  })

  it('names the simulated shared storage when there is one', () => {
    const lines = describeConfig(parseConfig({ SIM_SHARED_STORAGE: 'nfs-shared' }))
    expect(lines).toContain('sim: speed 0.25; nodes simulator default; shared storage nfs-shared')
  })

  it('summarises a cluster configuration without its secret', () => {
    const lines = describeConfig(
      parseConfig({
        MAIN_NODE: 'pve1',
        NODE_pve1: '127.0.0.11',
        NODE_pve2: '127.0.0.12',
        GATEWAY: '127.0.3.1',
        ALLOW_IPS: '127.0.0.1,::1',
        TRUST_PROXY: '127.0.0.2',
        VM_MAX_RAM: '8192',
        VM_MAX_DISK: '64',
        VM_BALLOON_MIN: '1024',
        VM_ROOT_PASSWORD: 'hunter2',
      }),
    )
    expect(lines.slice(0, 3)).toEqual([
      'http: listening on 0.0.0.0:8080; allowed clients 127.0.0.1, ::1; trusted proxies 127.0.0.2',
      'pve: driver cli; main node pve1; nodes pve1 (127.0.0.11), pve2 (127.0.0.12); storage local-lvm',
      'network: gateway 127.0.3.1; VM addresses 127.0.3.100 to 127.0.3.254',
    ])
    expect(lines[3]).toBe(
      'vm limits: cpu 32; ram 8192 MB; disk 64 GB; balloon minimum 1024 MB; root password set',
    )
    expect(lines.join('\n')).not.toContain('hunter2')
  })
})
