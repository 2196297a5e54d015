import type { VmConfig } from '../config.js'
import { quote } from '../env-reader.js'
import type { EnvReader } from '../env-reader.js'

/** Reads the per-VM caps and the root password. */
export function readVmSection(env: EnvReader): VmConfig {
  const maxCpu = env.integer('VM_MAX_CPU', { min: 1, max: 32 }) ?? 32
  const maxRamMb = env.integer('VM_MAX_RAM', { min: 512, unit: 'MB' })
  const maxDiskGb = env.integer('VM_MAX_DISK', { min: 16, unit: 'GB' })
  const balloonMinMb = env.integer('VM_BALLOON_MIN', { min: 0, unit: 'MB' })
  if (balloonMinMb !== undefined && maxRamMb !== undefined && balloonMinMb > maxRamMb) {
    env.problem(
      'VM_BALLOON_MIN',
      `must not exceed VM_MAX_RAM (${maxRamMb} MB), got ${quote(String(balloonMinMb))}`,
    )
  }
  return { maxCpu, maxRamMb, maxDiskGb, balloonMinMb, rootPassword: env.secret('VM_ROOT_PASSWORD') }
}
