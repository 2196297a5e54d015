import { withDiskTurn } from '../disk-turn.js'
import { cloneFromTemplateStep } from './cloning-from-template.js'
import type { Stage } from './stage.js'

/** Imports the cloud image as the VM's boot disk (`scsi0: <storage>:0,import-from=<image>`). */
export const importingDisk: Stage = {
  name: 'VM creation > importing disk image',
  async run(ctx, step) {
    if (ctx.clone !== undefined) return cloneFromTemplateStep(ctx, step)
    const node = ctx.vmNode ?? ctx.createNode
    await withDiskTurn(ctx, step, () =>
      ctx.deps.cluster.updateVm(
        node,
        ctx.vmid,
        { scsi0: `${ctx.storage}:0,import-from=${ctx.imagePath},discard=on,ssd=1` },
        { signal: ctx.signal, onLine: (line) => step.line(line) },
      ),
    )
    step.success('disk image imported successfully')
  },
}
