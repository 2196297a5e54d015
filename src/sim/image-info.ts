import { open } from 'node:fs/promises'

/** What a disk image file holds, as far as an import needs it. */
export interface ImageInfo {
  /** qcow2 or raw (anything without the qcow2 magic) */
  format: 'qcow2' | 'raw'
  /** the guest-visible size in bytes */
  virtualSize: number
  /** the file's size in bytes */
  fileSize: number
}

/**
 * Reads an image's virtual size: a qcow2 header (`QFI\xfb`) holds it as a big-endian u64 at
 * offset 24; any other file counts as raw, its size being the file's.
 */
export async function readImageInfo(path: string): Promise<ImageInfo> {
  const handle = await open(path, 'r')
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw new Error(`${path}: non-existent or non-regular file`)
    const header = Buffer.alloc(32)
    const { bytesRead } = await handle.read(header, 0, 32, 0)
    if (bytesRead >= 32 && header.readUInt32BE(0) === 0x514649fb) {
      return {
        format: 'qcow2',
        virtualSize: Number(header.readBigUInt64BE(24)),
        fileSize: stat.size,
      }
    }
    return { format: 'raw', virtualSize: stat.size, fileSize: stat.size }
  } finally {
    await handle.close()
  }
}

/** The qcow2 header a test or demo image needs: magic, version 3, and the virtual size. */
export function qcow2Header(virtualSize: number): Buffer {
  const header = Buffer.alloc(104)
  header.writeUInt32BE(0x514649fb, 0)
  header.writeUInt32BE(3, 4)
  header.writeUInt32BE(16, 20)
  header.writeBigUInt64BE(BigInt(virtualSize), 24)
  return header
}
