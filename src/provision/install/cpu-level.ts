/**
 * x86-64 micro-architecture levels from Linux CPU flags (`/proc/cpuinfo`, as Proxmox's node
 * status reports them). Level 2 with AES and PCLMULQDQ is Proxmox's `x86-64-v2-AES` model.
 */
const levelFlags: readonly (readonly string[])[] = [
  [],
  ['cx16', 'lahf_lm', 'popcnt', 'sse4_1', 'sse4_2', 'ssse3'],
  ['avx', 'avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm', 'movbe', 'xsave'],
  ['avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl'],
]
const aesFlags = ['aes', 'pclmulqdq']

export interface CpuLevel {
  /** 1..4 */
  level: number
  aes: boolean
}

/** The highest level whose flags (and every lower level's) are all present. */
export function cpuLevelOf(flags: readonly string[]): CpuLevel {
  const present = new Set(flags)
  let level = 1
  for (const [index, required] of levelFlags.entries()) {
    if (index === 0) continue
    if (!required.every((flag) => present.has(flag))) break
    level = index + 1
  }
  return { level, aes: aesFlags.every((flag) => present.has(flag)) }
}

/** The level every node reaches: the lowest of them. */
export function commonCpuLevel(levels: readonly CpuLevel[]): CpuLevel {
  if (levels.length === 0) return { level: 1, aes: false }
  return {
    level: Math.min(...levels.map((l) => l.level)),
    aes: levels.every((l) => l.aes),
  }
}

/** Proxmox's CPU model name for a level: `x86-64-v2-AES`, `x86-64-v3`, ... (`kvm64` below v2). */
export function cpuModelFor(level: CpuLevel): string {
  if (level.level <= 1) return 'kvm64'
  if (level.level === 2) return level.aes ? 'x86-64-v2-AES' : 'x86-64-v2'
  return `x86-64-v${level.level}`
}

export function describeLevel(level: CpuLevel): string {
  return level.level === 2 && level.aes ? 'x86-64-v2-AES' : `x86-64-v${level.level}`
}
