import { describe, expect, it } from 'vitest'

import { createApiDriver } from '../../../../src/pve/drivers/api/index.js'
import { createCliDriver, type CliDriver } from '../../../../src/pve/drivers/cli/index.js'
import { createInProcessTransport, createSimulator } from '../../../../src/sim/index.js'
import {
  startFakeCliCluster,
  type FakeCliCluster,
} from '../../../sim/faces/cli/fake-cli-cluster.js'
import { describeClusterContract, type ContractTarget } from './cluster-contract.js'

const quiet = { debug: () => undefined }

async function startCli(): Promise<ContractTarget & { fake: FakeCliCluster; driver: CliDriver }> {
  const fake = await startFakeCliCluster()
  const driver = createCliDriver({
    mainNode: fake.mainNode,
    executorFor: fake.executorFor,
    log: quiet,
  })
  return { cluster: driver, driver, sim: fake.sim, fake, close: () => fake.close() }
}

describeClusterContract('cli driver, VMs on the main node (local qm)', startCli, {
  node: 'pve1',
  otherNode: 'pve2',
  vmidBase: 200,
})

describeClusterContract('cli driver, VMs on another node (qm over SSH)', startCli, {
  node: 'pve2',
  otherNode: 'pve3',
  vmidBase: 300,
})

async function startApi(): Promise<ContractTarget> {
  const sim = await createSimulator({ speed: 0 })
  const cluster = createApiDriver({
    transport: createInProcessTransport(sim),
    description: 'sim',
    taskPollMs: 5,
  })
  return { cluster, sim, close: () => sim.close() }
}

describeClusterContract('api driver on the simulator (the same contract)', startApi, {
  node: 'pve2',
  otherNode: 'pve3',
  vmidBase: 400,
})

describe('cli driver wiring', () => {
  it('reads from the main node and runs qm where the VM lives, over SSH', async () => {
    const target = await startCli()
    try {
      await target.cluster.vmStatus('pve2', 101)
      await target.cluster.startVm('pve2', 101)
      const pve2 = target.fake.sshServers.get('pve2')
      // the read went to the main node (local pvesh); only the start crossed SSH
      expect(pve2?.commands).toEqual(["'qm' 'start' '101'"])
      expect(target.fake.sshServers.get('pve3')?.commands).toEqual([])
      expect(target.driver.commandCounts()).toEqual({ 'pvesh get': 1, 'qm start': 1 })
      expect(target.fake.face.invocations()).toEqual({ pvesh: 1, qm: 1 })
    } finally {
      await target.close()
    }
  })
})
