import { describe, expect, it } from 'vitest'
import { canonicalJson, fingerprintRequest, matchesFingerprint } from '../../src/jobs/index.js'

describe('request fingerprints', () => {
  it('recognise the same request in any key order, and nothing else', async () => {
    const body = { os: 'debian', version: '12', passwd: 'hunter2-hunter2', tags: { b: 1, a: 2 } }
    const fingerprint = await fingerprintRequest(body)
    expect(fingerprint).toMatch(/^scrypt:[\w-]{22}:[\w-]{43}$/)
    expect(fingerprint).not.toContain('hunter2')
    expect(
      await matchesFingerprint(fingerprint, {
        tags: { a: 2, b: 1 },
        passwd: 'hunter2-hunter2',
        version: '12',
        os: 'debian',
      }),
    ).toBe(true)
    expect(await matchesFingerprint(fingerprint, { ...body, passwd: 'hunter3-hunter3' })).toBe(
      false,
    )
    expect(await matchesFingerprint(fingerprint, { ...body, extra: true })).toBe(false)
    expect(await matchesFingerprint('sha1:abc', body)).toBe(false)
  })

  it('are salted: one request fingerprints differently each time', async () => {
    const body = { os: 'ubuntu', version: '24.04' }
    expect(await fingerprintRequest(body)).not.toBe(await fingerprintRequest(body))
  })

  it('sort keys at every depth', () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}')
  })
})
