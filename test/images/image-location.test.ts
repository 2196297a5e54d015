import { describe, expect, it } from 'vitest'

import { locateImage, upstreamRoots } from '../../src/images/image-location.js'
import { osCatalog, type OsRelease } from '../../src/images/os-catalog.js'

describe('locateImage', () => {
  it.each(osCatalog.map((release) => [`${release.os} ${release.version}`, release] as const))(
    'can mirror %s: its URL lies below its OS root',
    (_name, release) => {
      expect(release.baseUrl.startsWith(upstreamRoots[release.os])).toBe(true)
      const location = locateImage(release, '/images', { [release.os]: 'http://127.0.0.1:8/m/' })
      expect(location.imageUrl).toBe(
        `http://127.0.0.1:8/m/${release.baseUrl.slice(upstreamRoots[release.os].length)}${release.imageFile}`,
      )
    },
  )

  it('keeps the local names of all releases apart, each naming its version', () => {
    const paths = osCatalog.map((release) => locateImage(release, '/images', {}).localPath)
    expect(new Set(paths).size).toBe(osCatalog.length)
    for (const [index, release] of osCatalog.entries()) {
      expect(paths[index]).toContain(`-${release.version}-`)
    }
  })

  it('refuses a file name that would leave the image directory', () => {
    const base = osCatalog[0]
    if (base === undefined) throw new Error('empty catalog')
    const bad: OsRelease = { ...base, imageFile: '../etc/passwd' }
    expect(() => locateImage(bad, '/images', {})).toThrow('not a plain file name')
  })
})
