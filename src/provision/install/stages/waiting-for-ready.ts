import type { Stage } from './stage.js'

/** Starts the VM and waits until it answers SSH with the service's key. */
export const waitingForReady: Stage = {
  name: 'VM initialization > waiting for ready',
  async run(ctx, step) {
    const node = ctx.vmNode ?? ctx.createNode
    step.processing('VM starting')
    ctx.deps.guest.forgetHost(ctx.ip)
    await ctx.deps.cluster.startVm(node, ctx.vmid, {
      signal: ctx.signal,
      onLine: (line) => step.line(line),
    })
    step.processing(`waiting for SSH on ${ctx.ip}`)
    await ctx.deps.guest.waitForSsh(ctx.ip, ctx.user, { signal: ctx.signal })
    step.success('VM is ready')
  },
}
