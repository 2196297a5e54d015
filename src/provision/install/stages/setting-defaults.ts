import { AppError } from '../../../errors.js'
import { cpuModelFor, describeLevel } from '../cpu-level.js'
import type { Stage } from './stage.js'

/**
 * Storage from ASSIGN_STORAGE; CPU type: the highest x86-64 level every node supports, refused
 * when the OS needs more (Rocky 9 needs v2, Rocky 10 needs v3: they do not boot below).
 */
export const settingDefaults: Stage = {
  name: 'preparation > setting default config values',
  async run(ctx, step) {
    ctx.storage = ctx.deps.storage
    const level = await ctx.deps.clusterCpuLevel()
    if (level.level < ctx.release.minCpuLevel) {
      throw new AppError(
        'CPU_LEVEL_TOO_LOW',
        `${ctx.release.os} ${ctx.release.version} needs x86-64-v${ctx.release.minCpuLevel}, but the cluster's common CPU level is ${describeLevel(level)}`,
      )
    }
    ctx.cpuType = cpuModelFor(level)
    step.success(`storage: ${ctx.storage}, CPU type: ${ctx.cpuType}`)
  },
}
