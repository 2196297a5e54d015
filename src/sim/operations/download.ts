import { createHash } from 'node:crypto'
import type { SimContext } from '../context.js'
import { renderBytes } from '../format-bytes.js'
import type { SimNode, SimStorage } from '../state/types.js'
import { addVolume, findVolume, removeVolume } from '../state/volumes.js'
import type { TaskContext } from '../tasks/task-manager.js'
import { timings } from '../timings.js'

export interface DownloadPlan {
  url: string
  /** normalized file name */
  filename: string
  content: 'iso' | 'vztmpl' | 'import'
  volid: string
  dest: string
  checksum?: string
  algorithm?: string
}

const loopbackHost = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\])$/i
const chunkReport = 32 * 1024 * 1024

/** The file a `download` task writes and its volume ID, per content type (pve.md §5.2). */
export function downloadTarget(
  storage: SimStorage,
  content: DownloadPlan['content'],
  filename: string,
): { volid: string; dest: string } {
  const base = storage.path ?? `/mnt/pve/${storage.id}`
  if (content === 'iso')
    return { volid: `${storage.id}:iso/${filename}`, dest: `${base}/template/iso/${filename}` }
  if (content === 'vztmpl')
    return { volid: `${storage.id}:vztmpl/${filename}`, dest: `${base}/template/cache/${filename}` }
  return { volid: `${storage.id}:import/${filename}`, dest: `${base}/import/${filename}` }
}

/**
 * The `download` worker: fetches the URL (loopback addresses only: the simulator never leaves
 * this machine), paced at the simulated download rate, verifies the checksum and, for `import`
 * images, that a `.qcow2` really is qcow2; the file becomes a volume of the storage.
 */
export async function downloadToStorage(
  sim: SimContext,
  node: SimNode,
  storage: SimStorage,
  plan: DownloadPlan,
  task: TaskContext,
): Promise<void> {
  const existing = findVolume(sim.state, node.name, plan.volid)
  if (existing) {
    if (plan.checksum === undefined)
      throw new Error(`refusing to override existing file '${plan.dest}'`)
    task.log('OK, got correct file already, no need to download')
    return
  }
  const fault = sim.faults.take('download', 0)
  task.log(`downloading ${plan.url} to ${plan.dest}`)
  await sim.faults.gate('download', 0, task.signal)
  if (fault !== undefined) throw new Error(fault)
  const url = new URL(plan.url)
  if (!loopbackHost.test(url.hostname)) {
    throw new Error(
      'download failed: the simulator only fetches from loopback addresses (127.0.0.0/8, ::1)',
    )
  }
  const response = await fetch(url, { signal: task.signal })
  if (!response.ok || !response.body)
    throw new Error(`download failed: ${response.status} ${response.statusText}`)
  const hash = plan.algorithm === undefined ? undefined : createHash(plan.algorithm)
  let bytes = 0
  let reported = 0
  let header = Buffer.alloc(0)
  const started = Date.now()
  for await (const chunk of response.body) {
    const data = Buffer.from(chunk)
    hash?.update(data)
    if (header.length < 32) header = Buffer.concat([header, data.subarray(0, 32 - header.length)])
    bytes += data.length
    await sim.pacer.wait((data.length / timings.downloadBytesPerSecond) * 1000, task.signal)
    while (bytes - reported >= chunkReport) {
      reported += chunkReport
      const secs = Math.max(0.001, (Date.now() - started) / 1000)
      task.log(
        `${String(reported / 1024).padStart(10)}K ........ ........ ........ ........ ${renderBytes(reported / secs)}/s`,
      )
    }
  }
  task.log(`${String(Math.floor(bytes / 1024)).padStart(10)}K 100% done`)
  if (hash && plan.checksum !== undefined) {
    task.log('calculating checksum...')
    const got = hash.digest('hex')
    if (got.toLowerCase() !== plan.checksum.toLowerCase())
      throw new Error(`checksum mismatch: got '${got}' != expect '${plan.checksum}'`)
    task.log('OK, checksum verified')
  }
  const isQcow2 = header.length >= 32 && header.readUInt32BE(0) === 0x514649fb
  const extension = /\.([a-z0-9]+)$/i.exec(plan.filename)?.[1]?.toLowerCase() ?? ''
  if (plan.content === 'import' && extension === 'qcow2' && !isQcow2) {
    throw new Error(`image '${plan.dest}' is not a valid qcow2 image (got format 'raw')`)
  }
  const virtualSize = isQcow2 ? Number(header.readBigUInt64BE(24)) : bytes
  removeVolume(sim.state, node.name, plan.volid)
  addVolume(sim.state, {
    volid: plan.volid,
    node: node.name,
    storage: storage.id,
    content: plan.content,
    format: plan.content === 'import' ? extension : plan.content === 'iso' ? 'iso' : extension,
    size: plan.content === 'import' ? virtualSize : bytes,
    used: bytes,
    ctime: Math.floor(Date.now() / 1000),
  })
  sim.changed()
  task.log(`download of '${plan.url}' to '${plan.dest}' finished`)
}
