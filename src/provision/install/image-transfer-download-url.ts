import { AppError } from '../../errors.js'
import type { OsRelease } from '../../images/os-catalog.js'
import type { Cluster, NodeStorage, RestrictedAccess, StorageDownload } from '../../pve/cluster.js'
import type { ImageTransfer, PlacedImage } from './image-transfer.js'

/** Where a node fetches a release's image from, and the digest it must have. */
export interface ImageSource {
  url(release: OsRelease): string
  checksum(
    release: OsRelease,
    signal: AbortSignal,
  ): Promise<NonNullable<StorageDownload['checksum']>>
}

export interface DownloadUrlTransferOptions {
  cluster: Cluster
  access: RestrictedAccess
  source: ImageSource
}

/** Storage plugins that keep files in a directory, which is what `download-url` writes to. */
const fileBased = new Set(['dir', 'nfs', 'cifs', 'cephfs', 'glusterfs', 'btrfs'])

/** How long fetching the distribution's checksum file may take. */
const checksumTimeoutMs = 60_000

/** PVE 8.4 (libpve-storage-perl 8.3.6) is the first to download `.qcow2` as `import` content. */
const firstVersion = [8, 4]

function pveRelease(pveVersion: string): number[] | undefined {
  const match = /^pve-manager\/(\d+)\.(\d+)/.exec(pveVersion)
  return match === null ? undefined : [Number(match[1]), Number(match[2])]
}

function isOlder(version: number[], than: number[]): boolean {
  const [major = 0, minor = 0] = version
  const [wantMajor = 0, wantMinor = 0] = than
  return major < wantMajor || (major === wantMajor && minor < wantMinor)
}

function transferError(message: string): AppError {
  return new AppError('IMAGE_TRANSFER_UNAVAILABLE', message)
}

/** The import storage to use on a node, or an error saying what to enable (pve.md §5.2). */
function chooseImportStorage(node: string, storages: readonly NodeStorage[]): NodeStorage {
  const usable = storages.filter(
    (s) => s.enabled && s.active && fileBased.has(s.type) && s.content.includes('import'),
  )
  const chosen = usable.find((s) => s.storage === 'local') ?? usable[0]
  if (chosen !== undefined) return chosen
  const directory =
    storages.find((s) => s.storage === 'local' && fileBased.has(s.type)) ??
    storages.find((s) => s.enabled && fileBased.has(s.type))
  if (directory === undefined) {
    throw transferError(
      `no directory storage on ${node} can take cloud images: add one with content type ` +
        `'import' (Datacenter > Storage > Add > Directory)`,
    )
  }
  const content = [...new Set([...directory.content, 'import'])].join(',')
  throw transferError(
    `no storage on ${node} takes content type 'import', which an API token needs to bring a ` +
      `cloud image onto the node; enable it on ${directory.storage}: ` +
      `pvesm set ${directory.storage} --content ${content}`,
  )
}

/** `debian-12-genericcloud-amd64.qcow2`; Ubuntu's `.img` is qcow2 and `import` wants the name. */
export function importFileName(release: OsRelease): string {
  return `${release.imageFile.replace(/\.(img|qcow2)$/i, '')}.qcow2`
}

interface Flight {
  promise: Promise<PlacedImage>
  listeners: Set<(line: string) => void>
}

/**
 * The node downloads the image itself with PVE's `download-url` (`content=import`, the
 * distribution's checksum) and the disk is imported from `<storage>:import/<file>`: no
 * filesystem path, so an API token may do it. Installs asking for one image on one node at the
 * same time share one download task.
 */
export function createDownloadUrlTransfer(options: DownloadUrlTransferOptions): ImageTransfer {
  const { cluster, access, source } = options
  const chosen = new Map<string, string>()
  const flights = new Map<string, Flight>()

  const preflight = async (node: string, signal: AbortSignal): Promise<string> => {
    const status = await cluster.nodeStatus(node, { signal })
    const release = pveRelease(status.pveVersion)
    if (release !== undefined && isOlder(release, firstVersion)) {
      throw transferError(
        `${node} runs ${status.pveVersion}; an API token can bring a cloud image onto a node ` +
          `only through download-url into an 'import' storage, which takes .qcow2 files from ` +
          `PVE 8.4 on: upgrade the node, or run the service on it with PVE_DRIVER=cli`,
      )
    }
    const storage = chooseImportStorage(node, await cluster.nodeStorages(node, { signal }))
    chosen.set(node, storage.storage)
    return storage.storage
  }

  const download = async (
    release: OsRelease,
    node: string,
    storage: string,
    listeners: ReadonlySet<(line: string) => void>,
  ): Promise<PlacedImage> => {
    // shared by every install waiting for it, so no one caller's signal may end it
    const signal = AbortSignal.timeout(checksumTimeoutMs)
    const filename = importFileName(release)
    const lines: string[] = []
    const checksum = await source.checksum(release, signal)
    const volid = await access.downloadToStorage(
      node,
      { storage, url: source.url(release), filename, content: 'import', checksum },
      {
        onLine: (line) => {
          lines.push(line)
          for (const listener of listeners) listener(line)
        },
      },
    )
    const reused = lines.some((line) => line.includes('no need to download'))
    return {
      source: volid,
      downloaded: !reused,
      where: `${volid} on ${node}`,
      sha: checksum.digest,
    }
  }

  return {
    mode: 'download-url',
    async digest(release, signal) {
      return (
        await source.checksum(
          release,
          AbortSignal.any([signal, AbortSignal.timeout(checksumTimeoutMs)]),
        )
      ).digest
    },
    async preflight(node, { signal }) {
      const storage = await preflight(node, signal)
      return `images reach ${node} through download-url into ${storage}`
    },
    async place(release, node, { signal, onLine }) {
      const storage = chosen.get(node) ?? (await preflight(node, signal))
      const key = `${node}/${storage}/${importFileName(release)}`
      let flight = flights.get(key)
      if (flight === undefined) {
        const listeners = new Set<(line: string) => void>()
        const promise = download(release, node, storage, listeners).finally(() => {
          flights.delete(key)
        })
        flight = { promise, listeners }
        flights.set(key, flight)
      }
      flight.listeners.add(onLine)
      try {
        return await raceAbort(flight.promise, signal)
      } finally {
        flight.listeners.delete(onLine)
      }
    },
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted()
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason as Error)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    void promise.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort)
    })
  })
}
