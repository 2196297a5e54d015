import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FaultOperation } from '../../../src/sim/index.js'
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js'
import { readSse } from '../../helpers/sse-client.js'

let t: TestApp

beforeEach(async () => {
  t = await buildTestApp({ env: { GUEST_SSH_TIMEOUT: '5' } })
})
afterEach(async () => {
  await t.close()
})

/** What a failed install must leave exactly as it was: VMs, volumes, storage use. */
function clusterState(): string {
  const snapshot = t.sim.snapshot()
  return JSON.stringify({
    vms: snapshot.vms.map((vm) => [vm.vmid, vm.node, vm.status]),
    volumes: snapshot.storages.map((storage) => [
      storage.node,
      storage.storage,
      storage.used,
      storage.volumes.map((v) => v.volid).sort(),
    ]),
  })
}

/** VMIDs still held by installs, as the store has them. */
function reservations(): number[] {
  return [...t.store.reservations.reserved().keys()]
}

async function installExpectingFailure(stage?: string): Promise<string> {
  const stream = await readSse(`${t.url}/api/vm/install`, {
    body: { os: 'debian', version: '12', passwd: 'pw' },
  })
  expect(stream.status).toBe(200)
  expect(stream.closed).toBe(true)
  const last = stream.steps.at(-1)
  expect(last?.status).toBe('error')
  // the error event is reported under the stage that failed
  if (stage !== undefined) expect(last?.step).toBe(stage)
  return last?.message ?? ''
}

describe('a failed install leaves nothing behind', () => {
  const operations: [FaultOperation, string][] = [
    ['create', 'VM creation > creating VM'],
    ['config', 'VM creation > importing disk image'],
    ['resize', 'VM initialization > initializing configuration'],
    ['start', 'VM initialization > waiting for ready'],
    ['reboot', 'VM initialization > rebooting VM'],
  ]

  it.each(operations)('when Proxmox fails the %s', async (operation, stage) => {
    const before = clusterState()
    t.sim.faults.inject({ operation, vmid: 103, message: `injected ${operation} failure` })
    const message = await installExpectingFailure(stage)
    expect(message).toContain(`${stage} failed`)
    expect(message).toContain(`injected ${operation} failure`)
    expect(clusterState()).toBe(before)
    expect(reservations()).toEqual([])
  })

  it('when the first-boot script fails in the guest', async () => {
    const before = clusterState()
    t.simGuests.faults.failScript(103)
    const message = await installExpectingFailure()
    expect(message).toContain('VM initialization > SSH initialization failed')
    expect(message).toContain('cleaned up: VM 103 and its disks removed')
    expect(clusterState()).toBe(before)
    expect(reservations()).toEqual([])
  })

  it('when the guest never answers SSH', async () => {
    const before = clusterState()
    t.simGuests.faults.neverAnswer(103)
    const message = await installExpectingFailure()
    expect(message).toContain('VM initialization > waiting for ready failed')
    expect(clusterState()).toBe(before)
    expect(reservations()).toEqual([])
  })

  it('when the install is cancelled mid-way', async () => {
    await t.close()
    t = await buildTestApp()
    // the disk import is still running when the cancel comes: held until then
    const importing = t.sim.faults.hold({ operation: 'import' })
    const before = clusterState()
    const response = await fetch(`${t.url}/api/vm/install`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ os: 'debian', version: '12', passwd: 'pw' }),
    })
    const jobId = response.headers.get('x-job-id') ?? ''
    const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader()
    let seen = ''
    while (reader !== undefined && !seen.includes('VM creation > importing disk image')) {
      const { value, done } = await reader.read()
      if (done) break
      seen += value
    }
    await importing.reached
    expect(t.jobs.cancel(jobId)).toBe(true)
    importing.release()
    const job = await t.jobs.settled(jobId)
    expect(job?.state).toBe('cancelled')
    await reader?.cancel()
    expect(clusterState()).toBe(before)
    expect(reservations()).toEqual([])
  })
})
