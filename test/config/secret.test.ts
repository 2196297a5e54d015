import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { Secret, parseConfig } from '../../src/config/index.js'

describe('Secret', () => {
  const secret = new Secret('hunter2')

  it.each([
    ['String()', () => String(secret)],
    ['a template literal', () => `password=${secret.toString()}`],
    ['concatenation', () => 'password=' + String(secret)],
    ['JSON.stringify', () => JSON.stringify({ secret })],
    ['util.inspect', () => inspect({ nested: { secret } }, { depth: 5 })],
  ])('hides the value from %s', (_, show) => {
    const shown = show()
    expect(shown).toContain('[redacted]')
    expect(shown).not.toContain('hunter2')
  })

  it('gives the value to reveal()', () => {
    expect(secret.reveal()).toBe('hunter2')
  })

  it('keeps the password out of a printed or serialised config', () => {
    const config = parseConfig({ VM_ROOT_PASSWORD: ' hunter2 ' })
    expect(JSON.stringify(config)).not.toContain('hunter2')
    expect(inspect(config, { depth: 10 })).not.toContain('hunter2')
    expect(config.vm.rootPassword?.reveal()).toBe(' hunter2 ')
  })
})
