import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { qcow2Header } from '../../../src/sim/index.js'
import type { Simulator } from '../../../src/sim/index.js'
import { asList, buildSim, call, get, runTask } from '../helpers.js'

let sim: Simulator
let server: Server
let base: string
const image = Buffer.concat([qcow2Header(2 * 1024 ** 3), Buffer.alloc(4096, 7)])

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/noble.qcow2' || req.url === '/plain.img') {
      res.end(req.url === '/noble.qcow2' ? image : Buffer.alloc(1000))
      return
    }
    res.statusCode = 404
    res.end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})
afterEach(async () => {
  await sim.close()
})

const token = { user: 'svc@pve', tokenId: 'pve-qemu', via: 'rest-json' as const }

describe('download-url', () => {
  it('downloads an import image that a token can then create a VM from', async () => {
    sim = await buildSim({ demoVms: false })
    const sha = createHash('sha256').update(image).digest('hex')
    const task = await runTask(
      sim,
      'POST',
      '/nodes/pve1/storage/local/download-url',
      {
        url: `${base}/noble.qcow2`,
        filename: 'noble.qcow2',
        content: 'import',
        checksum: sha,
        'checksum-algorithm': 'sha256',
      },
      token,
    )
    expect(task.upid).toMatch(/:download:noble\.qcow2:svc@pve!pve-qemu:$/)
    expect(task.exitstatus).toBe('OK')
    expect(task.lines[0]).toBe(`downloading ${base}/noble.qcow2 to /var/lib/vz/import/noble.qcow2`)
    expect(task.lines).toContain('OK, checksum verified')
    expect(task.lines.at(-1)).toBe(
      `download of '${base}/noble.qcow2' to '/var/lib/vz/import/noble.qcow2' finished`,
    )
    const content = asList(
      await get(sim, '/nodes/pve1/storage/local/content', { content: 'import' }),
    )
    expect(content).toEqual([
      expect.objectContaining({
        volid: 'local:import/noble.qcow2',
        format: 'qcow2',
        size: 2 * 1024 ** 3,
      }),
    ])
    const created = await runTask(
      sim,
      'POST',
      '/nodes/pve1/qemu',
      { vmid: 900, scsi0: 'local-lvm:0,import-from=local:import/noble.qcow2' },
      token,
    )
    expect(created.exitstatus).toBe('OK')
    expect(created.lines).toContain(
      "scsi0: successfully created disk 'local-lvm:vm-900-disk-0,size=2G'",
    )
  })

  it('checks the file name, the storage and the checksum', async () => {
    sim = await buildSim({ demoVms: false })
    expect(
      (
        await call(sim, 'POST', '/nodes/pve1/storage/local/download-url', {
          url: `${base}/plain.img`,
          filename: 'plain.img',
          content: 'import',
        })
      ).errors,
    ).toEqual({
      filename: 'invalid filename or wrong extension',
    })
    expect(
      await call(sim, 'POST', '/nodes/pve1/storage/local-lvm/download-url', {
        url: `${base}/noble.qcow2`,
        filename: 'n.qcow2',
        content: 'import',
      }),
    ).toMatchObject({
      status: 500,
      message: "can't upload to storage type 'lvmthin', not a file based storage!",
    })
    const mismatch = await runTask(sim, 'POST', '/nodes/pve1/storage/local/download-url', {
      url: `${base}/noble.qcow2`,
      filename: 'noble.qcow2',
      content: 'import',
      checksum: 'abc',
      'checksum-algorithm': 'sha256',
    })
    expect(mismatch.exitstatus).toMatch(/^checksum mismatch: got '[0-9a-f]{64}' != expect 'abc'$/)
  })

  it('refuses to override a file and to fetch beyond loopback', async () => {
    sim = await buildSim({ demoVms: false })
    const params = { url: `${base}/noble.qcow2`, filename: 'noble.qcow2', content: 'import' }
    expect(
      (await runTask(sim, 'POST', '/nodes/pve1/storage/local/download-url', params)).exitstatus,
    ).toBe('OK')
    expect(
      (await runTask(sim, 'POST', '/nodes/pve1/storage/local/download-url', params)).exitstatus,
    ).toBe("refusing to override existing file '/var/lib/vz/import/noble.qcow2'")
    const remote = await runTask(sim, 'POST', '/nodes/pve1/storage/local/download-url', {
      ...params,
      url: 'https://cloud-images.example/noble.qcow2',
      filename: 'other.qcow2',
    })
    expect(remote.exitstatus).toMatch(/^download failed: the simulator only fetches from loopback/)
  })
})
