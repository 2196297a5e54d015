import { guestSession } from '../context.js'
import type { Stage } from './stage.js'

/**
 * Reboots when the guest says its first-boot setup needs it (`/run/reboot-required`,
 * `needs-restarting -r`) or INSTALL_REBOOT=always, and waits for the old boot to go and the
 * new one to answer; otherwise the stage still reports, with why no reboot was done.
 */
export const rebootingVm: Stage = {
  name: 'VM initialization > rebooting VM',
  async run(ctx, step) {
    const node = ctx.vmNode ?? ctx.createNode
    const policy = ctx.deps.reboot ?? 'auto'
    if (policy === 'never') {
      step.success('no reboot: INSTALL_REBOOT=never')
      return
    }
    if (policy === 'auto') {
      step.processing('asking the guest whether it needs a reboot')
      const need = await guestSession(ctx).rebootRequired(ctx.release, { signal: ctx.signal })
      if (!need.required) {
        step.success(`no reboot needed (${need.why})`)
        return
      }
      step.processing(`reboot required: ${need.why}`)
    }
    step.processing('rebooting VM')
    await guestSession(ctx).rebootAndWait(
      (signal) =>
        ctx.deps.cluster.rebootVm(node, ctx.vmid, { signal, onLine: (line) => step.line(line) }),
      { signal: ctx.signal },
    )
    step.success('VM rebooted')
  },
}
