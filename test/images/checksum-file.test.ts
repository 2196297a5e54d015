import { describe, expect, it } from 'vitest'

import {
  lookupChecksum,
  parseChecksumFile,
  type DigestAlgorithm,
} from '../../src/images/checksum-file.js'
import { readImageFixture } from '../fixtures/images/fixture.js'

const debianDigest =
  '6b55e88b027c14da1b55c85a25a9f7069d4560a8fdb2d948c986a585db469728a06d2c528303e34bb62d8b2984def38fd9ddfc00965846ff6e05b01d6e883bfe'
const jammyDigest = 'de5e632e17b8965f2baf4ea6d2b824788e154d9a65df4fd419ec4019898e15cd'
const nobleDailyDigest = 'd1940f7d69d343355e183dff1e08a59852d32e7309baa7a4bad8365b11b005ac'
const rockyDigest = '15d81d3434b298142b2fdd8fb54aef2662684db5c082cc191c3c79762ed6360c'

describe('lookupChecksum on real checksum files', () => {
  const cases: {
    fixture: string
    file: string
    algorithm: DigestAlgorithm
    digest: string
    sizeBytes?: number
  }[] = [
    {
      fixture: 'debian-12-20231013-1532.SHA512SUMS',
      file: 'debian-12-genericcloud-amd64-20231013-1532.qcow2',
      algorithm: 'sha512',
      digest: debianDigest,
    },
    {
      fixture: 'ubuntu-22.04-release.SHA256SUMS',
      file: 'ubuntu-22.04-server-cloudimg-amd64.img',
      algorithm: 'sha256',
      digest: jammyDigest,
    },
    {
      fixture: 'ubuntu-noble-current.SHA256SUMS',
      file: 'noble-server-cloudimg-amd64.img',
      algorithm: 'sha256',
      digest: nobleDailyDigest,
    },
    {
      fixture: 'rocky-9.7-x86_64.CHECKSUM',
      file: 'Rocky-9-GenericCloud-Base.latest.x86_64.qcow2',
      algorithm: 'sha256',
      digest: rockyDigest,
      sizeBytes: 648806400,
    },
    {
      fixture: 'rocky-9.7-x86_64.CHECKSUM',
      file: 'Rocky-9-GenericCloud-Base-9.7-20251123.2.x86_64.qcow2',
      algorithm: 'sha256',
      digest: rockyDigest,
      sizeBytes: 648806400,
    },
  ]

  it.each(cases)('finds $file in $fixture', ({ fixture, file, algorithm, digest, sizeBytes }) => {
    const result = lookupChecksum(readImageFixture(fixture), file, algorithm)
    expect(result).toEqual(
      sizeBytes === undefined ? { found: true, digest } : { found: true, digest, sizeBytes },
    )
  })

  it('reads the BSD lines of Rocky as entries, not the comments', () => {
    const parsed = parseChecksumFile(readImageFixture('rocky-9.7-x86_64.CHECKSUM'))
    expect(parsed.entries.map((entry) => entry.file)).toEqual([
      'Rocky-9-GenericCloud-Base-9.7-20251123.2.x86_64.qcow2',
      'Rocky-9-GenericCloud-Base.latest.x86_64.qcow2',
    ])
    expect(parsed.entries.every((entry) => entry.algorithm === 'sha256')).toBe(true)
  })
})

describe('lookupChecksum matches the exact name only', () => {
  const ubuntuSums = [
    `${'a'.repeat(64)} *ubuntu-22.04-server-cloudimg-amd64.img.manifest`,
    `${'b'.repeat(64)} *ubuntu-22.04-server-cloudimg-amd64-disk-kvm.img`,
    `${'c'.repeat(64)} *ubuntu-22.04-server-cloudimg-arm64.img`,
    `${'d'.repeat(64)} *ubuntu-22.04-server-cloudimg-amd64.img`,
  ].join('\n')

  it('skips names that contain the wanted one', () => {
    expect(lookupChecksum(ubuntuSums, 'ubuntu-22.04-server-cloudimg-amd64.img', 'sha256')).toEqual({
      found: true,
      digest: 'd'.repeat(64),
    })
  })

  it('does not take a longer name for a prefix of it', () => {
    const result = lookupChecksum(
      `${'a'.repeat(64)} *ubuntu-22.04-server-cloudimg-amd64.img.manifest`,
      'ubuntu-22.04-server-cloudimg-amd64.img',
      'sha256',
    )
    expect(result).toEqual({
      found: false,
      reason: 'no line for ubuntu-22.04-server-cloudimg-amd64.img',
    })
  })

  it('tells the undated latest name from the dated one', () => {
    const result = lookupChecksum(
      readImageFixture('debian-12-20231013-1532.SHA512SUMS'),
      'debian-12-genericcloud-amd64.qcow2',
      'sha512',
    )
    expect(result.found).toBe(false)
  })

  it('matches case-sensitively', () => {
    const result = lookupChecksum(
      readImageFixture('rocky-9.7-x86_64.CHECKSUM'),
      'rocky-9-genericcloud-base.latest.x86_64.qcow2',
      'sha256',
    )
    expect(result.found).toBe(false)
  })
})

describe('lookupChecksum checks the digest against the algorithm', () => {
  it('refuses a SHA-256 digest where SHA-512 is expected', () => {
    const result = lookupChecksum(
      readImageFixture('ubuntu-22.04-release.SHA256SUMS'),
      'ubuntu-22.04-server-cloudimg-amd64.img',
      'sha512',
    )
    expect(result).toEqual({
      found: false,
      reason: 'ubuntu-22.04-server-cloudimg-amd64.img is listed with a sha256 digest, not sha512',
    })
  })

  it('drops a BSD line whose digest length does not fit its tag', () => {
    const text = `SHA256 (x.qcow2) = ${'a'.repeat(128)}\n`
    expect(parseChecksumFile(text).entries).toEqual([])
    expect(lookupChecksum(text, 'x.qcow2', 'sha256').found).toBe(false)
  })

  it('drops a GNU line whose digest length fits no algorithm', () => {
    expect(parseChecksumFile(`${'a'.repeat(63)}  x.qcow2\n`).entries).toEqual([])
  })

  it('refuses a name listed twice with different digests', () => {
    const text = `${'a'.repeat(64)}  x.img\n${'b'.repeat(64)}  x.img\n`
    expect(lookupChecksum(text, 'x.img', 'sha256')).toEqual({
      found: false,
      reason: 'x.img is listed more than once with different digests',
    })
  })

  it('accepts a name listed twice with the same digest', () => {
    const text = `${'a'.repeat(64)}  x.img\n${'A'.repeat(64)} *x.img\n`
    expect(lookupChecksum(text, 'x.img', 'sha256')).toEqual({ found: true, digest: 'a'.repeat(64) })
  })
})

describe('parseChecksumFile', () => {
  it('reads GNU text and binary mode lines and lowercases the digest', () => {
    const text = `${'AB'.repeat(32)}  text.img\n${'cd'.repeat(32)} *binary.img\n`
    expect(parseChecksumFile(text).entries).toEqual([
      { file: 'text.img', digest: 'ab'.repeat(32), algorithm: 'sha256' },
      { file: 'binary.img', digest: 'cd'.repeat(32), algorithm: 'sha256' },
    ])
  })

  it('skips blank lines, comments and lines of other formats', () => {
    const text = [
      '',
      '# a comment',
      '   ',
      '-----BEGIN PGP SIGNED MESSAGE-----',
      `${'e'.repeat(64)}  good.img`,
      `${'e'.repeat(64)}bad.img`,
    ].join('\n')
    expect(parseChecksumFile(text).entries.map((entry) => entry.file)).toEqual(['good.img'])
  })

  it('reads CRLF line ends without keeping the CR in the name', () => {
    const text = `${'f'.repeat(128)}  debian-12-genericcloud-amd64.qcow2\r\n`
    expect(lookupChecksum(text, 'debian-12-genericcloud-amd64.qcow2', 'sha512').found).toBe(true)
  })

  it('keeps spaces inside a GNU file name', () => {
    expect(parseChecksumFile(`${'1'.repeat(64)}  my image.img\n`).entries[0]?.file).toBe(
      'my image.img',
    )
  })

  it('unescapes a GNU name marked with a leading backslash', () => {
    const entry = parseChecksumFile(`\\${'2'.repeat(64)}  a\\\\b\\nc.img\n`).entries[0]
    expect(entry?.file).toBe('a\\b\nc.img')
  })

  it('reads SHA512 BSD tags as coreutils --tag writes them', () => {
    const text = `SHA512 (debian.qcow2) = ${'3'.repeat(128)}\n`
    expect(lookupChecksum(text, 'debian.qcow2', 'sha512')).toEqual({
      found: true,
      digest: '3'.repeat(128),
    })
  })
})
