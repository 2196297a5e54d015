import { describe, expect, it } from 'vitest'

import { PveTaskError } from '../../../../src/pve/drivers/api/index.js'
import { describeClusterContract, expectPveError } from '../cli/cluster-contract.js'
import { startHttpsTarget, tokenId } from './https-target.js'

describeClusterContract(
  'api driver over HTTPS with a token holding only the documented privileges',
  startHttpsTarget,
  { node: 'pve2', otherNode: 'pve3', vmidBase: 500, seesStorages: false },
)

describeClusterContract('api driver over HTTPS, VMs on the main node', startHttpsTarget, {
  node: 'pve1',
  otherNode: 'pve2',
  vmidBase: 600,
  seesStorages: false,
})

describe('api driver over HTTPS', () => {
  it('runs its tasks as the token and streams their log lines as they come', async () => {
    const target = await startHttpsTarget()
    try {
      const lines: string[] = []
      await target.cluster.startVm('pve2', 101, { onLine: (line) => lines.push(line) })
      expect(lines).toContain('generating cloud-init ISO')
      expect(lines.some((line) => line.startsWith('TASK '))).toBe(false)
      const [user, tokenName] = tokenId.split('!')
      const tasks = await target.sim.api.handle({
        method: 'GET',
        path: '/nodes/pve2/tasks',
        params: { source: 'all' },
        caller: { user: 'root@pam', via: 'in-process' },
      })
      expect(tasks.data).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'qmstart', id: '101', user, tokenid: tokenName }),
        ]),
      )
    } finally {
      await target.close()
    }
  })

  it('turns a failed task into a typed error carrying its last log lines', async () => {
    const target = await startHttpsTarget()
    try {
      const running = await expectPveError(target.cluster.startVm('pve1', 100), 'vm_running')
      expect(running).toBeInstanceOf(PveTaskError)
      expect(running.message).toBe('VM 100 already running')
      target.sim.faults.inject({ operation: 'migrate', message: 'migration aborted' })
      const lines: string[] = []
      const migration = target.cluster.migrateVm('pve2', 101, 'pve3', {
        online: false,
        withLocalDisks: true,
        onLine: (line) => lines.push(line),
      })
      const error = await expectPveError(migration, 'failed')
      const task = error instanceof PveTaskError ? error : undefined
      expect(task?.message).toBe('migration aborted')
      if (task === undefined) return
      expect(task.upid).toMatch(/^UPID:pve2:[0-9A-F:]+:qmigrate:101:pve-qemu@pve!contract:$/)
      expect(task.lastLines.length).toBeGreaterThan(0)
      expect(task.lastLines).toEqual(lines.slice(-task.lastLines.length))
      expect(task.lastLines.some((line) => line.includes('starting migration of VM 101'))).toBe(
        true,
      )
    } finally {
      await target.close()
    }
  })

  it('never sends skiplock for a token, and may not import from a filesystem path', async () => {
    const target = await startHttpsTarget()
    try {
      expect(target.cluster.user).toBe(tokenId)
      expect(target.cluster.restricted?.user).toBe(tokenId)
      await target.cluster.stopVm('pve1', 100)
      const error = await expectPveError(
        target.cluster.createVm('pve1', 700, { scsi0: 'local-lvm:0,import-from=/tmp/x.qcow2' }),
        'permission',
      )
      expect(error.message).toBe('Only root can pass arbitrary filesystem paths.')
    } finally {
      await target.close()
    }
  })
})
