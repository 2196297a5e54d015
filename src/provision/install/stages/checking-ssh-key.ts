import type { Stage } from './stage.js'

/** The service's own key (created on first use), the request's key and the admin keys. */
export const checkingSshKey: Stage = {
  name: 'SSH preparation > checking SSH key',
  async run(ctx, step) {
    const serviceKey = await ctx.deps.guest.servicePublicKey()
    const keys = [serviceKey, ...ctx.deps.adminKeys]
    if (ctx.request.pubkey !== undefined) keys.push(ctx.request.pubkey.trim())
    ctx.sshKeys = [...new Set(keys)]
    step.success(`SSH keys ready (${ctx.sshKeys.length})`)
  },
}
