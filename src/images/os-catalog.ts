/**
 * The operating systems the service installs, as data: where each official cloud image lives,
 * the checksum file beside it and how to read it, the image's default user, and the lowest
 * x86-64 level it boots on. Facts from reference/cloud-images.md (§1, §2, §3).
 */

export type OsName = 'debian' | 'ubuntu' | 'rockylinux'
export type PackageFamily = 'apt' | 'dnf'
/** `gnu`: `<hex>  <file>` or `<hex> *<file>`; `bsd`: `SHA256 (<file>) = <hex>` */
export type ChecksumFormat = 'gnu' | 'bsd'

export interface OsRelease {
  os: OsName
  version: string
  codename: string
  /** directory holding the image and its checksum file, ending in `/` */
  baseUrl: string
  imageFile: string
  checksumFile: string
  checksumAlgorithm: 'sha256' | 'sha512'
  checksumFormat: ChecksumFormat
  defaultUser: string
  packages: PackageFamily
  /** lowest x86-64 micro-architecture level the userland runs on (1..4) */
  minCpuLevel: number
  /** end of the distribution's standard support, ISO date */
  supportEnds: string
  /**
   * Whether the official image has qemu-guest-agent installed. Without it the agent answers
   * nothing until the first-boot script has installed it, so nothing before that script (a
   * DHCP lease, a SLAAC address) can be learnt from it (cloud-images.md §3.1–3.3, §5: Debian
   * and Ubuntu ship none; rocky-linux/kickstarts Rocky-8/9-GenericCloud-Base.ks and
   * cloud/rocky-cloud-base-packages.ks, which 10 uses, list it).
   */
  shipsGuestAgent: boolean
}

const debian = (version: string, codename: string, supportEnds: string): OsRelease => ({
  os: 'debian',
  version,
  codename,
  baseUrl: `https://cloud.debian.org/images/cloud/${codename}/latest/`,
  imageFile: `debian-${version}-genericcloud-amd64.qcow2`,
  checksumFile: 'SHA512SUMS',
  checksumAlgorithm: 'sha512',
  checksumFormat: 'gnu',
  defaultUser: 'debian',
  packages: 'apt',
  minCpuLevel: 1,
  supportEnds,
  shipsGuestAgent: false,
})

const ubuntu = (version: string, codename: string, supportEnds: string): OsRelease => ({
  os: 'ubuntu',
  version,
  codename,
  baseUrl: `https://cloud-images.ubuntu.com/releases/${codename}/release/`,
  imageFile: `ubuntu-${version}-server-cloudimg-amd64.img`,
  checksumFile: 'SHA256SUMS',
  checksumAlgorithm: 'sha256',
  checksumFormat: 'gnu',
  defaultUser: 'ubuntu',
  packages: 'apt',
  minCpuLevel: 1,
  supportEnds,
  // confirmed for noble, taken as the same for focal and jammy: a wrong "no" is a clear 400
  // before anything is made, a wrong "yes" a DHCP install waiting GUEST_SSH_TIMEOUT for nothing
  shipsGuestAgent: false,
})

const rocky = (version: string, minCpuLevel: number, supportEnds: string): OsRelease => ({
  os: 'rockylinux',
  version,
  codename: `rocky${version}`,
  baseUrl: `https://dl.rockylinux.org/pub/rocky/${version}/images/x86_64/`,
  imageFile: `Rocky-${version}-GenericCloud-Base.latest.x86_64.qcow2`,
  checksumFile: 'CHECKSUM',
  checksumAlgorithm: 'sha256',
  checksumFormat: 'bsd',
  defaultUser: 'rocky',
  packages: 'dnf',
  minCpuLevel,
  supportEnds,
  shipsGuestAgent: true,
})

export const osCatalog: readonly OsRelease[] = [
  debian('11', 'bullseye', '2024-08-14'),
  debian('12', 'bookworm', '2026-06-10'),
  debian('13', 'trixie', '2028-08-09'),
  ubuntu('20.04', 'focal', '2025-05-31'),
  ubuntu('22.04', 'jammy', '2027-06-01'),
  ubuntu('24.04', 'noble', '2029-05-31'),
  rocky('8', 1, '2024-05-31'),
  // RHEL 9 userland is built for x86-64-v2, RHEL 10 for x86-64-v3 (cloud-images.md §3.3)
  rocky('9', 2, '2027-05-31'),
  rocky('10', 3, '2030-05-31'),
]

export const osNames: ReadonlySet<string> = new Set(osCatalog.map((release) => release.os))

/** The catalog entry for `os` and `version`, or undefined. */
export function findRelease(os: string, version: string): OsRelease | undefined {
  return osCatalog.find((release) => release.os === os && release.version === version)
}

/** The versions known for an OS, for error messages. */
export function versionsOf(os: string): string[] {
  return osCatalog.filter((release) => release.os === os).map((release) => release.version)
}
