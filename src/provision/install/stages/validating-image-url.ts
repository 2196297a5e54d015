import type { Stage } from './stage.js'

/** HTTP HEAD on the image URL: it must answer before anything is created. */
export const validatingImageUrl: Stage = {
  name: 'OS preparation > validating OS image URL',
  async run(ctx, step) {
    const { bytes } = await ctx.deps.images.check(ctx.release, { signal: ctx.signal })
    const size = bytes === undefined ? 'size unknown' : `${(bytes / 1024 ** 2).toFixed(1)} MB`
    step.success(`OS image URL is reachable (${size})`)
  },
}
