import type { Stage } from './stage.js'

/** Downloads the image once (shared with concurrent installs), verified against its checksum. */
export const downloadingImage: Stage = {
  name: 'OS preparation > downloading OS image',
  async run(ctx, step) {
    step.processing('start downloading OS image')
    const result = await ctx.deps.images.ensure(ctx.release, {
      signal: ctx.signal,
      onProgress: (progress) => {
        const percent = progress.percent === undefined ? '' : `${progress.percent.toFixed(0)}% `
        const mb = (progress.receivedBytes / 1024 ** 2).toFixed(1)
        const rate = (progress.bytesPerSecond / 1024 ** 2).toFixed(1)
        step.processing(`downloading ${percent}(${mb} MB, ${rate} MB/s)`)
      },
    })
    ctx.imagePath = result.path
    step.success(
      result.downloaded ? 'completed OS image download' : 'OS image already cached and verified',
    )
  },
}
