import { describe, expect, it } from 'vitest'

import { SimImageServerError, simImageErrorCodes } from '../../../src/sim/images/errors.js'

describe('sim image error catalogue', () => {
  it('describes every code in one line, with the SIM_IMAGE_ prefix', () => {
    for (const [code, description] of Object.entries(simImageErrorCodes)) {
      expect(code).toMatch(/^SIM_IMAGE_[A-Z_]+$/)
      expect(description).not.toContain('\n')
    }
    expect(new SimImageServerError('x').code).toBe('SIM_IMAGE_SERVER_INVALID')
  })
})
