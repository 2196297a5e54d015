import { createHash } from 'node:crypto'

import type { OsRelease } from '../../images/os-catalog.js'

/** One file a checksum file lists: its name and bytes (decoys get bytes made up from names). */
export interface ListedFile {
  name: string
  data: Buffer
}

/**
 * The checksum file a distribution publishes beside `release`'s image, in that distribution's
 * exact format (cloud-images.md §2): Debian's `SHA512SUMS` (GNU, two spaces), Ubuntu's
 * `SHA256SUMS` (GNU binary mode `*`), Rocky's `CHECKSUM` (BSD tags after `# <file>: <n> bytes`).
 * Next to the image it lists the sibling files the real ones list, some with names that contain
 * the image's name, so a reader matching substrings picks the wrong line. `omitImage` leaves the
 * image's own line out.
 */
export function buildChecksumFile(
  release: OsRelease,
  image: Buffer,
  options: { omitImage: boolean },
): string {
  const listed = siblingsOf(release, image)
  if (!options.omitImage) listed.splice(1, 0, { name: release.imageFile, data: image })
  const lines: string[] = []
  for (const file of listed) {
    const digest = createHash(release.checksumAlgorithm).update(file.data).digest('hex')
    switch (release.os) {
      case 'debian':
        lines.push(`${digest}  ${file.name}`)
        break
      case 'ubuntu':
        lines.push(`${digest} *${file.name}`)
        break
      case 'rockylinux':
        lines.push(`# ${file.name}: ${file.data.length} bytes`)
        lines.push(`SHA256 (${file.name}) = ${digest}`)
        break
    }
  }
  return `${lines.join('\n')}\n`
}

function siblingsOf(release: OsRelease, image: Buffer): ListedFile[] {
  const v = release.version
  const names: string[] = []
  switch (release.os) {
    case 'debian':
      names.push(
        `debian-${v}-genericcloud-amd64.json`,
        `debian-${v}-genericcloud-amd64.qcow2.json`,
        `debian-${v}-genericcloud-amd64.raw`,
        `debian-${v}-generic-amd64.qcow2`,
        `debian-${v}-nocloud-amd64.qcow2`,
      )
      break
    case 'ubuntu':
      names.push(
        `ubuntu-${v}-server-cloudimg-amd64.manifest`,
        `ubuntu-${v}-server-cloudimg-amd64-disk-kvm.img`,
        `ubuntu-${v}-server-cloudimg-amd64.img.manifest`,
        `ubuntu-${v}-server-cloudimg-arm64.img`,
        `ubuntu-${v}-server-cloudimg-amd64.tar.gz`,
      )
      break
    case 'rockylinux':
      names.push(
        `Rocky-${v}-GenericCloud-LVM.latest.x86_64.qcow2`,
        `Rocky-${v}-GenericCloud-Base.latest.x86_64.qcow2.CHECKSUM`,
        `Rocky-${v}-EC2-Base.latest.x86_64.qcow2`,
      )
      break
  }
  const decoys: ListedFile[] = names.map((name) => ({ name, data: Buffer.from(`decoy ${name}`) }))
  // Rocky lists the dated build too, with the same bytes as `.latest` (cloud-images.md §2).
  if (release.os === 'rockylinux') {
    decoys.unshift({
      name: `Rocky-${v}-GenericCloud-Base-${v}.0-20250101.0.x86_64.qcow2`,
      data: image,
    })
  }
  return decoys
}
