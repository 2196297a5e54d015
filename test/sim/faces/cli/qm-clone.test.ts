import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { createCliDriver } from '../../../../src/pve/drivers/cli/index.js'
import { PveError } from '../../../../src/pve/errors.js'
import { startFakeCliCluster, type FakeCliCluster } from './fake-cli-cluster.js'

let cluster: FakeCliCluster

beforeAll(async () => {
  cluster = await startFakeCliCluster()
})
afterAll(async () => {
  await cluster.close()
})

async function run(node: string, argv: string[]) {
  const result = await cluster.localAs(node).run(argv)
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }
}

describe('qm template and qm clone (fake tools)', () => {
  it('exits 255 for a linked clone of a VM that is not a template, with the reason on stderr', async () => {
    const result = await run('pve2', ['qm', 'clone', '101', '160', '--full', '0'])
    expect(result.exitCode).toBe(255)
    expect(result.stderr).toMatch(
      /^Linked clone feature is not supported for 'local-lvm:vm-101-disk-0' \(scsi0\)/,
    )
  })

  it('templates then clones in the foreground, printing what the tasks print', async () => {
    const template = await run('pve2', ['qm', 'template', '101'])
    expect(template.exitCode).toBe(0)
    expect(template.stdout).toContain('Renamed "vm-101-disk-0" to "base-101-disk-0"')
    const clone = await run('pve2', ['qm', 'clone', '101', '160', '--name', 'c160'])
    expect(clone.exitCode).toBe(0)
    expect(clone.stdout).toContain('create linked clone of drive scsi0 (local-lvm:base-101-disk-0)')
    expect(clone.stdout).toContain('Logical volume "vm-160-disk-0" created.')
  })

  it('qm template of a template dies before any task; the cli driver reports it', async () => {
    const again = await run('pve2', ['qm', 'template', '101'])
    expect(again.exitCode).toBe(255)
    expect(again.stderr.trim()).toBe("you can't convert a template to a template")
    const driver = createCliDriver({
      mainNode: cluster.mainNode,
      executorFor: cluster.executorFor,
      log: { debug: () => undefined },
    })
    await expect(driver.templateVm('pve2', 101)).rejects.toThrow(
      "you can't convert a template to a template",
    )
    const destroy = driver.destroyVm('pve2', 101)
    await expect(destroy).rejects.toBeInstanceOf(PveError)
    await expect(destroy).rejects.toThrow(
      "base volume 'local-lvm:base-101-disk-0' is still in use by linked cloned",
    )
  })

  it('the cli driver clones and refuses to move the linked clone off its node', async () => {
    const driver = createCliDriver({
      mainNode: cluster.mainNode,
      executorFor: cluster.executorFor,
      log: { debug: () => undefined },
    })
    const lines: string[] = []
    await driver.cloneVm('pve2', 101, 161, {
      full: false,
      name: 'c161',
      onLine: (l) => lines.push(l),
    })
    expect(lines).toContain('create linked clone of drive scsi0 (local-lvm:base-101-disk-0)')
    await expect(
      driver.migrateVm('pve2', 161, 'pve3', { online: false, withLocalDisks: true }),
    ).rejects.toThrow(
      "can't migrate 'local-lvm:vm-161-disk-0' as it's a clone of 'local-lvm:base-101-disk-0'",
    )
  })
})
