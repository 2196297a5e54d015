import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { isExecError } from '../../../../src/exec/index.js'
import { createCliDriver } from '../../../../src/pve/drivers/cli/index.js'
import { startEmbeddedCli, type EmbeddedCli } from '../../../../src/sim/faces/cli/index.js'
import { createSimulator, type Simulator } from '../../../../src/sim/index.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function start(startupCostMs?: number): Promise<{ sim: Simulator; cli: EmbeddedCli }> {
  const dir = mkdtempSync(join(tmpdir(), 'pve-embedded-'))
  const sim = await createSimulator({ speed: 0 })
  const cli = await startEmbeddedCli(sim, {
    socketPath: join(dir, 'pve-sim.sock'),
    ...(startupCostMs === undefined ? {} : { startupCostMs }),
  })
  cleanups.push(async () => {
    await cli.close()
    await sim.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return { sim, cli }
}

describe('embedded cli', () => {
  it('drives the embedded simulator through the fake tools, each node as itself', async () => {
    const { sim, cli } = await start()
    const driver = createCliDriver({
      mainNode: sim.mainNode,
      executorFor: cli.executorFor,
      log: { debug: () => undefined },
    })
    const resources = await driver.resources()
    expect(resources.vms.find((vm) => vm.vmid === 101)?.node).toBe('pve2')
    await driver.startVm('pve2', 101)
    expect((await driver.vmStatus('pve2', 101)).status).toBe('running')
    expect(cli.face.invocations()).toEqual({ pvesh: 2, qm: 1 })
  })

  it('holds every invocation back by the start-up cost', async () => {
    const { cli } = await start(60_000)
    const error: unknown = await cli
      .executorFor('pve1')
      .run(['qm', 'status', '100'], { timeoutMs: 3000 })
      .catch((e: unknown) => e)
    expect(isExecError(error, 'EXEC_TIMEOUT')).toBe(true)
  })
})

describe('cli face socket path', () => {
  it('refuses a path too long for a Unix socket, naming it', async () => {
    const sim = await createSimulator({ speed: 0 })
    cleanups.push(() => sim.close())
    const socketPath = `/tmp/${'x'.repeat(120)}/pve-sim.sock`
    await expect(startEmbeddedCli(sim, { socketPath })).rejects.toMatchObject({
      code: 'SIM_CLI_SOCKET_PATH',
      message: expect.stringContaining(socketPath) as unknown,
    })
  })
})
