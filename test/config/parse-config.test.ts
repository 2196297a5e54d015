import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../../src/config/index.js'
import { parseProblems } from '../helpers/config-problems.js'

describe('parseConfig defaults', () => {
  it('runs the simulator on loopback when nothing is set', () => {
    expect(parseConfig({})).toMatchObject({
      http: { port: 8080, host: '0.0.0.0', allowIps: ['0.0.0.0'], trustProxy: [] },
      network: { gateway: '127.0.0.1', ipStart: 100, ipEnd: 254 },
      pve: {
        driver: 'sim',
        mainNode: undefined,
        nodes: [],
        storage: 'local-lvm',
        simulated: true,
        sshKeyFile: '/root/.ssh/id_rsa',
      },
      vm: {
        maxCpu: 32,
        maxRamMb: undefined,
        maxDiskGb: undefined,
        balloonMinMb: undefined,
        rootPassword: undefined,
      },
      sim: { speed: 0.25, nodes: undefined, cliStartupMs: 0 },
      install: {
        imageDir: resolve('data', 'images'),
        mirrors: {},
        guestSshPort: 2222,
        guestSshTimeoutMs: 300_000,
        timezone: 'UTC',
        adminKeysFile: undefined,
        storageQueueConcurrency: 4,
      },
      dataDir: resolve('data'),
      logLevel: 'info',
    })
  })

  it('treats empty and blank values as unset', () => {
    const config = parseConfig({ PORT: '', VM_MAX_RAM: '  ', ALLOW_IPS: ' , ', MAIN_NODE: '' })
    expect(config.http.port).toBe(8080)
    expect(config.vm.maxRamMb).toBeUndefined()
    expect(config.http.allowIps).toEqual(['0.0.0.0'])
    expect(config.pve.driver).toBe('sim')
  })

  it('returns a deeply frozen object', () => {
    const config = parseConfig({ NODE_pve1: '127.0.0.11', ALLOW_IPS: '127.0.0.1' })
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.http.allowIps)).toBe(true)
    expect(Object.isFrozen(config.pve.nodes[0])).toBe(true)
    expect(Reflect.set(config.http, 'port', 1)).toBe(false)
    expect(Reflect.set(config.http.allowIps, 0, '::1')).toBe(false)
    expect(config.http).toMatchObject({ port: 8080, allowIps: ['127.0.0.1'] })
  })

  it('resolves a relative DATA_DIR against the given directory', () => {
    expect(parseConfig({ DATA_DIR: 'state' }, { cwd: '/srv/pve-qemu' }).dataDir).toBe(
      '/srv/pve-qemu/state',
    )
    expect(parseConfig({ DATA_DIR: '/var/lib/pve-qemu' }).dataDir).toBe('/var/lib/pve-qemu')
  })
})

describe('parseConfig values', () => {
  it('reads a full real-cluster configuration', () => {
    const config = parseConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      GATEWAY: '127.0.0.1',
      MAIN_NODE: 'pve1',
      NODE_pve1: '127.0.0.11',
      NODE_pve2: '127.0.0.12',
      ASSIGN_STORAGE: 'local-zfs',
      ASSIGN_IP_START: '120',
      ASSIGN_IP_END: '130',
      ALLOW_IPS: '127.0.0.1, 127.0.1.0/24, ::1',
      TRUST_PROXY: '127.0.0.2',
      VM_MAX_CPU: '8',
      VM_MAX_RAM: '32768',
      VM_MAX_DISK: '64',
      VM_BALLOON_MIN: '2048',
      VM_ROOT_PASSWORD: 'correct horse',
      LOG_LEVEL: 'debug',
    })
    expect(config.pve).toEqual({
      driver: 'cli',
      mainNode: 'pve1',
      nodes: [
        { name: 'pve1', ip: '127.0.0.11' },
        { name: 'pve2', ip: '127.0.0.12' },
      ],
      storage: 'local-zfs',
      simulated: false,
      sshKeyFile: '/root/.ssh/id_rsa',
    })
    expect(config.http).toEqual({
      port: 9000,
      host: '127.0.0.1',
      allowIps: ['127.0.0.1', '127.0.1.0/24', '::1'],
      trustProxy: ['127.0.0.2'],
    })
    expect(config.network).toEqual({ gateway: '127.0.0.1', ipStart: 120, ipEnd: 130 })
    expect(config.vm).toMatchObject({
      maxCpu: 8,
      maxRamMb: 32768,
      maxDiskGb: 64,
      balloonMinMb: 2048,
    })
    expect(config.vm.rootPassword?.reveal()).toBe('correct horse')
    expect(config.logLevel).toBe('debug')
  })

  it.each([
    [{ MAIN_NODE: 'pve1', GATEWAY: '127.0.0.1' }, 'cli'],
    [{ MAIN_NODE: 'pve1', PVE_DRIVER: 'sim' }, 'sim'],
    [{ GATEWAY: '127.0.0.1', PVE_DRIVER: 'api' }, 'api'],
    [{ PVE_DRIVER: 'sim' }, 'sim'],
  ])('picks the driver for %j: %s', (vars, driver) => {
    expect(parseConfig(vars).pve.driver).toBe(driver)
  })

  it('lets the simulator take MAIN_NODE and the NODE_ names', () => {
    const config = parseConfig({
      PVE_DRIVER: 'sim',
      MAIN_NODE: 'pve2',
      NODE_pve1: '127.0.0.11',
      NODE_pve2: '127.0.0.12',
    })
    expect(config.pve.mainNode).toBe('pve2')
    expect(config.pve.nodes.map((node) => node.name)).toEqual(['pve1', 'pve2'])
    expect(config.sim.nodes).toBeUndefined()
  })

  it('reads SIM_NODES and SIM_SPEED', () => {
    const config = parseConfig({ SIM_NODES: 'alpha, beta,gamma', SIM_SPEED: '0' })
    expect(config.sim).toEqual({
      speed: 0,
      nodes: ['alpha', 'beta', 'gamma'],
      cliStartupMs: 0,
      proxyTimeoutMs: 30_000,
    })
  })

  it('reads SIM_SHARED_STORAGE, a storage ID no node already has', () => {
    expect(parseConfig({}).sim.sharedStorage).toBeUndefined()
    expect(parseConfig({ SIM_SHARED_STORAGE: 'nfs-shared' }).sim.sharedStorage).toBe('nfs-shared')
    expect(() => parseConfig({ SIM_SHARED_STORAGE: 'NFS share' })).toThrow(
      /SIM_SHARED_STORAGE: must be a Proxmox storage id .*got "NFS share"/,
    )
    expect(() => parseConfig({ SIM_SHARED_STORAGE: 'local-lvm' })).toThrow(
      /SIM_SHARED_STORAGE: must not be "local-lvm": every node has its own/,
    )
  })

  it('skips the NODE_ variables Node.js and its images set', () => {
    const config = parseConfig({
      NODE_ENV: 'production',
      NODE_OPTIONS: '--enable-source-maps',
      NODE_VERSION: '20.20.2',
      NODE_EXTRA_CA_CERTS: '/etc/ssl/ca.pem',
      NODE_TLS_REJECT_UNAUTHORIZED: '0',
      NODE_pve1: '127.0.0.11',
    })
    expect(config.pve.nodes).toEqual([{ name: 'pve1', ip: '127.0.0.11' }])
  })

  it('puts IPv4-mapped allowlist entries in their IPv4 form', () => {
    expect(parseConfig({ ALLOW_IPS: '::ffff:127.0.0.1' }).http.allowIps).toEqual(['127.0.0.1'])
  })
})

describe('parseConfig problems', () => {
  const cases: [Record<string, string>, string][] = [
    [{ ASSIGN_IP_START: '99' }, 'ASSIGN_IP_START: must be an integer from 100 to 254, got "99"'],
    [{ ASSIGN_IP_START: '1e2' }, 'ASSIGN_IP_START: must be an integer from 100 to 254, got "1e2"'],
    [{ ASSIGN_IP_END: '255' }, 'ASSIGN_IP_END: must be an integer from 100 to 254, got "255"'],
    [
      { ASSIGN_IP_START: '150', ASSIGN_IP_END: '120' },
      'ASSIGN_IP_END: must be at least ASSIGN_IP_START (150), got "120"',
    ],
    [{ PORT: '0' }, 'PORT: must be an integer from 1 to 65535, got "0"'],
    [{ PORT: '80.5' }, 'PORT: must be an integer from 1 to 65535, got "80.5"'],
    [{ PORT: '-1' }, 'PORT: must be an integer from 1 to 65535, got "-1"'],
    [{ PORT: '65536' }, 'PORT: must be an integer from 1 to 65535, got "65536"'],
    [
      { HOST: 'bad host' },
      'HOST: must be an IP address or host name to listen on, such as 0.0.0.0 or 127.0.0.1, got "bad host"',
    ],
    [{ GATEWAY: '127.0.0' }, 'GATEWAY: must be an IPv4 address such as 127.0.0.1, got "127.0.0"'],
    [
      { GATEWAY: '192.0.2.1' },
      'GATEWAY: must be a loopback address (127.x.x.x) while the simulator runs, got "192.0.2.1"',
    ],
    [
      { MAIN_NODE: 'pve1' },
      "GATEWAY: is required when PVE_DRIVER is cli: the IPv4 gateway of the VMs' network",
    ],
    [
      { PVE_DRIVER: 'cli', GATEWAY: '192.0.2.1' },
      'GATEWAY: must be a loopback address (127.x.x.x) while the simulator runs, got "192.0.2.1"',
    ],
    [{ PVE_DRIVER: 'qemu' }, 'PVE_DRIVER: must be one of sim, cli, api, got "qemu"'],
    [
      { MAIN_NODE: 'pve_1', PVE_DRIVER: 'sim' },
      'MAIN_NODE: must be a Proxmox node name (letters, digits and inner hyphens), got "pve_1"',
    ],
    [
      { NODE_pve2: '127.0.0.300' },
      'NODE_pve2: must be the IPv4 address of node pve2, such as 127.0.0.11, got "127.0.0.300"',
    ],
    [
      { 'NODE_pve.2': '127.0.0.12' },
      'NODE_pve.2: the part after NODE_ must be a Proxmox node name (letters, digits and inner hyphens)',
    ],
    [
      { ASSIGN_STORAGE: 'Local LVM' },
      'ASSIGN_STORAGE: must be a Proxmox storage id (lower-case letters, digits, "-", "_" and "."), such as local-lvm, got "Local LVM"',
    ],
    [
      { ALLOW_IPS: '127.0.0.1,127.0.0.256' },
      'ALLOW_IPS: entry "127.0.0.256": not an IPv4/IPv6 address or CIDR range (expected comma-separated IPv4/IPv6 addresses or CIDR ranges)',
    ],
    [
      { ALLOW_IPS: '127.0.0.0/40' },
      'ALLOW_IPS: entry "127.0.0.0/40": the prefix length after "/" must be an integer from 0 to 32 (expected comma-separated IPv4/IPv6 addresses or CIDR ranges)',
    ],
    [
      { TRUST_PROXY: '127.0.0.2,0.0.0.0' },
      'TRUST_PROXY: must list the proxies themselves, not everyone: trusting every peer lets any client choose its address',
    ],
    [{ VM_MAX_CPU: '64' }, 'VM_MAX_CPU: must be an integer from 1 to 32, got "64"'],
    [{ VM_MAX_CPU: '0' }, 'VM_MAX_CPU: must be an integer from 1 to 32, got "0"'],
    [{ VM_MAX_RAM: '256' }, 'VM_MAX_RAM: must be an integer of at least 512 (MB), got "256"'],
    [{ VM_MAX_DISK: '64G' }, 'VM_MAX_DISK: must be an integer of at least 16 (GB), got "64G"'],
    [{ VM_MAX_DISK: '8' }, 'VM_MAX_DISK: must be an integer of at least 16 (GB), got "8"'],
    [{ VM_BALLOON_MIN: '-1' }, 'VM_BALLOON_MIN: must be an integer of at least 0 (MB), got "-1"'],
    [
      { VM_MAX_RAM: '1024', VM_BALLOON_MIN: '2048' },
      'VM_BALLOON_MIN: must not exceed VM_MAX_RAM (1024 MB), got "2048"',
    ],
    [{ SIM_SPEED: '11' }, 'SIM_SPEED: must be a number from 0 to 10, got "11"'],
    [{ SIM_SPEED: 'fast' }, 'SIM_SPEED: must be a number from 0 to 10, got "fast"'],
    [
      { SIM_NODES: 'pve1,pve 2' },
      'SIM_NODES: entry "pve 2" must be a Proxmox node name (letters, digits and inner hyphens)',
    ],
    [{ SIM_NODES: 'pve1,pve1' }, 'SIM_NODES: lists "pve1" twice'],
    [
      { SIM_NODES: 'pve1', NODE_pve1: '127.0.0.11' },
      'SIM_NODES: cannot be combined with NODE_<name> variables: the simulator then uses the NODE_ names',
    ],
    [
      { PVE_DRIVER: 'sim', MAIN_NODE: 'pve9', SIM_NODES: 'pve1,pve2' },
      'MAIN_NODE: must be one of the simulated nodes (pve1, pve2), got "pve9"',
    ],
    [
      { LOG_LEVEL: 'verbose' },
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
    ],
  ]

  it.each(cases)('for %j reports one line', (vars, problem) => {
    expect(parseProblems(vars)).toEqual([problem])
  })

  it('reports every problem at once, one line each, as a ConfigError', () => {
    const vars = { PORT: 'http', ASSIGN_IP_START: '99', VM_MAX_CPU: '33', LOG_LEVEL: 'loud' }
    let thrown: unknown
    try {
      parseConfig(vars)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(ConfigError)
    expect(thrown).toMatchObject({ code: 'CONFIG_INVALID', name: 'ConfigError' })
    const message = thrown instanceof Error ? thrown.message : ''
    expect(message.split('\n')).toEqual([
      'PORT: must be an integer from 1 to 65535, got "http"',
      'ASSIGN_IP_START: must be an integer from 100 to 254, got "99"',
      'VM_MAX_CPU: must be an integer from 1 to 32, got "33"',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ])
  })

  it('shortens a long value and escapes control characters in a problem', () => {
    const [problem] = parseProblems({ GATEWAY: `${'x'.repeat(100)}\n` })
    expect(problem).toBe(
      `GATEWAY: must be an IPv4 address such as 127.0.0.1, got "${'x'.repeat(61)}..."`,
    )
    expect(parseProblems({ PORT: '1\u001b[2J' })).toEqual([
      'PORT: must be an integer from 1 to 65535, got "1\\u001b[2J"',
    ])
  })

  it('never puts the root password in a problem', () => {
    const problems = parseProblems({ VM_ROOT_PASSWORD: 'hunter2-secret', PORT: 'x' })
    expect(problems.join('\n')).not.toContain('hunter2')
  })
})
