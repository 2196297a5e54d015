import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import { buildDashboard, launchBrowser, screenshot, type Browser } from './browser.js'

let service: TestApp
let browser: Browser

beforeAll(async () => {
  buildDashboard()
  // slow enough that stages are seen running, fast enough for a short test
  service = await buildTestApp({ env: { SIM_SPEED: '0.02' } })
  browser = await launchBrowser()
}, 60_000)

afterAll(async () => {
  await browser.close()
  await service.close()
})

describe('the dashboard in headless Chromium', () => {
  test('shows the nodes with usage bars and the demo VMs', async () => {
    const { page } = browser
    await page.goto(`${service.url}/`)
    await expect.poll(() => page.locator('tr[data-vmid]').count()).toBe(3)
    expect(await page.locator('article.node').count()).toBe(3)
    expect(await page.locator('article.node [role=meter]').count()).toBe(9)
    await expect.poll(() => page.locator('#cluster-summary').textContent()).toContain('3 VMs')
    await screenshot(page, '1-dashboard')
  })

  test('installs a VM through the form, then stops and destroys it', async () => {
    const { page } = browser
    await page.goto(`${service.url}/`)
    const form = page.locator('#install-form')
    await expect.poll(() => form.locator('select[name=os] option').count()).toBe(3)
    await form.locator('select[name=os]').selectOption('debian')
    await form.locator('select[name=version]').selectOption('12')
    await form.locator('input[name=name]').fill('browser-test')
    await form.locator('input[name=user]').fill('deploy')
    await form.locator('input[name=cpu]').fill('2')
    await form.getByRole('button', { name: 'Install' }).click()

    // the stages show up one by one; wait for the end
    const progress = page.locator('#progress')
    await progress.locator('li.stage').first().waitFor()
    await progress.locator('.outcome.ok').waitFor({ timeout: 30_000 })
    await screenshot(page, '2-installed')
    const stages: string[] = []
    for (const item of await progress.locator('li.stage').all()) {
      const step = (await item.getAttribute('data-step')) ?? ''
      stages.push(`${step}:${(await item.getAttribute('class')) ?? ''}`)
    }
    expect(stages[0]).toBe('preparation > checking VMID:stage done')
    expect(stages.at(-1)).toBe('VM initialization > finalizing:stage done')
    expect(stages.some((stage) => stage.includes('failed'))).toBe(false)
    const outcome = (await progress.locator('.outcome.ok').textContent()) ?? ''
    expect(outcome).toMatch(/ssh deploy@127\.0\.0\.\d+/)
    const vmid = Number(/VMID\s*(\d+)/.exec(outcome)?.[1])
    expect(vmid).toBeGreaterThanOrEqual(100)
    // the first-boot script's output is shown under its stage
    const initOutput = await progress
      .locator('li.stage[data-step="VM initialization > SSH initialization"] pre.output')
      .textContent()
    expect(initOutput).toContain('first-boot setup finished')

    const row = page.locator(`tr[data-vmid="${vmid}"]`)
    await expect
      .poll(() => row.locator('.state').textContent(), { timeout: 10_000 })
      .toBe('running')
    expect(await row.textContent()).toContain('browser-test')

    await row.getByRole('button', { name: `Stop VM ${vmid}` }).click()
    await expect
      .poll(() => row.locator('.state').textContent(), { timeout: 10_000 })
      .toBe('stopped')
    await screenshot(page, '3-stopped')
    expect((await service.cluster.vmStatus('pve1', vmid)).status).toBe('stopped')

    page.once('dialog', (dialog) => void dialog.accept())
    await row.getByRole('button', { name: `Destroy VM ${vmid}` }).click()
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0)
    await screenshot(page, '4-destroyed')
    const { vms } = await service.cluster.resources()
    expect(vms.some((vm) => vm.vmid === vmid)).toBe(false)
  })

  test('replays a finished job from the job history', async () => {
    const { page } = browser
    await page.goto(`${service.url}/`)
    const installRow = page.locator('#job-rows tr', { hasText: 'install' }).first()
    await expect.poll(() => installRow.locator('.state').textContent()).toBe('succeeded')
    await installRow.getByRole('button', { name: /Watch job/ }).click()
    const progress = page.locator('#progress')
    await progress.locator('.outcome.ok').waitFor({ timeout: 10_000 })
    expect(await progress.locator('li.stage.done').count()).toBeGreaterThanOrEqual(17)
    await screenshot(page, '5-replayed')
  })

  test('cancels a running install from the progress panel', async () => {
    const { page } = browser
    // the guests never answer SSH, so the install waits until it is cancelled
    for (let vmid = 103; vmid <= 110; vmid += 1) service.simGuests.faults.neverAnswer(vmid)
    await page.goto(`${service.url}/`)
    const form = page.locator('#install-form')
    await expect.poll(() => form.locator('select[name=os] option').count()).toBe(3)
    await form.getByRole('button', { name: 'Install' }).click()
    const progress = page.locator('#progress')
    await progress
      .locator('li.stage[data-step="VM initialization > waiting for ready"]')
      .waitFor({ timeout: 15_000 })
    await progress.getByRole('button', { name: 'Cancel' }).click()
    await progress.locator('.outcome.failed').waitFor({ timeout: 15_000 })
    expect(await progress.locator('.outcome.failed').textContent()).toContain('install cancelled')
    await screenshot(page, '6-cancelled')
    const jobs = service.jobs.list({ state: 'cancelled' })
    expect(jobs).toHaveLength(1)
    const { vms } = await service.cluster.resources()
    expect(vms.map((vm) => vm.vmid).sort()).toEqual([100, 101, 102])
  })

  test('asks for a token when the API answers 401 and sends it from then on', async () => {
    const { page } = browser
    const seen: (string | undefined)[] = []
    await page.route('**/api/**', async (route) => {
      const authorization = route.request().headers().authorization
      seen.push(authorization)
      if (authorization === 'Bearer s3cret-token') await route.continue()
      else
        await route.fulfill({
          status: 401,
          contentType: 'application/json',
          body: '{"success":false,"code":"UNAUTHORIZED","message":"a token is needed"}',
        })
    })
    await page.goto(`${service.url}/`)
    const dialog = page.locator('#token-dialog')
    await dialog.waitFor({ state: 'visible' })
    await screenshot(page, '7-token')
    await dialog.locator('input').fill('s3cret-token')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.locator('tr[data-vmid]').count()).toBeGreaterThan(0)
    expect(seen).toContain('Bearer s3cret-token')
    await page.unroute('**/api/**')
  })
})
