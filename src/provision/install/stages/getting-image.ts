import type { Stage } from './stage.js'

/** Resolves the official cloud image URL of the OS release (or its configured mirror). */
export const gettingImage: Stage = {
  name: 'OS preparation > getting OS image',
  async run(ctx, step) {
    step.success(`OS image: ${ctx.deps.images.imageUrl(ctx.release)}`)
  },
}
