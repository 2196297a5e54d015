import { checkBridges } from '../network-choice.js'
import type { Stage } from './stage.js'

/**
 * Moves the new, still stopped VM to the requested node with its disks (the image lives on the
 * main node, so the VM is made there first, as the seed does), once the target is known to have
 * the network's bridge.
 */
export const migratingVm: Stage = {
  name: 'VM initialization > migrating VM',
  async run(ctx, step) {
    const from = ctx.vmNode ?? ctx.createNode
    if (ctx.targetNode === from) return
    // checked before anything was made too; a node's bridges may have changed since
    await checkBridges(ctx.deps, ctx.network, [ctx.targetNode], ctx.signal)
    step.processing(`migrating VM to ${ctx.targetNode}`)
    await ctx.deps.cluster.migrateVm(from, ctx.vmid, ctx.targetNode, {
      online: false,
      withLocalDisks: true,
      signal: ctx.signal,
      onLine: (line) => step.line(line),
    })
    ctx.vmNode = ctx.targetNode
    ctx.deps.locator.remember([{ vmid: ctx.vmid, node: ctx.targetNode }])
    step.success(`VM migrated to ${ctx.targetNode}`)
  },
}
