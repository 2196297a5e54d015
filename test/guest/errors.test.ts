import { describe, expect, it } from 'vitest'

import {
  GuestError,
  guestErrorCodes,
  GuestScriptError,
  isGuestError,
} from '../../src/guest/errors.js'

describe('guest error catalogue', () => {
  it('describes every code in one line, with the GUEST_ prefix', () => {
    for (const [code, description] of Object.entries(guestErrorCodes)) {
      expect(code).toMatch(/^GUEST_[A-Z_]+$/)
      expect(description).not.toContain('\n')
      expect(description.length).toBeGreaterThan(10)
    }
  })

  it('tells codes apart', () => {
    const error = new GuestError('GUEST_SSH_TIMEOUT', '127.0.0.1:22', 'no answer')
    expect(isGuestError(error)).toBe(true)
    expect(isGuestError(error, 'GUEST_SSH_TIMEOUT')).toBe(true)
    expect(isGuestError(error, 'GUEST_SCRIPT_FAILED')).toBe(false)
    expect(isGuestError(new Error('x'))).toBe(false)
  })

  it('a script failure says the status and the last lines', () => {
    const error = new GuestScriptError('10.0.0.5:22', 'exited with status 100', 100, ['E: oops'])
    expect(error.code).toBe('GUEST_SCRIPT_FAILED')
    expect(error.message).toBe(
      'init script on 10.0.0.5:22 exited with status 100; last output:\nE: oops',
    )
  })
})
