/**
 * Hostile values from the HTTP API (name, user, password, public key, node) reach qm on a remote
 * node as exactly one argument, unchanged, or are refused with a 400: never run by a shell.
 * Every value has its own VM, so the cases of one field run side by side (each one spawns the
 * fake qm over SSH and reads back through pvesh: the file's time is process start-ups).
 */
import { existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it, type ExpectStatic } from 'vitest'

import { createApiDriver } from '../../../../src/pve/drivers/api/index.js'
import { createCliDriver, type CliDriver } from '../../../../src/pve/drivers/cli/index.js'
import { PveError } from '../../../../src/pve/errors.js'
import { createInProcessTransport, sha256Crypt } from '../../../../src/sim/index.js'
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

/** The fields whose values go to qm set; each value of each field gets its own VM. */
const fields = ['name', 'user', 'description', 'password', 'key'] as const
type Field = (typeof fields)[number]

/** The VM the `index`th hostile value of `field` is written to. */
function vmOf(field: Field, index: number): number {
  return 500 + fields.indexOf(field) * 20 + index
}

beforeAll(async () => {
  fake = await startFakeCliCluster()
  driver = createCliDriver({
    mainNode: fake.mainNode,
    executorFor: fake.executorFor,
    log: { debug: () => undefined },
  })
  rmSync(canary, { force: true })
  // the target VMs are made in-process: creation is not what this file tests, the updates are
  const direct = createApiDriver({
    transport: createInProcessTransport(fake.sim),
    description: 'sim',
    taskPollMs: 5,
  })
  for (const field of fields) {
    for (const [index] of hostileValues().entries()) {
      await direct.createVm(node, vmOf(field, index), { name: 'target' })
    }
  }
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

/** Each hostile value with its index (which picks its VM). */
function hostileCases(): [string, number][] {
  return hostileValues().map((value, index) => [value, index])
}

/** The value arrived unchanged, or the simulator refused it with a 400. Never run. */
async function expectVerbatimOrRefused(
  expect: ExpectStatic,
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
  it.concurrent.for(hostileCases())('name %j', async ([value, index], { expect }) => {
    const vmid = vmOf('name', index)
    await expectVerbatimOrRefused(
      expect,
      'name',
      () => driver.updateVm(node, vmid, { name: value }),
      async () => (await driver.vmConfig(node, vmid)).name,
      value,
    )
  })

  it.concurrent.for(hostileCases())('user %j', async ([value, index], { expect }) => {
    const vmid = vmOf('user', index)
    await expectVerbatimOrRefused(
      expect,
      'user',
      () => driver.updateVm(node, vmid, { ciuser: value }),
      async () => (await driver.vmConfig(node, vmid)).ciuser,
      value,
    )
  })

  it.concurrent.for(hostileCases())('description %j', async ([value, index], { expect }) => {
    const vmid = vmOf('description', index)
    await expectVerbatimOrRefused(
      expect,
      'description',
      () => driver.updateVm(node, vmid, { description: value }),
      async () => (await driver.vmConfig(node, vmid)).description,
      value,
    )
  })

  it.concurrent.for(hostileCases())('password %j', async ([value, index], { expect }) => {
    const vmid = vmOf('password', index)
    await expectVerbatimOrRefused(
      expect,
      'password',
      () => driver.updateVm(node, vmid, { cipassword: value }),
      () => {
        // stored hashed: the value is the one whose hash with that salt is stored
        const stored =
          fake.sim.snapshot().vms.find((vm) => vm.vmid === vmid)?.config.cipassword ?? ''
        const salt = stored.split('$')[2] ?? ''
        return Promise.resolve(sha256Crypt(value, salt) === stored ? value : stored)
      },
      value,
    )
  })

  it.concurrent.for(hostileCases().filter(([value]) => !value.includes('\n')))(
    'public key comment %j',
    async ([comment, index], { expect }) => {
      const vmid = vmOf('key', index)
      const keys = `${contractKey} ${comment}\n`
      await expectVerbatimOrRefused(
        expect,
        'key',
        () => driver.updateVm(node, vmid, { sshkeys: keys }),
        async () => decodeURIComponent((await driver.vmConfig(node, vmid)).sshkeys ?? ''),
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
