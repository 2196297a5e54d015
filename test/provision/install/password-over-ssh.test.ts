// The user's password reaches the VM only inside the first-boot script on SSH: never as
// `cipassword` (a command line on the node, a VM config all of www-data reads), never in a log
// line or an event. And every VM either driver makes skips the first-boot upgrade (`ciupgrade 0`).
import { pino } from 'pino'
import { verify } from 'unixcrypt'
import { afterEach, describe, expect, it } from 'vitest'

import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js'
import { readSse } from '../../helpers/sse-client.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

describe.each(['cli', 'api'])('install with the %s driver', (driver) => {
  it('sets the password over SSH only and creates the VM with ciupgrade 0', async () => {
    const logged: string[] = []
    const logger = pino({ level: 'debug' }, { write: (line: string) => logged.push(line) })
    const app = await buildTestApp({
      env: { PVE_DRIVER: driver, VM_ROOT_PASSWORD: 'root-Secret-9' },
      logger,
    })
    t = app
    const stream = await readSse(`${app.url}/api/vm/install`, {
      body: { os: 'debian', version: '12', passwd: 'correct horse battery' },
    })
    expect(stream.steps.filter((s) => s.status === 'error')).toEqual([])
    const vmid = Number(stream.steps.at(-1)?.vm_id)

    const vm = app.sim.snapshot().vms.find((v) => v.vmid === vmid)
    expect(vm?.config.ciupgrade).toBe('0')
    expect(vm?.config).not.toHaveProperty('cipassword')
    expect(Object.values(vm?.config ?? {}).join('\n')).not.toMatch(/\$[56]\$/)

    // the guest got both passwords, as crypt hashes that verify
    const userHash = app.simGuests.passwordHash(vmid, 'debian') ?? ''
    expect(verify('correct horse battery', userHash)).toBe(true)
    expect(verify('root-Secret-9', app.simGuests.passwordHash(vmid, 'root') ?? '')).toBe(true)

    // no command, log line or event carried a hash or the word cipassword
    if (driver === 'cli') expect(logged.some((line) => line.includes('"create"'))).toBe(true)
    expect(logged.filter((line) => /cipassword|\$6\$/.test(line))).toEqual([])
    const events = stream.steps.map((s) => s.message).join('\n')
    expect(events).not.toMatch(/cipassword|\$6\$/)
    expect(events).toContain('setting the password of debian')
  })
})
