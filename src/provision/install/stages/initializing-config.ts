import { PveError } from '../../../pve/errors.js'
import type { StepHandle } from '../../progress.js'
import type { InstallContext } from '../context.js'
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
    // a clone's disk was grown with its settings (cloning-from-template.ts)
    if (ctx.clone?.resized !== true) await growDisk(ctx, node, step)
    step.success('VM initialized successfully')
  },
}

/** Grows scsi0 to the requested size; an image already larger keeps its size (never shrinks). */
export async function growDisk(ctx: InstallContext, node: string, step: StepHandle): Promise<void> {
  try {
    await ctx.deps.cluster.resizeDisk(node, ctx.vmid, 'scsi0', `${ctx.diskGb}G`, {
      signal: ctx.signal,
      onLine: (line) => step.line(line),
    })
  } catch (error) {
    if (!(error instanceof PveError && error.kind === 'shrink_refused')) throw error
    step.processing(`the image is larger than ${ctx.diskGb}G; keeping its size`)
  }
}
