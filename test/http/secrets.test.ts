import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import { readSse } from '../helpers/sse-client.js'

let t: TestApp | undefined
let dataDir: string | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
})

/** Every file under `dir` with its bytes. */
function everyFile(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, bytes: readFileSync(path) }))
}

/** The ways a secret could be written: as is, base64 and hex. */
function forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8')
  return [secret, bytes.toString('base64'), bytes.toString('hex')]
}

describe('secrets at rest', () => {
  it('no password of an install reaches DATA_DIR or the log, at any log level', async () => {
    const rootPassword = 'Root-Secret-7f3a9c'
    const userPassword = 'User-Secret-b81e2d'
    const lines: string[] = []
    const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) })
    dataDir = mkdtempSync(join(tmpdir(), 'pve-qemu-secrets-'))
    t = await buildTestApp({ logger, dataDir, env: { VM_ROOT_PASSWORD: rootPassword } })

    const withPassword = await readSse(`${t.url}/api/vm/install`, {
      body: { os: 'debian', version: '12', name: 'secretive', passwd: userPassword },
      headers: { 'idempotency-key': 'secret-test-1' },
    })
    expect(withPassword.steps.at(-1)).toMatchObject({ status: 'success', vm_id: 103 })
    const generated = await readSse(`${t.url}/api/vm/install`, {
      body: { os: 'ubuntu', version: '24.04' },
    })
    const shown = generated.steps.find((step) => step.message.startsWith('[*] Password: '))
    const generatedPassword = shown?.message.slice('[*] Password: '.length) ?? ''
    expect(generatedPassword).toMatch(/^[A-Za-z0-9]{20}$/)
    // a first-boot script that fails: its output and the rollback go into the events
    t.simGuests.faults.failScript(150)
    const failed = await readSse(`${t.url}/api/vm/install`, {
      body: { os: 'rockylinux', version: '9', id: 150, node: 'pve2', passwd: userPassword },
    })
    expect(failed.steps.at(-1)).toMatchObject({ status: 'error' })
    expect(failed.steps.at(-1)?.message).toContain('VM 150 and its disks removed')
    await t.close()
    t = undefined

    const files = everyFile(dataDir)
    expect(files.map((file) => file.path)).toEqual(
      expect.arrayContaining([join(dataDir, 'pve-qemu.db'), join(dataDir, 'sim-state.json')]),
    )
    const logged = lines.join('\n')
    expect(logged).toContain('"msg":"incoming request"')
    for (const secret of [rootPassword, userPassword, generatedPassword].flatMap(forms)) {
      expect(logged.includes(secret), `log holds ${secret}`).toBe(false)
      for (const file of files) {
        expect(file.bytes.includes(secret), `${file.path} holds ${secret}`).toBe(false)
      }
    }
  })
})
