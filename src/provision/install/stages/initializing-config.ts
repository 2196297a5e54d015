import { PveError } from '../../../pve/errors.js'
import type { Stage } from './stage.js'

/** Boots from the imported disk, grown to the requested size (only after the import ended). */
export const initializingConfig: Stage = {
  name: 'VM initialization > initializing configuration',
  async run(ctx, step) {
    const node = ctx.vmNode ?? ctx.createNode
    const options = { signal: ctx.signal, onLine: (line: string) => step.line(line) }
    // a clone boots from scsi0 already: its template says so
    if (ctx.clone === undefined)
      await ctx.deps.cluster.updateVm(node, ctx.vmid, { boot: 'order=scsi0' }, options)
    try {
      await ctx.deps.cluster.resizeDisk(node, ctx.vmid, 'scsi0', `${ctx.diskGb}G`, options)
    } catch (error) {
      // an image already larger than the request keeps its size: disks never shrink
      if (!(error instanceof PveError && error.kind === 'shrink_refused')) throw error
      step.processing(`the image is larger than ${ctx.diskGb}G; keeping its size`)
    }
    step.success('VM initialized successfully')
  },
}
