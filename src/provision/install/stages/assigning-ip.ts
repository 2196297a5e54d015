import { ipForVmid } from '../ip-address.js'
import type { Stage } from './stage.js'

/** The seed's rule: gateway prefix + VMID, /24. */
export const assigningIp: Stage = {
  name: 'preparation > assigning IP',
  async run(ctx, step) {
    ctx.ip = ipForVmid(ctx.deps.network.gateway, ctx.vmid)
    step.success(`assigned IP: ${ctx.ip}/24`)
  },
}
