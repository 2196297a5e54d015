import { describe, expect, it } from 'vitest'
import {
  commonCpuLevel,
  cpuLevelOf,
  cpuModelFor,
} from '../../../src/provision/install/cpu-level.js'

const v2 = ['cx16', 'lahf_lm', 'popcnt', 'sse4_1', 'sse4_2', 'ssse3']
const v3 = [...v2, 'avx', 'avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm', 'movbe', 'xsave']
const v4 = [...v3, 'avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl']

describe('cpuLevelOf', () => {
  it.each([
    [['fpu', 'sse2'], 'kvm64'],
    [v2, 'x86-64-v2'],
    [[...v2, 'aes', 'pclmulqdq'], 'x86-64-v2-AES'],
    [[...v3, 'aes', 'pclmulqdq'], 'x86-64-v3'],
    [v4, 'x86-64-v4'],
    // a v4 flag without the v3 set does not skip a level
    [[...v2, 'avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl'], 'x86-64-v2'],
  ])('reads %j as %s', (flags, model) => {
    expect(cpuModelFor(cpuLevelOf(flags))).toBe(model)
  })

  it('takes the lowest level of all nodes', () => {
    const level = commonCpuLevel([cpuLevelOf([...v3, 'aes', 'pclmulqdq']), cpuLevelOf(v2)])
    expect(cpuModelFor(level)).toBe('x86-64-v2')
  })
})
