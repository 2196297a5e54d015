import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { osCatalog } from '../../src/images/os-catalog.js'
import { buildTestApp, get, type TestApp } from '../helpers/build-test-app.js'

let t: TestApp

beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => {
  await t.close()
})

interface Release {
  os: string
  version: string
  codename: string
  default_user: string
  support_ends: string
  min_cpu_level: number
}

async function releases(): Promise<Release[]> {
  const reply = await get(`${t.url}/api/os`)
  expect(reply.status).toBe(200)
  expect(reply.type).toContain('application/json')
  const body = JSON.parse(reply.text) as { success: boolean; releases: Release[] }
  expect(body.success).toBe(true)
  return body.releases
}

describe('GET /api/os', () => {
  it('lists every release of the catalog, in order, with its default user', async () => {
    const listed = await releases()
    expect(listed.map((release) => `${release.os} ${release.version}`)).toEqual(
      osCatalog.map((release) => `${release.os} ${release.version}`),
    )
    expect(
      listed.find((release) => release.os === 'ubuntu' && release.version === '24.04'),
    ).toEqual({
      os: 'ubuntu',
      version: '24.04',
      codename: 'noble',
      default_user: 'ubuntu',
      support_ends: '2029-05-31',
      min_cpu_level: 1,
    })
  })

  it('offers only releases that have a first-boot script', async () => {
    for (const release of await releases()) {
      const script = await get(`${t.url}/sh/${release.os}_${release.version}.sh`)
      expect(script.status, `${release.os} ${release.version}`).toBe(200)
    }
  })

  it('is refused with 403 in JSON outside ALLOW_IPS', async () => {
    const guarded = await buildTestApp({ env: { ALLOW_IPS: '10.9.8.7' } })
    try {
      const reply = await get(`${guarded.url}/api/os`)
      expect(reply.status).toBe(403)
      expect(JSON.parse(reply.text)).toMatchObject({ success: false, code: 'ACCESS_DENIED' })
    } finally {
      await guarded.close()
    }
  })
})
