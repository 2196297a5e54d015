import { renderInitScript, withPasswordHashes } from '../../../guest/init-script.js'
import { hashPassword } from '../password.js'
import { guestSession } from '../context.js'
import type { InstallContext } from '../context.js'
import { learnInstallAddresses } from '../learn-install-addresses.js'
import { dynamicFamilies } from '../network-choice.js'
import type { Stage } from './stage.js'

/**
 * Runs the OS's first-boot script over SSH with sudo; each line it prints is an event. The
 * user's password is set there (never as `cipassword`, which would put its hash on a command
 * line and into the VM config that all of `www-data` reads).
 */
export const sshInitialization: Stage = {
  name: 'VM initialization > SSH initialization',
  async run(ctx, step) {
    await guestSession(ctx).runScript(initScriptOf(ctx), {
      signal: ctx.signal,
      onLine: (line) => step.line(line),
    })
    // a SLAAC/DHCPv6 address beside a static IPv4 one: the agent the script started tells it
    if (dynamicFamilies(ctx.network).ipv6 && ctx.ip6 === undefined)
      await learnInstallAddresses(ctx, step, { ipv4: false, ipv6: true })
    step.success('SSH initialization completed')
  },
}

/**
 * The first-boot script with the password hashes in it, rendered once. Hashing (SHA-512 crypt,
 * 5000 rounds in JavaScript) takes tens of milliseconds of CPU: `waiting for ready` asks for it
 * while the VM boots, so it is ready when SSH answers instead of after.
 */
export function initScriptOf(ctx: InstallContext): string {
  ctx.initScript ??= withPasswordHashes(
    renderInitScript(ctx.release, { timezone: ctx.deps.timezone }),
    {
      user:
        ctx.password === undefined
          ? undefined
          : { name: ctx.user, hash: hashPassword(ctx.password) },
      root: ctx.deps.rootPasswordHash,
    },
  )
  return ctx.initScript
}
