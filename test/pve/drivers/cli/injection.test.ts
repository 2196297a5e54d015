/**
 * Hostile values from the HTTP API (name, user, password, public key, node) reach qm on a remote
 * node as exactly one argument, unchanged, or are refused with a 400: never run by a shell.
 */
import { existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createCliDriver, type CliDriver } from '../../../../src/pve/drivers/cli/index.js'
import { PveError } from '../../../../src/pve/errors.js'
import { sha256Crypt } from '../../../../src/sim/index.js'
import {
  startFakeCliCluster,
  type FakeCliCluster,
} from '../../../sim/faces/cli/fake-cli-cluster.js'
import { contractKey } from './cluster-contract.js'

let fake: FakeCliCluster
let driver: CliDriver
const node = 'pve2'
/** A file a value would create if any shell ever ran it. */
const canary = join(tmpdir(), `pve-qemu-injection-canary-${process.pid}`)
/** What happened to each value, per field: kept verbatim or refused. */
const outcomes: { field: string; value: string; outcome: 'stored' | 'refused' }[] = []

beforeAll(async () => {
  fake = await startFakeCliCluster()
  driver = createCliDriver({
    mainNode: fake.mainNode,
    executorFor: fake.executorFor,
    log: { debug: () => undefined },
  })
  rmSync(canary, { force: true })
  await driver.createVm(node, 500, { name: 'target', scsi0: 'local-lvm:1' })
})
afterAll(async () => {
  await fake.close()
})

function hostileValues(): string[] {
  return [
    "it's",
    'say "hi"',
    'a;b',
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    `'; touch ${canary}; '`,
    `"; touch ${canary}; "`,
    'two words',
    `line1\ntouch ${canary}`,
    '-x',
    '--delete=name',
    '--cores',
    '$HOME ${PATH} * ? ~ | & > <',
    'ünïcødé 日本 🙂',
    '\\',
  ]
}

/** The value arrived unchanged, or the simulator refused it with a 400. Never run. */
async function expectVerbatimOrRefused(
  field: string,
  change: () => Promise<void>,
  read: () => Promise<string | undefined>,
  value: string,
) {
  const error: unknown = await change().then(
    () => undefined,
    (e: unknown) => e,
  )
  outcomes.push({ field, value, outcome: error === undefined ? 'stored' : 'refused' })
  if (error === undefined) {
    expect(await read()).toBe(value)
  } else {
    expect(error).toBeInstanceOf(PveError)
    expect((error as PveError).kind).toBe('invalid_parameter')
  }
  expect(existsSync(canary)).toBe(false)
}

describe('hostile values through SSH', () => {
  it.each(hostileValues())('name %j', async (value) => {
    await expectVerbatimOrRefused(
      'name',
      () => driver.updateVm(node, 500, { name: value }),
      async () => (await driver.vmConfig(node, 500)).name,
      value,
    )
  })

  it.each(hostileValues())('user %j', async (value) => {
    await expectVerbatimOrRefused(
      'user',
      () => driver.updateVm(node, 500, { ciuser: value }),
      async () => (await driver.vmConfig(node, 500)).ciuser,
      value,
    )
  })

  it.each(hostileValues())('description %j', async (value) => {
    await expectVerbatimOrRefused(
      'description',
      () => driver.updateVm(node, 500, { description: value }),
      async () => (await driver.vmConfig(node, 500)).description,
      value,
    )
  })

  it.each(hostileValues())('password %j', async (value) => {
    await expectVerbatimOrRefused(
      'password',
      () => driver.updateVm(node, 500, { cipassword: value }),
      () => {
        // stored hashed: the value is the one whose hash with that salt is stored
        const stored =
          fake.sim.snapshot().vms.find((vm) => vm.vmid === 500)?.config.cipassword ?? ''
        const salt = stored.split('$')[2] ?? ''
        return Promise.resolve(sha256Crypt(value, salt) === stored ? value : stored)
      },
      value,
    )
  })

  it.each(hostileValues().filter((value) => !value.includes('\n')))(
    'public key comment %j',
    async (comment) => {
      const keys = `${contractKey} ${comment}\n`
      await expectVerbatimOrRefused(
        'key',
        () => driver.updateVm(node, 500, { sshkeys: keys }),
        async () => decodeURIComponent((await driver.vmConfig(node, 500)).sshkeys ?? ''),
        keys,
      )
    },
  )

  it('refuses a public key followed by a non-key line, as PVE validates keys', async () => {
    const error: unknown = await driver
      .updateVm(node, 500, { sshkeys: `${contractKey}\n$(touch ${canary})\n` })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PveError)
    expect((error as PveError).message).toBe('SSH public key validation error')
    expect(existsSync(canary)).toBe(false)
  })

  it.each(hostileValues())('node %j is refused before anything runs', async (value) => {
    const before = [...fake.sshServers.values()].map((server) => server.commands.length)
    const error: unknown = await driver.startVm(value, 500).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PveError)
    expect((error as PveError).kind).toBe('invalid_parameter')
    const migrate: unknown = await driver
      .migrateVm(node, 500, value, { online: false, withLocalDisks: true })
      .catch((e: unknown) => e)
    expect((migrate as PveError).kind).toBe('invalid_parameter')
    expect([...fake.sshServers.values()].map((server) => server.commands.length)).toEqual(before)
  })

  it('kept free-text values verbatim rather than refusing them', () => {
    // a name must be a DNS name, so PVE refuses every hostile one; the free-text fields must
    // have taken every single-line value as it was
    const freeText = outcomes.filter(
      ({ field, value }) => field !== 'name' && !value.trimEnd().includes('\n'),
    )
    expect(freeText.length).toBe(4 * 14)
    expect(freeText.filter(({ outcome }) => outcome !== 'stored')).toEqual([])
  })

  it('sent every word single-quoted over SSH', () => {
    const commands = fake.sshServers.get(node)?.commands ?? []
    expect(commands.length).toBeGreaterThan(0)
    // qm, plus the fixed script that writes a key file on the node and the rm that removes it
    const quotedWords = /^'(?:[^']|'\\'')*'(?: '(?:[^']|'\\'')*')*$/
    for (const command of commands) {
      expect(command).toMatch(/^'(qm|sh|rm)' '/)
      expect(command).toMatch(quotedWords)
    }
    // every key directory made on the node was removed again
    expect(commands.filter((command) => command.startsWith("'sh' ")).length).toBe(
      commands.filter((command) => command.startsWith("'rm' ")).length,
    )
  })
})
