import { GIB, parseRequestedSize } from '../../lifecycle/disk-size.js'
import { InvalidInputError } from '../../errors.js'
import { installDefaults } from '../request.js'
import type { Stage } from './stage.js'

/** Enforces the minimum 16G and VM_MAX_DISK, in whole GB. */
export const validatingDisk: Stage = {
  name: 'preparation > validating disk size',
  async run(ctx, step) {
    const asked = ctx.request.disk ?? `${installDefaults.diskGb}G`
    const bytes = parseRequestedSize(asked)
    if (bytes === undefined)
      throw new InvalidInputError('disk', `"${asked}" is not a size such as "20G"`)
    const askedGb = Math.ceil(bytes / GIB)
    const ceiling = ctx.deps.limits.maxDiskGb ?? Number.MAX_SAFE_INTEGER
    ctx.diskGb = Math.min(Math.max(askedGb, installDefaults.minDiskGb), ceiling)
    if (ctx.diskGb !== askedGb) {
      const why = askedGb < installDefaults.minDiskGb ? 'minimum 16G' : `VM_MAX_DISK ${ceiling}G`
      step.processing(`disk ${asked} adjusted to ${ctx.diskGb}G (${why})`)
    }
    step.success(`disk: ${ctx.diskGb}G`)
  },
}
