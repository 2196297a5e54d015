import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { isGuestError } from '../../src/guest/errors.js'
import { checkHostKey, createMemoryHostKeyStore } from '../../src/guest/host-keys.js'
import { createJsonHostKeyStore, hostKeyStorePath } from '../../src/guest/json-host-key-store.js'
import { makeTempDir } from '../exec/temp-dir.js'

const keyA = 'SHA256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const keyB = 'SHA256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'

let temp: ReturnType<typeof makeTempDir>
beforeEach(() => {
  temp = makeTempDir()
})
afterEach(() => {
  temp.remove()
})

describe('checkHostKey', () => {
  it('trusts the first key a host offers, then only that key', () => {
    const store = createMemoryHostKeyStore()
    expect(checkHostKey(store, '10.0.0.105', 22, keyA)).toBe(true)
    store.set('10.0.0.105', keyA)
    expect(checkHostKey(store, '10.0.0.105', 22, keyA)).toBe(false)
  })

  it('refuses a changed key, naming the host and both fingerprints', () => {
    const store = createMemoryHostKeyStore()
    store.set('10.0.0.105', keyA)
    let caught: unknown
    try {
      checkHostKey(store, '10.0.0.105', 22, keyB)
    } catch (error) {
      caught = error
    }
    expect(isGuestError(caught, 'GUEST_HOST_KEY_CHANGED')).toBe(true)
    expect(String(caught)).toContain('10.0.0.105:22')
    expect(String(caught)).toContain(keyA)
    expect(String(caught)).toContain(keyB)
  })

  it('trusts a new key once the old one is forgotten', () => {
    const store = createMemoryHostKeyStore()
    store.set('10.0.0.105', keyA)
    store.forget('10.0.0.105')
    expect(checkHostKey(store, '10.0.0.105', 22, keyB)).toBe(true)
  })
})

describe('JSON host key store', () => {
  it('keeps keys across restarts in a file only the owner can read', () => {
    const first = createJsonHostKeyStore(temp.dir)
    first.set('10.0.0.105', keyA)
    first.set('10.0.0.106', keyB)
    first.forget('10.0.0.106')

    const second = createJsonHostKeyStore(temp.dir)
    expect(second.get('10.0.0.105')).toBe(keyA)
    expect(second.get('10.0.0.106')).toBeUndefined()
    const path = hostKeyStorePath(temp.dir)
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ '10.0.0.105': keyA })
    expect(statSync(path).mode & 0o777).toBe(0o600)
  })

  it('starts empty when there is no file yet', () => {
    expect(createJsonHostKeyStore(temp.dir).get('10.0.0.105')).toBeUndefined()
  })

  it('refuses a damaged file, naming it', () => {
    const path = hostKeyStorePath(temp.dir)
    mkdirSync(join(temp.dir, 'ssh'))
    for (const content of ['{not json', '["10.0.0.5"]', '{"10.0.0.5": 42}']) {
      writeFileSync(path, content)
      let caught: unknown
      try {
        createJsonHostKeyStore(temp.dir)
      } catch (error) {
        caught = error
      }
      expect(isGuestError(caught, 'GUEST_HOST_KEY_STORE_INVALID')).toBe(true)
      expect(String(caught)).toContain(path)
    }
  })
})
