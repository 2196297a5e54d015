import type { InstallContext } from '../context.js'
import type { StepHandle } from '../../progress.js'

/** One named stage of the install, in the seed's words (`preparation > checking VMID`). */
export interface Stage {
  name: string
  run(ctx: InstallContext, step: StepHandle): Promise<void>
}
