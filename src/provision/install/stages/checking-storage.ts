import { AppError } from '../../../errors.js'
import { imageTransferOf } from '../image-transfer.js'
import { decideClonePath } from './cloning-from-template.js'
import type { Stage } from './stage.js'

/** The storage must exist on the node, be active, hold disk images and have room for the disk. */
export const checkingStorage: Stage = {
  name: 'preparation > checking storage pool',
  async run(ctx, step) {
    const storages = await ctx.deps.cluster.nodeStorages(ctx.createNode, { signal: ctx.signal })
    const storage = storages.find((entry) => entry.storage === ctx.storage)
    const fail = (why: string): never => {
      throw new AppError('STORAGE_UNUSABLE', `storage ${ctx.storage} on ${ctx.createNode} ${why}`)
    }
    if (storage === undefined) return fail('does not exist (ASSIGN_STORAGE)')
    if (!storage.enabled || !storage.active) fail('is not active')
    if (!storage.content.includes('images')) fail('does not hold disk images (content "images")')
    const needed = ctx.diskGb * 1024 ** 3
    if (storage.avail < needed) {
      fail(`has ${(storage.avail / 1024 ** 3).toFixed(1)}G free, the disk needs ${ctx.diskGb}G`)
    }
    // an API token must have the node download the image: check it can, before anything exists
    const transfer = await imageTransferOf(ctx.deps).preflight(ctx.createNode, {
      signal: ctx.signal,
    })
    const free = `storage ${ctx.storage} is active with ${(storage.avail / 1024 ** 3).toFixed(0)}G free`
    const path = await decideClonePath(ctx, storage)
    step.success([free, transfer, path].filter((part) => part !== undefined).join('; '))
  },
}
