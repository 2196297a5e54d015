import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, get, post, type TestApp } from '../helpers/build-test-app.js'
import { readSse } from '../helpers/sse-client.js'

let t: TestApp

beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => {
  await t.close()
})

async function scrape(): Promise<string> {
  const reply = await get(`${t.url}/metrics`)
  expect(reply.status).toBe(200)
  expect(reply.type).toContain('text/plain')
  return reply.text
}

/** The value of one sample line, by metric name and exact label set; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels)
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    const labelText = /\{(.*)\}/.exec(line)?.[1] ?? ''
    const found = new Map([...labelText.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
    if (found.size !== wanted.length) continue
    if (wanted.every(([key, value]) => found.get(key) === value))
      return Number(line.split(' ').at(-1))
  }
  return undefined
}

async function install(): Promise<number> {
  const stream = await readSse(`${t.url}/api/vm/install`, {
    body: { os: 'debian', version: '12', passwd: 'pw' },
  })
  const last = stream.steps.find((step) => step.vm_id !== undefined)
  expect(last?.vm_id).toBeDefined()
  return last?.vm_id ?? 0
}

describe('GET /metrics', () => {
  it('graphs the cluster from a fresh start: per-node gauges, queue depth, cache size, no NaN (issue 15.8)', async () => {
    const text = await scrape()
    expect(text).not.toMatch(/\bNaN\b/)
    for (const node of ['pve1', 'pve2', 'pve3']) {
      expect(sample(text, 'pve_qemu_node_running_vms', { node })).toBe(node === 'pve2' ? 0 : 1)
      expect(sample(text, 'pve_qemu_node_memory_total_bytes', { node })).toBeGreaterThan(0)
      expect(sample(text, 'pve_qemu_node_memory_used_bytes', { node })).toBeGreaterThan(0)
      expect(sample(text, 'pve_qemu_node_cpu_ratio', { node })).toBeGreaterThanOrEqual(0)
      expect(sample(text, 'pve_qemu_node_online', { node })).toBe(1)
    }
    expect(sample(text, 'pve_qemu_install_queue_depth', {})).toBe(0)
    expect(sample(text, 'pve_qemu_installs_running', {})).toBe(0)
    expect(sample(text, 'pve_qemu_image_cache_bytes', {})).toBe(0)
  })

  it('has a Grafana dashboard in deploy/ whose every metric the service exports', async () => {
    const file = new URL('../../deploy/grafana-pve-qemu.json', import.meta.url)
    const dashboard = JSON.parse(readFileSync(file, 'utf8')) as {
      panels: { targets: { expr: string }[] }[]
    }
    const used = new Set(
      dashboard.panels.flatMap((panel) =>
        panel.targets.flatMap((target) =>
          [...target.expr.matchAll(/pve_qemu_\w+/g)].map((m) => m[0]),
        ),
      ),
    )
    expect(used.size).toBeGreaterThan(10)
    const text = await scrape()
    for (const name of used) {
      const base = name.replace(/_(bucket|count|sum)$/, '')
      expect(text, name).toMatch(new RegExp(`^# TYPE ${base} `, 'm'))
    }
  })

  it('counts requests by route pattern, never by raw URL', async () => {
    await get(`${t.url}/api/vm/list`)
    await get(`${t.url}/api/vm/list`)
    await get(`${t.url}/api/vm/100/status`)
    await get(`${t.url}/api/vm/999/status`)
    const text = await scrape()
    const count = (route: string, status: string): number | undefined =>
      sample(text, 'pve_qemu_http_request_duration_seconds_count', { method: 'GET', route, status })
    expect(count('/api/vm/list', '200')).toBe(2)
    expect(count('/api/vm/:id/status', '200')).toBe(1)
    expect(count('/api/vm/:id/status', '404')).toBe(1)
    expect(text).not.toContain('route="/api/vm/999/status"')
  })

  it('shows jobs by type and state, stage durations, Proxmox operations and image cache use', async () => {
    await install()
    let text = await scrape()
    expect(sample(text, 'pve_qemu_jobs', { type: 'install', state: 'succeeded' })).toBe(1)
    const stage = (name: string, outcome: string): number | undefined =>
      sample(text, 'pve_qemu_stage_duration_seconds_count', {
        job_type: 'install',
        stage: name,
        outcome,
      })
    expect(stage('preparation > checking VMID', 'success')).toBe(1)
    expect(stage('VM creation > creating VM', 'success')).toBe(1)
    expect(stage('VM initialization > SSH initialization', 'success')).toBe(1)
    expect(
      sample(text, 'pve_qemu_pve_operations_total', { operation: 'createVm', outcome: 'success' }),
    ).toBe(1)
    expect(
      sample(text, 'pve_qemu_pve_operation_duration_seconds_count', { operation: 'createVm' }),
    ).toBe(1)
    expect(sample(text, 'pve_qemu_image_cache_misses_total', {})).toBe(1)
    expect(sample(text, 'pve_qemu_image_cache_hits_total', {})).toBe(0)
    expect(sample(text, 'pve_qemu_image_cache_bytes', {})).toBeGreaterThan(0)
    // buckets from a second to minutes, where install stages fall
    for (const le of ['1', '5', '30', '60', '120', '300', '600'])
      expect(text).toContain(
        `pve_qemu_stage_duration_seconds_bucket{le="${le}",job_type="install",stage="VM creation > creating VM",outcome="success"}`,
      )

    await install()
    text = await scrape()
    expect(sample(text, 'pve_qemu_jobs', { type: 'install', state: 'succeeded' })).toBe(2)
    expect(sample(text, 'pve_qemu_image_cache_hits_total', {})).toBe(1)
    expect(sample(text, 'pve_qemu_image_cache_misses_total', {})).toBe(1)
  })

  it('records a failed stage and a failed Proxmox operation as errors', async () => {
    t.sim.faults.inject({ operation: 'create', message: 'injected create failure' })
    const stream = await readSse(`${t.url}/api/vm/install`, {
      body: { os: 'debian', version: '12', passwd: 'pw' },
    })
    expect(stream.steps.at(-1)?.status).toBe('error')
    const text = await scrape()
    expect(sample(text, 'pve_qemu_jobs', { type: 'install', state: 'failed' })).toBe(1)
    expect(
      sample(text, 'pve_qemu_stage_duration_seconds_count', {
        job_type: 'install',
        stage: 'VM creation > creating VM',
        outcome: 'error',
      }),
    ).toBe(1)
    expect(
      sample(text, 'pve_qemu_pve_operations_total', { operation: 'createVm', outcome: 'error' }),
    ).toBe(1)
  })

  it('times lifecycle jobs too', async () => {
    expect((await post(`${t.url}/api/vm/100/stop`)).status).toBe(200)
    const stream = await readSse(`${t.url}/api/vm/100/start`, { method: 'POST' })
    expect(stream.steps.at(-1)?.status).toBe('success')
    const text = await scrape()
    expect(sample(text, 'pve_qemu_jobs', { type: 'start', state: 'succeeded' })).toBe(1)
    expect(
      sample(text, 'pve_qemu_stage_duration_seconds_count', {
        job_type: 'start',
        stage: 'starting VM',
        outcome: 'success',
      }),
    ).toBe(1)
  })
})

describe('GET /metrics with the cli driver', () => {
  it('counts the Proxmox commands it ran, by tool and subcommand', async () => {
    const cli = await buildTestApp({ env: { PVE_DRIVER: 'cli' } })
    try {
      expect((await post(`${cli.url}/api/vm/100/stop`)).status).toBe(200)
      const text = (await get(`${cli.url}/metrics`)).text
      expect(sample(text, 'pve_qemu_pve_commands_total', { command: 'qm stop' })).toBe(1)
      expect(sample(text, 'pve_qemu_pve_commands_total', { command: 'pvesh get' })).toBeGreaterThan(
        0,
      )
      expect(
        sample(text, 'pve_qemu_pve_operations_total', { operation: 'stopVm', outcome: 'success' }),
      ).toBe(1)
    } finally {
      await cli.close()
    }
  })
})
