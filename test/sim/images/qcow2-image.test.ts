import { execFileSync, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { buildQcow2Image, readQcow2Header } from '../../../src/sim/images/qcow2-image.js'
import { makeTempDir } from '../../exec/temp-dir.js'

const GiB = 1024n ** 3n
const hasQemuImg = spawnSync('qemu-img', ['--version']).status === 0

describe('buildQcow2Image', () => {
  let temp: { dir: string; remove: () => void } | undefined
  afterEach(() => {
    temp?.remove()
  })

  it('starts with the qcow2 magic, version 3 and the big-endian virtual size at offset 24', () => {
    const image = buildQcow2Image(3758096384n, 'ubuntu 24.04')
    expect(image.subarray(0, 4)).toEqual(Buffer.from([0x51, 0x46, 0x49, 0xfb]))
    expect(image.subarray(0, 3).toString('latin1')).toBe('QFI')
    expect(image.readUInt32BE(4)).toBe(3)
    expect(image.readBigUInt64BE(24)).toBe(3758096384n)
    expect(readQcow2Header(image)).toEqual({
      version: 3,
      clusterBits: 16,
      virtualSize: 3758096384n,
    })
  })

  it('stays tiny whatever the virtual size', () => {
    expect(buildQcow2Image(10n * GiB, 'rocky').length).toBe(256 * 1024)
    expect(buildQcow2Image(2n * GiB, 'debian').length).toBe(256 * 1024)
  })

  it('differs between labels, so releases get different digests', () => {
    expect(
      buildQcow2Image(2n * GiB, 'debian 11').equals(buildQcow2Image(2n * GiB, 'debian 12')),
    ).toBe(false)
  })

  it('refuses a size that is not a positive multiple of 512', () => {
    expect(() => buildQcow2Image(1000n, 'x')).toThrow('multiple of 512')
    expect(() => buildQcow2Image(0n, 'x')).toThrow('multiple of 512')
  })

  it('reads nothing from data that is not qcow2', () => {
    expect(readQcow2Header(Buffer.alloc(64))).toBeUndefined()
  })

  it.skipIf(!hasQemuImg)('passes qemu-img check with the right virtual size', () => {
    temp = makeTempDir('pve-qemu-qcow2-')
    const path = join(temp.dir, 'rocky.qcow2')
    writeFileSync(path, buildQcow2Image(10n * GiB, 'rockylinux 9'))
    execFileSync('qemu-img', ['check', path])
    const info: unknown = JSON.parse(
      execFileSync('qemu-img', ['info', '--output=json', path], { encoding: 'utf8' }),
    )
    expect(info).toMatchObject({ format: 'qcow2', 'virtual-size': 10 * 1024 ** 3 })
  })
})
