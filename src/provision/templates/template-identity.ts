import { findRelease, type OsRelease } from '../../images/os-catalog.js'

/** The tag every template this service makes carries (how it finds them again after a restart). */
export const templateTag = 'pve-qemu-template'

/** The tag a linked clone carries: which template's base volume it is backed by. */
export function cloneTag(templateVmid: number): string {
  return `pve-qemu-clone-of-${templateVmid}`
}

/** How many hex digits of the image's checksum a template's name and tag show. */
const shaDigits = 12

/** What a template is: the OS release and the verified image it was built from. */
export interface TemplateIdentity {
  release: OsRelease
  /** hex digest of the image (the release's checksum algorithm) */
  sha: string
}

/** `tpl-debian-12-1a2b3c4d5e6f`: a DNS-shaped name that says what the template holds. */
export function templateName(identity: TemplateIdentity): string {
  const version = identity.release.version.replaceAll('.', '')
  return `tpl-${identity.release.os}-${version}-${identity.sha.slice(0, shaDigits)}`
}

/** The template's tags: ours, the release (`ubuntu-22.04`) and the image (`img-<sha prefix>`). */
export function templateTags(identity: TemplateIdentity): string {
  const { os, version } = identity.release
  return [templateTag, `${os}-${version}`, `img-${identity.sha.slice(0, shaDigits)}`].join(';')
}

/** Reads a template's identity back from its tags; undefined when they are not ours. */
export function readTemplateTags(
  tags: readonly string[],
): { release: OsRelease; shaPrefix: string } | undefined {
  if (!tags.includes(templateTag)) return undefined
  const shaPrefix = tags.find((tag) => tag.startsWith('img-'))?.slice(4)
  const release = tags
    .map((tag) => /^([a-z]+)-(\d+(?:\.\d+)?)$/.exec(tag))
    .map((match) => (match === null ? undefined : findRelease(match[1] ?? '', match[2] ?? '')))
    .find((found) => found !== undefined)
  if (shaPrefix === undefined || release === undefined) return undefined
  return { release, shaPrefix }
}

/** True when a digest is the one a template was built from (tags keep only a prefix). */
export function sameImage(shaPrefix: string, sha: string): boolean {
  return sha.toLowerCase().startsWith(shaPrefix.toLowerCase())
}

/** Storage plugins whose volumes can be linked clones of a template's base (pve.md §2.9, §10.9). */
const linkedCloneTypes = new Set(['lvmthin', 'zfspool', 'rbd', 'dir', 'nfs', 'cifs', 'btrfs'])
/** Of those, the ones that keep files (linked clones only as qcow2 overlays). */
const fileTypes = new Set(['dir', 'nfs', 'cifs'])

/** Can a storage of this plugin type hold linked clones? (Thick LVM, iSCSI and others cannot.) */
export function supportsLinkedClones(type: string): boolean {
  return linkedCloneTypes.has(type)
}

/** Is the storage file based (its template disk must be qcow2 for linked clones)? */
export function isFileStorage(type: string): boolean {
  return fileTypes.has(type)
}
