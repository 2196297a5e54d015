import { describe, expect, it } from 'vitest'

import {
  ImageChecksumMismatchError,
  ImageError,
  imageErrorCodes,
  isImageError,
  shortDigest,
} from '../../src/images/errors.js'
import { isAppError } from '../../src/errors.js'

describe('image error catalogue', () => {
  it('describes every code in one line, with the IMAGE_ prefix', () => {
    for (const [code, description] of Object.entries(imageErrorCodes)) {
      expect(code).toMatch(/^IMAGE_[A-Z_]+$/)
      expect(description).not.toContain('\n')
      expect(description.length).toBeGreaterThan(10)
    }
  })

  it('tells codes apart and is an AppError', () => {
    const error = new ImageError(
      'IMAGE_URL_UNREACHABLE',
      'http://x/',
      'HEAD http://x/ answered 404',
      {
        status: 404,
      },
    )
    expect(isAppError(error)).toBe(true)
    expect(isImageError(error, 'IMAGE_URL_UNREACHABLE')).toBe(true)
    expect(isImageError(error, 'IMAGE_ABORTED')).toBe(false)
    expect(error.status).toBe(404)
  })

  it('keeps full digests on a mismatch but shows them shortened', () => {
    const expected = 'a'.repeat(60) + 'bcde'
    const actual = '1'.repeat(60) + '2345'
    const error = new ImageChecksumMismatchError('http://x/img', 'sha256', expected, actual)
    expect(error.code).toBe('IMAGE_CHECKSUM_MISMATCH')
    expect(error.message).toBe(
      'sha256 of http://x/img is 11111111…2345, the checksum file says aaaaaaaa…bcde; the download was deleted',
    )
    expect(error.expected).toBe(expected)
    expect(error.actual).toBe(actual)
  })

  it('leaves short strings whole', () => {
    expect(shortDigest('abc')).toBe('abc')
  })
})
