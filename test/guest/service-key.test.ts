import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { utils } from 'ssh2'
import { afterEach, describe, expect, it } from 'vitest'

import { isGuestError } from '../../src/guest/errors.js'
import { loadOrCreateServiceKey, serviceKeyPath } from '../../src/guest/service-key.js'
import { makeTempDir } from '../exec/temp-dir.js'
import { fingerprintOf, generateKeyPair } from './test-guest.js'

const temps: (() => void)[] = []
function dataDir(): string {
  const temp = makeTempDir()
  temps.push(temp.remove)
  return temp.dir
}
afterEach(() => {
  for (const remove of temps.splice(0)) remove()
})

describe('service key', () => {
  it('generates an ed25519 key in DATA_DIR on first use, readable by its owner only', () => {
    const dir = dataDir()
    const key = loadOrCreateServiceKey(dir)

    const path = join(dir, 'ssh', 'id_ed25519')
    expect(serviceKeyPath(dir)).toBe(path)
    expect(readFileSync(path, 'utf8')).toBe(key.privateKey)
    expect(key.privateKey).toContain('-----BEGIN OPENSSH PRIVATE KEY-----')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir, 'ssh')).mode & 0o077).toBe(0)
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/]+=* pve-qemu$/)
    expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
    expect(key.fingerprint).toBe(fingerprintOf(key.privateKey))
  })

  it('gives a public key that matches the private key', () => {
    const key = loadOrCreateServiceKey(dataDir())
    const publicKey = utils.parseKey(key.publicKey)
    const privateKey = utils.parseKey(key.privateKey)
    if (publicKey instanceof Error || privateKey instanceof Error) throw new Error('unparsable')
    const data = Buffer.from('prove it')
    expect(publicKey.verify(data, privateKey.sign(data))).toBe(true)
  })

  it('reuses the key on later calls', () => {
    const dir = dataDir()
    const first = loadOrCreateServiceKey(dir)
    const second = loadOrCreateServiceKey(dir)
    expect(second).toEqual(first)
  })

  it('uses a key the operator put there, and tightens its permissions', () => {
    const dir = dataDir()
    const own = generateKeyPair()
    mkdirSync(join(dir, 'ssh'))
    writeFileSync(join(dir, 'ssh', 'id_ed25519'), own.privateKey, { mode: 0o644 })

    const key = loadOrCreateServiceKey(dir)

    expect(key.privateKey).toBe(own.privateKey)
    expect(key.fingerprint).toBe(fingerprintOf(own.privateKey))
    expect(statSync(join(dir, 'ssh', 'id_ed25519')).mode & 0o777).toBe(0o600)
  })

  it('refuses a file that is not a private key, naming the file but not its content', () => {
    const dir = dataDir()
    mkdirSync(join(dir, 'ssh'))
    const path = join(dir, 'ssh', 'id_ed25519')
    writeFileSync(path, 'secret-looking garbage\n', { mode: 0o600 })

    const attempt = (): unknown => loadOrCreateServiceKey(dir)

    expect(attempt).toThrow(path)
    try {
      attempt()
    } catch (error) {
      expect(isGuestError(error, 'GUEST_SERVICE_KEY_INVALID')).toBe(true)
      expect(String(error)).not.toContain('garbage')
    }
  })
})
