import { renderInitScript, withRootPasswordHash } from '../../../guest/init-script.js'
import type { Stage } from './stage.js'

/** Runs the OS's first-boot script over SSH with sudo; each line it prints is an event. */
export const sshInitialization: Stage = {
  name: 'VM initialization > SSH initialization',
  async run(ctx, step) {
    const script = withRootPasswordHash(
      renderInitScript(ctx.release, { timezone: ctx.deps.timezone }),
      ctx.deps.rootPasswordHash,
    )
    await ctx.deps.guest.runScript(ctx.ip, ctx.user, script, {
      signal: ctx.signal,
      onLine: (line) => step.line(line),
    })
    step.success('SSH initialization completed')
  },
}
