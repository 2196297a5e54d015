import type { Stage } from './stage.js'

/** Reboots to apply everything, and waits for the old boot to go and the new one to answer. */
export const rebootingVm: Stage = {
  name: 'VM initialization > rebooting VM',
  async run(ctx, step) {
    const node = ctx.vmNode ?? ctx.createNode
    step.processing('rebooting VM')
    await ctx.deps.guest.rebootAndWait(
      ctx.ip,
      ctx.user,
      (signal) =>
        ctx.deps.cluster.rebootVm(node, ctx.vmid, { signal, onLine: (line) => step.line(line) }),
      { signal: ctx.signal },
    )
    step.success('VM rebooted')
  },
}
