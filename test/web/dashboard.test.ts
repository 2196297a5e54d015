import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import {
  buildDashboard,
  docsScreenshot,
  launchBrowser,
  screenshot,
  type Browser,
} from './browser.js'

let service: TestApp
let browser: Browser

beforeAll(async () => {
  buildDashboard()
  // slow enough that stages are seen running, fast enough for a short test
  service = await buildTestApp()
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
    // each VM with its address (read in the background, so a later refresh has it)
    await expect
      .poll(() => page.locator('tr[data-vmid="100"] td.ip').textContent(), { timeout: 15_000 })
      .toBe('127.0.0.100')
    await screenshot(page, '1-dashboard')
    await docsScreenshot(page, 'dashboard')
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
    expect(outcome).toMatch(/ssh -p \d+ deploy@127\.0\.0\.\d+/)
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
    for (let vmid = 103; vmid <= 120; vmid += 1) service.simGuests.faults.neverAnswer(vmid)
    await page.goto(`${service.url}/`)
    const form = page.locator('#install-form')
    await expect.poll(() => form.locator('select[name=os] option').count()).toBe(3)
    await form.getByRole('button', { name: 'Install' }).click()
    const progress = page.locator('#progress')
    await progress
      .locator('li.stage[data-step="VM initialization > waiting for ready"]')
      .waitFor({ timeout: 15_000 })
    await progress.getByRole('button', { name: 'Cancel' }).click()
    // cancelled is not failed
    await progress.locator('.outcome.cancelled').waitFor({ timeout: 15_000 })
    expect(await progress.locator('.outcome.cancelled').textContent()).toContain('⊘ cancelled')
    expect(await progress.locator('.outcome.failed').count()).toBe(0)
    await screenshot(page, '6-cancelled')
    const jobs = service.jobs.list({ state: 'cancelled' })
    expect(jobs).toHaveLength(1)
    const { vms } = await service.cluster.resources()
    expect(vms.map((vm) => vm.vmid).sort()).toEqual([100, 101, 102])
  })

  test('follows two installs at once, each in its own card, and locks their VMs (issue 15.3, 15.5)', async () => {
    const { page } = browser
    // the guests never answer SSH: both installs wait until cancelled
    for (let vmid = 103; vmid <= 120; vmid += 1) service.simGuests.faults.neverAnswer(vmid)
    await page.goto(`${service.url}/`)
    const form = page.locator('#install-form')
    await expect.poll(() => form.locator('select[name=os] option').count()).toBe(3)
    await form.locator('select[name=os]').selectOption('debian')
    await form.getByRole('button', { name: 'Install' }).click()
    await form.locator('select[name=os]').selectOption('ubuntu')
    await form.getByRole('button', { name: 'Install' }).click()
    const cards = page.locator('#progress article.watch')
    await expect.poll(() => cards.count()).toBe(2)
    // both wait for SSH (the guests never answer): both cards run, side by side
    await expect
      .poll(() => page.locator('#progress article.watch.running').count(), { timeout: 20_000 })
      .toBe(2)
    await expect
      .poll(
        () =>
          page
            .locator('#progress li.stage[data-step="VM initialization > waiting for ready"]')
            .count(),
        { timeout: 20_000 },
      )
      .toBe(2)
    expect(await cards.locator('[role=progressbar]').count()).toBe(2)
    // an install's VM is marked and none of its actions can be used
    const installing = page.locator('tr[data-vmid]', { hasText: 'installing' })
    await expect.poll(() => installing.count(), { timeout: 10_000 }).toBe(2)
    for (const row of await installing.all()) {
      expect(await row.getByRole('button', { name: /^Start VM/ }).isDisabled()).toBe(true)
      expect(await row.getByRole('button', { name: /^Destroy VM/ }).isDisabled()).toBe(true)
    }
    await docsScreenshot(page, 'parallel-installs')
    // one card after the other: a cancelled job's card loses its button within ~0.1 s, so the
    // n-th cancel button of the page is not the same button once the first job has ended
    for (const card of await cards.all()) await card.locator('button.cancel').click()
    await expect
      .poll(() => page.locator('#progress .outcome.cancelled').count(), { timeout: 20_000 })
      .toBe(2)
    service.simGuests.faults.clear()
  }, 90_000)

  test('shows a VM in a detail pane with its SSH command and changes its CPUs (issue 15.2, 15.5)', async () => {
    const { page } = browser
    await page.goto(`${service.url}/`)
    await page.getByRole('button', { name: 'Details of VM 100' }).click()
    const pane = page.locator('#detail')
    await pane.locator('.ssh code').waitFor()
    expect(await pane.locator('.ssh code').textContent()).toBe(
      `ssh -p ${service.config.install.guestSshPort} debian@127.0.0.100`,
    )
    expect(await pane.locator('.facts').textContent()).toContain('pve1')
    const cpu = pane.locator('form[data-control=cpu]')
    await cpu.locator('input').fill('3')
    await cpu.getByRole('button', { name: 'Apply' }).click()
    await expect
      .poll(async () => (await service.cluster.vmConfig('pve1', 100)).cores, { timeout: 10_000 })
      .toBe('3')
    // the change is in the job history, as every action is
    await expect
      .poll(() => page.locator('#job-rows tr', { hasText: 'cpu 3' }).count(), { timeout: 10_000 })
      .toBe(1)
    await expect.poll(() => pane.locator('table.config').textContent()).toContain('3')
    await docsScreenshot(page, 'vm-details', true)
    await screenshot(page, '8-details')
  })

  test('gives field hints instead of "Please match the requested format"', async () => {
    const { page } = browser
    await page.goto(`${service.url}/`)
    const name = page.locator('#install-form input[name=name]')
    await name.fill('bad_name')
    await page.locator('#install-form').getByRole('button', { name: 'Install' }).click()
    const message = await name.evaluate((input): string => {
      const text: unknown = Reflect.get(input, 'validationMessage')
      return typeof text === 'string' ? text : ''
    })
    expect(message).toContain('letters, digits and hyphens')
  })

  test('fits a phone: the VM table scrolls inside the page, nothing is cut off', async () => {
    const { page } = browser
    await page.setViewportSize({ width: 390, height: 844 })
    try {
      await page.goto(`${service.url}/`)
      await expect.poll(() => page.locator('tr[data-vmid]').count()).toBeGreaterThan(0)
      const overflow = Number(
        await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
      )
      expect(overflow).toBeLessThanOrEqual(0)
      await screenshot(page, '9-phone')
    } finally {
      await page.setViewportSize({ width: 1400, height: 1000 })
    }
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
    // a wrong token is said to be rejected
    await dialog.locator('input').fill('wrong-token')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await expect
      .poll(() => page.locator('#token-note').textContent(), { timeout: 10_000 })
      .toContain('rejected')
    await dialog.locator('input').fill('s3cret-token')
    await dialog.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.locator('tr[data-vmid]').count()).toBeGreaterThan(0)
    expect(seen).toContain('Bearer s3cret-token')
    await page.unroute('**/api/**')
  })
})
