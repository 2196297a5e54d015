import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { createImageStore, findRelease, type OsRelease } from '../../../../src/images/index.js'
import { createPublishedImageSource } from '../../../../src/provision/install/image-transfer-checksum.js'
import {
  createDownloadUrlTransfer,
  importFileName,
} from '../../../../src/provision/install/image-transfer-download-url.js'
import type { ImageTransfer } from '../../../../src/provision/install/image-transfer.js'
import type { Cluster } from '../../../../src/pve/cluster.js'
import { PveTaskError } from '../../../../src/pve/drivers/api/index.js'
import {
  startSimImageServer,
  type SimImageServer,
} from '../../../../src/sim/images/sim-image-server.js'
import { startHttpsTarget, type HttpsTarget } from './https-target.js'

let target: HttpsTarget
let images: SimImageServer
let imageDir: string

afterEach(async () => {
  await target.close()
  await images.close()
  rmSync(imageDir, { recursive: true, force: true })
})

function release(os: string, version: string): OsRelease {
  const found = findRelease(os, version)
  if (found === undefined) throw new Error(`${os} ${version} is not in the catalog`)
  return found
}

/** The transfer over the HTTPS driver; `cluster` may replace reads to stage a node's setup. */
async function startTransfer(
  adjust: (cluster: Cluster) => Cluster = (c) => c,
): Promise<ImageTransfer> {
  target = await startHttpsTarget()
  images = await startSimImageServer({ host: '127.0.0.1', port: 0 })
  imageDir = mkdtempSync(join(tmpdir(), 'pve-qemu-transfer-'))
  const store = createImageStore({
    imageDir,
    mirrors: images.mirrors,
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined },
  })
  const access = target.cluster.restricted
  if (access === undefined) throw new Error('a token is restricted')
  return createDownloadUrlTransfer({
    cluster: adjust(target.cluster),
    access,
    source: createPublishedImageSource({ resolve: (r) => store.resolve(r) }),
  })
}

const signal = new AbortController().signal

describe('image transfer through download-url', () => {
  it('has the node fetch the image under a .qcow2 name, checked against the published digest', async () => {
    const transfer = await startTransfer()
    const ubuntu = release('ubuntu', '22.04')
    expect(importFileName(ubuntu)).toBe('ubuntu-22.04-server-cloudimg-amd64.qcow2')
    expect(await transfer.preflight('pve2', { signal })).toBe(
      'images reach pve2 through download-url into local',
    )
    const lines: string[] = []
    const placed = await transfer.place(ubuntu, 'pve2', {
      signal,
      onProgress: () => undefined,
      onLine: (line) => lines.push(line),
    })
    const { sha, ...where } = placed
    expect(where).toEqual({
      source: 'local:import/ubuntu-22.04-server-cloudimg-amd64.qcow2',
      downloaded: true,
      where: 'local:import/ubuntu-22.04-server-cloudimg-amd64.qcow2 on pve2',
    })
    // the digest the node verified, which names the template built from it
    expect(sha).toMatch(/^[0-9a-f]{64}$/)
    expect(lines).toContain('OK, checksum verified')
    const volumes = target.sim
      .snapshot()
      .storages.find((s) => s.node === 'pve2' && s.storage === 'local')
    expect(volumes?.volumes).toContainEqual(
      expect.objectContaining({ volid: placed.source, content: 'import', format: 'qcow2' }),
    )
  })

  it('shares one download between installs asking at once, lines to each', async () => {
    const transfer = await startTransfer()
    const debian = release('debian', '12')
    const seen: string[][] = [[], []]
    const placed = await Promise.all(
      seen.map((lines) =>
        transfer.place(debian, 'pve1', {
          signal,
          onProgress: () => undefined,
          onLine: (l) => lines.push(l),
        }),
      ),
    )
    expect(placed[0]).toEqual(placed[1])
    const gets = images.requests().filter((r) => r.method === 'GET' && r.path.endsWith('.qcow2'))
    expect(gets).toHaveLength(1)
    expect(seen[1]?.some((line) => line.startsWith('download of '))).toBe(true)
    const again = await transfer.place(debian, 'pve1', {
      signal,
      onProgress: () => undefined,
      onLine: () => undefined,
    })
    expect(again.downloaded).toBe(false)
  })

  it("fails with the node's own words when the image does not match its digest", async () => {
    const transfer = await startTransfer()
    const rocky = release('rockylinux', '9')
    images.setFaults({ corruptImage: true }, rocky)
    const error: unknown = await transfer
      .place(rocky, 'pve1', { signal, onProgress: () => undefined, onLine: () => undefined })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PveTaskError)
    expect(error instanceof PveTaskError && error.message).toMatch(/^checksum mismatch: got '/)
  })

  it('refuses an image its checksum file does not list', async () => {
    const transfer = await startTransfer()
    const debian = release('debian', '13')
    images.setFaults({ missingChecksumEntry: true }, debian)
    await expect(
      transfer.place(debian, 'pve1', {
        signal,
        onProgress: () => undefined,
        onLine: () => undefined,
      }),
    ).rejects.toMatchObject({ code: 'IMAGE_CHECKSUM_NOT_LISTED' })
  })
})

describe('preflight', () => {
  it('says which storage to give the import content type, and how', async () => {
    const transfer = await startTransfer((cluster) => ({
      ...cluster,
      nodeStorages: async (node, options) =>
        (await cluster.nodeStorages(node, options)).map((storage) => ({
          ...storage,
          content: storage.content.filter((type) => type !== 'import'),
        })),
    }))
    await expect(transfer.preflight('pve1', { signal })).rejects.toMatchObject({
      code: 'IMAGE_TRANSFER_UNAVAILABLE',
      message:
        "no storage on pve1 takes content type 'import', which an API token needs to bring a " +
        'cloud image onto the node; enable it on local: pvesm set local --content ' +
        'backup,iso,snippets,vztmpl,import',
    })
  })

  it('says a node older than PVE 8.4 cannot take qcow2 downloads', async () => {
    const transfer = await startTransfer((cluster) => ({
      ...cluster,
      nodeStatus: async (node, options) => ({
        ...(await cluster.nodeStatus(node, options)),
        pveVersion: 'pve-manager/8.3.5/dac3aa88bac3f300',
      }),
    }))
    await expect(transfer.preflight('pve3', { signal })).rejects.toThrow(
      "pve3 runs pve-manager/8.3.5/dac3aa88bac3f300; an API token can bring a cloud image onto a node only through download-url into an 'import' storage, which takes .qcow2 files from PVE 8.4 on: upgrade the node, or run the service on it with PVE_DRIVER=cli",
    )
  })
})
