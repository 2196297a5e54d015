import type { OsRelease } from '../../images/os-catalog.js'
import type { InstallDeps } from './deps.js'
import type { DownloadProgress, ImagePort } from './ports.js'

export interface PlaceImageOptions {
  signal: AbortSignal
  /** the service's own download, when it downloads */
  onProgress: (progress: DownloadProgress) => void
  /** lines of the node's download task, when the node downloads */
  onLine: (line: string) => void
}

/** Where the image ended up, as the disk import names it. */
export interface PlacedImage {
  /** what follows `import-from=`: an absolute path, or a volume such as `local:import/x.qcow2` */
  source: string
  /** false when a verified copy was already in place */
  downloaded: boolean
  /** where it is, for the stage's message */
  where: string
  /** the verified digest of the image, when known */
  sha?: string
}

/**
 * How the cloud image gets to where the VM's node can import it from. `local-path`: the service
 * keeps a verified copy and Proxmox imports it by absolute path, which only `root@pam` may do
 * (the cli driver on the node). `download-url`: the node downloads the image itself into an
 * `import` storage, which any token with the documented privileges may do (PVE ≥ 8.4).
 */
export interface ImageTransfer {
  readonly mode: 'local-path' | 'download-url'
  /**
   * Before anything is created: can an image reach `node` this way? Returns a note for the
   * stage's message, and throws an error saying exactly what to enable when it cannot.
   */
  preflight(node: string, options: { signal: AbortSignal }): Promise<string | undefined>
  /** Puts the release's image where `node` can import it. */
  place(release: OsRelease, node: string, options: PlaceImageOptions): Promise<PlacedImage>
  /**
   * The digest the placed image will have, without placing it (download-url: the published
   * checksum), so an install whose template already holds that image skips the node's
   * download task, which re-reads and re-hashes the whole file even when it is there.
   */
  digest?(release: OsRelease, signal: AbortSignal): Promise<string>
}

/** The service's verified copy, imported by its absolute path. */
export function createLocalPathTransfer(images: ImagePort): ImageTransfer {
  return {
    mode: 'local-path',
    preflight: async () => undefined,
    async place(release, _node, options) {
      const image = await images.ensure(release, {
        signal: options.signal,
        onProgress: options.onProgress,
      })
      return {
        source: image.path,
        downloaded: image.downloaded,
        where: image.path,
        ...(image.sha === undefined ? {} : { sha: image.sha }),
      }
    },
  }
}

/** The transfer an install uses: the configured one, else the local copy by path. */
export function imageTransferOf(deps: InstallDeps): ImageTransfer {
  return deps.imageTransfer ?? createLocalPathTransfer(deps.images)
}
