/**
 * A tiny but valid, empty qcow2 (version 3) disk image, so the simulator can hand out cloud
 * images that tools reading the header (or `qemu-img info`) take for the real thing.
 *
 * Layout, one 64 KiB cluster each: 0 header, 1 refcount table, 2 refcount block, 3 L1 table
 * (all entries zero: no data cluster is allocated, every guest sector reads as zeros).
 */

const clusterBits = 16
const clusterSize = 1 << clusterBits
const refcountTableOffset = 1 * clusterSize
const refcountBlockOffset = 2 * clusterSize
const l1TableOffset = 3 * clusterSize
const usedClusters = 4
const headerLength = 104
/** where the label goes: past the header and its (empty) extension list, inside cluster 0 */
const labelOffset = 512

export const qcow2Magic = 0x514649fb

/** Bytes of guest disk one L1 entry covers: an L2 table of 8-byte entries, one per cluster. */
const bytesPerL1Entry = clusterSize * (clusterSize / 8)

/**
 * A qcow2 image of `virtualSize` bytes (a multiple of 512) holding no data. `label` is written
 * in the unused end of the header cluster, where qemu does not look, so that images of
 * different releases have different digests.
 */
export function buildQcow2Image(virtualSize: bigint, label: string): Buffer {
  if (virtualSize <= 0n || virtualSize % 512n !== 0n) {
    throw new RangeError(`virtual size must be a positive multiple of 512, got ${virtualSize}`)
  }
  const l1Size = Number((virtualSize + BigInt(bytesPerL1Entry) - 1n) / BigInt(bytesPerL1Entry))
  if (l1Size * 8 > clusterSize) throw new RangeError(`virtual size ${virtualSize} is too large`)
  const labelBytes = Buffer.from(label, 'utf8')
  if (labelBytes.length > clusterSize - labelOffset) throw new RangeError('label is too long')

  const image = Buffer.alloc(usedClusters * clusterSize)
  image.writeUInt32BE(qcow2Magic, 0)
  image.writeUInt32BE(3, 4) // version
  // 8: backing file offset, 16: backing file size, both 0
  image.writeUInt32BE(clusterBits, 20)
  image.writeBigUInt64BE(virtualSize, 24)
  // 32: crypt method 0
  image.writeUInt32BE(l1Size, 36)
  image.writeBigUInt64BE(BigInt(l1TableOffset), 40)
  image.writeBigUInt64BE(BigInt(refcountTableOffset), 48)
  image.writeUInt32BE(1, 56) // refcount table clusters
  // 60: no snapshots; 72..95: no incompatible, compatible or autoclear features
  image.writeUInt32BE(4, 96) // refcount order: 16-bit refcounts
  image.writeUInt32BE(headerLength, 100)
  // At headerLength the extension list starts; its zero bytes are the end-of-list marker.
  labelBytes.copy(image, labelOffset)

  image.writeBigUInt64BE(BigInt(refcountBlockOffset), refcountTableOffset)
  for (let cluster = 0; cluster < usedClusters; cluster += 1) {
    image.writeUInt16BE(1, refcountBlockOffset + cluster * 2)
  }
  return image
}

/** The fields of a qcow2 header a reader of the simulator's images relies on. */
export interface Qcow2Header {
  version: number
  clusterBits: number
  virtualSize: bigint
}

/** Reads the start of a qcow2 header; undefined when `data` does not start with the magic. */
export function readQcow2Header(data: Buffer): Qcow2Header | undefined {
  if (data.length < 32 || data.readUInt32BE(0) !== qcow2Magic) return undefined
  return {
    version: data.readUInt32BE(4),
    clusterBits: data.readUInt32BE(20),
    virtualSize: data.readBigUInt64BE(24),
  }
}
