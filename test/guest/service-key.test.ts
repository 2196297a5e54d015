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

  it('reads an ecdsa key in OpenSSH format as ssh2 does (the public half and fingerprint)', () => {
    const dir = dataDir()
    const pair = utils.generateKeyPairSync('ecdsa', { bits: 256 })
    mkdirSync(join(dir, 'ssh'))
    writeFileSync(join(dir, 'ssh', 'id_ed25519'), pair.private, { mode: 0o600 })

    const key = loadOrCreateServiceKey(dir)

    const parsed = utils.parseKey(pair.public)
    if (parsed instanceof Error) throw parsed
    expect(key.publicKey).toBe(
      `ecdsa-sha2-nistp256 ${parsed.getPublicSSH().toString('base64')} pve-qemu`,
    )
    expect(key.fingerprint).toBe(fingerprintOf(pair.private))
  })

  it('refuses a public key put where the private key belongs', () => {
    const dir = dataDir()
    mkdirSync(join(dir, 'ssh'))
    writeFileSync(join(dir, 'ssh', 'id_ed25519'), `${generateKeyPair().publicKey}\n`)

    expect(() => loadOrCreateServiceKey(dir)).toThrow('holds a public key, not a private key')
  })

  it('refuses a key protected by a passphrase, without quoting it', () => {
    const dir = dataDir()
    mkdirSync(join(dir, 'ssh'))
    const path = join(dir, 'ssh', 'id_ed25519')
    writeFileSync(path, encryptedLookingKey(), { mode: 0o600 })

    const attempt = (): unknown => loadOrCreateServiceKey(dir)

    expect(attempt).toThrow('is protected by a passphrase')
    try {
      attempt()
    } catch (error) {
      expect(isGuestError(error, 'GUEST_SERVICE_KEY_INVALID')).toBe(true)
      expect(String(error)).not.toContain('AAAA')
    }
  })
})

/** An `openssh-key-v1` file whose private part is encrypted (aes256-ctr, bcrypt), as `ssh-keygen -N` writes. */
function encryptedLookingKey(): string {
  const string = (value: string | Buffer): Buffer => {
    const bytes = typeof value === 'string' ? Buffer.from(value) : value
    const length = Buffer.alloc(4)
    length.writeUInt32BE(bytes.length)
    return Buffer.concat([length, bytes])
  }
  const count = Buffer.alloc(4)
  count.writeUInt32BE(1)
  const publicBlob = Buffer.concat([string('ssh-ed25519'), string(Buffer.alloc(32, 7))])
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    string('aes256-ctr'),
    string('bcrypt'),
    string(Buffer.concat([string(Buffer.alloc(16, 1)), Buffer.from([0, 0, 0, 16])])),
    count,
    string(publicBlob),
    string(Buffer.alloc(144, 9)),
  ])
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${body.toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`
}
