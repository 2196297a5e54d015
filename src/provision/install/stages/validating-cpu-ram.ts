import { installDefaults } from '../request.js'
import type { Stage } from './stage.js'

/** Clamps cpu to 1..VM_MAX_CPU and ram to 512..VM_MAX_RAM, saying so when it changes a value. */
export const validatingCpuRam: Stage = {
  name: 'preparation > validating CPU and RAM',
  async run(ctx, step) {
    const { maxCpu, maxRamMb } = ctx.deps.limits
    const askedCpu = ctx.request.cpu ?? installDefaults.cpu
    ctx.cpu = Math.min(Math.max(askedCpu, 1), maxCpu)
    if (ctx.cpu !== askedCpu)
      step.processing(`cpu ${askedCpu} adjusted to ${ctx.cpu} (VM_MAX_CPU ${maxCpu})`)
    const askedRam = ctx.request.ram ?? installDefaults.ramMb
    const ceiling = maxRamMb ?? Number.MAX_SAFE_INTEGER
    ctx.ramMb = Math.min(Math.max(askedRam, installDefaults.minRamMb), ceiling)
    if (ctx.ramMb !== askedRam) {
      const why = askedRam < installDefaults.minRamMb ? 'minimum 512' : `VM_MAX_RAM ${ceiling}`
      step.processing(`ram ${askedRam} MB adjusted to ${ctx.ramMb} MB (${why})`)
    }
    step.success(`CPU: ${ctx.cpu} cores, RAM: ${ctx.ramMb} MB`)
  },
}
