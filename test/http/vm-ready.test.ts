import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import { openStream, stepsOf, type LiveStream, type WireStep } from '../jobs/helpers/live-stream.js'

let t: TestApp | undefined
afterEach(async () => {
  t?.simGuests.faults.clear()
  await t?.close()
  t = undefined
})

const isReady = (step: WireStep): boolean =>
  step.status === 'success' && (step.message.includes('VM is ready') || step.step === 'finalizing')

/**
 * Opens the operation's stream with the VM's boot held, waits until the readiness check has
 * tried SSH and found it closed, proves nothing claimed the VM ready so far, then lets the
 * guest boot and reads the stream to its end.
 */
async function holdUntilProbed(app: TestApp, vmid: number, path: string): Promise<LiveStream> {
  const release = app.simGuests.faults.holdBoot(vmid)
  const stream = await openStream(`${app.url}${path}`, { method: 'POST' })
  expect(stream.status).toBe(200)
  await stream.until((event) => event.data.message.includes('not answering yet (attempt 1: '))
  expect(stepsOf(stream).filter(isReady)).toEqual([])
  expect(stepsOf(stream).map((step) => step.status)).not.toContain('error')
  expect(app.simGuests.running()).not.toContain(vmid)
  expect(stream.closed()).toBe(false)
  release()
  await stream.ended
  return stream
}

describe('start and reboot stream until the VM answers SSH', () => {
  it.each(['sim', 'cli'])(
    'start (%s driver): no ready event before SSH answers',
    async (driver) => {
      t = await buildTestApp({ env: { PVE_DRIVER: driver } })
      const stream = await holdUntilProbed(t, 101, '/api/vm/101/start')
      const steps = stepsOf(stream)
      const probed = steps.findIndex((step) => step.message.includes('not answering yet'))
      const ready = steps.findIndex(isReady)
      expect(steps[probed - 1]?.message).toMatch(/^\[\*\] waiting for SSH on 127\.0\.0\.101$/)
      expect(ready).toBeGreaterThan(probed)
      expect(steps.at(-1)).toMatchObject({ status: 'success', vm_id: 101 })
      expect(t.simGuests.running()).toContain(101)
    },
  )

  it('reboot: the old boot going away is not taken for ready', async () => {
    t = await buildTestApp()
    const stream = await holdUntilProbed(t, 100, '/api/vm/100/reboot')
    const steps = stepsOf(stream)
    expect(steps.findIndex(isReady)).toBeGreaterThan(
      steps.findIndex((step) => step.message.includes('not answering yet')),
    )
    expect(steps.at(-1)?.status).toBe('success')
  })

  it('a live migration ends only once the VM answers SSH on its new node', async () => {
    t = await buildTestApp()
    const target = t.sim.nodes[1] ?? ''
    const stream = await openStream(`${t.url}/api/vm/100/set/node`, {
      method: 'POST',
      body: { node: target },
    })
    await stream.ended
    const messages = stepsOf(stream).map((step) => step.message)
    const migrated = messages.findIndex((message) => message.includes(`VM migrated to ${target}`))
    const waiting = messages.indexOf('[*] waiting for SSH on 127.0.0.100')
    const ready = messages.findIndex((message) => message.startsWith('[+] VM is ready'))
    expect(migrated).toBeGreaterThan(0)
    expect(waiting).toBeGreaterThan(migrated)
    expect(ready).toBeGreaterThan(waiting)
  })

  it('sends an error event, and no success, when SSH never answers (GUEST_SSH_TIMEOUT)', async () => {
    t = await buildTestApp({ env: { GUEST_SSH_TIMEOUT: '5' } })
    t.simGuests.faults.neverAnswer(101)
    const stream = await openStream(`${t.url}/api/vm/101/start`, { method: 'POST' })
    await stream.ended
    const steps = stepsOf(stream)
    expect(steps.filter(isReady)).toEqual([])
    expect(steps.at(-1)).toMatchObject({ status: 'error' })
    expect(steps.at(-1)?.message).toMatch(
      /^\[-\] SSH on 127\.0\.0\.101:\d+ did not become ready within 5s \(\d+ attempts; last: /,
    )
    expect(stream.closed()).toBe(true)
    const job = await t.jobs.settled(stream.headers.get('x-job-id') ?? '')
    expect(job?.state).toBe('failed')
  })
})
