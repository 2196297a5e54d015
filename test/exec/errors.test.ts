import { describe, expect, it } from 'vitest'

import { ExecError, execErrorCodes, isExecError } from '../../src/exec/errors.js'

describe('exec error catalogue', () => {
  it('describes every code in one line, with the EXEC_ prefix', () => {
    for (const [code, description] of Object.entries(execErrorCodes)) {
      expect(code).toMatch(/^EXEC_[A-Z_]+$/)
      expect(description).not.toContain('\n')
      expect(description.length).toBeGreaterThan(10)
    }
  })

  it('tells codes apart', () => {
    const error = new ExecError('EXEC_TIMEOUT', 'qm', 'qm did not finish')
    expect(isExecError(error)).toBe(true)
    expect(isExecError(error, 'EXEC_TIMEOUT')).toBe(true)
    expect(isExecError(error, 'EXEC_SSH_FAILED')).toBe(false)
    expect(isExecError(new Error('x'))).toBe(false)
  })
})
