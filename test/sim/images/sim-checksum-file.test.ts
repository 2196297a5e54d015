import { createHash } from 'node:crypto'

import { describe, expect, it } from 'vitest'

import { lookupChecksum, parseChecksumFile } from '../../../src/images/checksum-file.js'
import { findRelease, type OsRelease } from '../../../src/images/os-catalog.js'
import { buildChecksumFile } from '../../../src/sim/images/sim-checksum-file.js'

function release(os: string, version: string): OsRelease {
  const found = findRelease(os, version)
  if (found === undefined) throw new Error(`no ${os} ${version}`)
  return found
}

const image = Buffer.from('a tiny image')
const sha = (algorithm: string): string => createHash(algorithm).update(image).digest('hex')

describe('buildChecksumFile', () => {
  it('writes Debian SHA512SUMS lines: 128 hex digits, two spaces, the name', () => {
    const text = buildChecksumFile(release('debian', '12'), image, { omitImage: false })
    const lines = text.trimEnd().split('\n')
    for (const line of lines) expect(line).toMatch(/^[0-9a-f]{128} {2}debian-12-\S+$/)
    expect(lines).toContain(`${sha('sha512')}  debian-12-genericcloud-amd64.qcow2`)
  })

  it('writes Ubuntu SHA256SUMS lines in binary mode with a star', () => {
    const text = buildChecksumFile(release('ubuntu', '24.04'), image, { omitImage: false })
    const lines = text.trimEnd().split('\n')
    for (const line of lines) expect(line).toMatch(/^[0-9a-f]{64} \*ubuntu-24\.04-\S+$/)
    expect(lines).toContain(`${sha('sha256')} *ubuntu-24.04-server-cloudimg-amd64.img`)
  })

  it('writes Rocky CHECKSUM as a size comment before each BSD line', () => {
    const text = buildChecksumFile(release('rockylinux', '9'), image, { omitImage: false })
    const lines = text.trimEnd().split('\n')
    expect(lines.length % 2).toBe(0)
    for (let index = 0; index < lines.length; index += 2) {
      expect(lines[index]).toMatch(/^# (\S+): \d+ bytes$/)
      expect(lines[index + 1]).toMatch(/^SHA256 \((\S+)\) = [0-9a-f]{64}$/)
    }
    expect(text).toContain(
      `# Rocky-9-GenericCloud-Base.latest.x86_64.qcow2: ${image.length} bytes\n`,
    )
    expect(text).toContain(
      `SHA256 (Rocky-9-GenericCloud-Base.latest.x86_64.qcow2) = ${sha('sha256')}\n`,
    )
  })

  it.each([
    ['debian', '13'],
    ['ubuntu', '20.04'],
    ['rockylinux', '10'],
  ])('gives %s %s a line the image store finds under the exact name', (os, version) => {
    const entry = release(os, version)
    const text = buildChecksumFile(entry, image, { omitImage: false })
    expect(lookupChecksum(text, entry.imageFile, entry.checksumAlgorithm)).toMatchObject({
      found: true,
      digest: sha(entry.checksumAlgorithm),
    })
  })

  it('leaves only the image line out when asked, keeping names that contain it', () => {
    const entry = release('ubuntu', '22.04')
    const text = buildChecksumFile(entry, image, { omitImage: true })
    expect(lookupChecksum(text, entry.imageFile, 'sha256').found).toBe(false)
    expect(text).toContain(`*${entry.imageFile}.manifest`)
    expect(parseChecksumFile(text).entries.length).toBeGreaterThan(3)
  })
})
