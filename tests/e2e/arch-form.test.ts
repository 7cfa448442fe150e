/**
 * The new-run form's architecture and optimiser fields (issue 19), in Chromium through
 * the browser host: several hidden layers typed as a list, the activation, Nesterov
 * (editable only with momentum), weight decay, the cosine schedule with its final factor
 * and the warm-up; the spec the host checks is the one the fields say, and a fifth
 * layer is refused by the hidden field.
 */
import * as path from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest'
import { HAS_CHROMIUM, openWorkbench, type Workbench } from './harness'

const describe = describeAll.skipIf(!HAS_CHROMIUM)
const text = async (l: Locator) => ((await l.textContent()) ?? '').trim()

let wb: Workbench
let page: Page

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  wb = await openWorkbench()
  page = wb.page
}, 120_000)
afterAll(async () => wb?.close())

describe('the new-run form: architecture and optimiser', () => {
  const dialog = () => page.getByRole('dialog', { name: 'New run' })
  const field = (path: string) => dialog().locator(`[data-field="${path}"]`)
  const status = () => dialog().getByTestId('spec-status')

  it('sets depth, activation, Nesterov, weight decay, cosine schedule and warm-up', { timeout: 400_000 }, async () => {
    await page.goto(wb.host.url)
    await page.getByTestId('start-page').waitFor()
    await page.getByLabel('Location').fill(path.join(wb.root, 'projects'))
    await page.getByLabel('Name', { exact: true }).fill('arch')
    await page.getByTestId('create-project').click()
    await page.getByTestId('project-home').waitFor()
    await page.getByTestId('new-run').click()
    // The first check loads the dataset on the host (slow on a busy machine).
    await status().filter({ hasText: 'valid' }).waitFor({ timeout: 180_000 })
    // Nesterov needs momentum: disabled until μ > 0.
    expect(await field('nesterov').locator('input').isDisabled()).toBe(true)
    await dialog().getByLabel('Hidden units').fill('100, 50, 25, 12, 6')
    await field('hidden')
      .getByTestId('field-problem')
      .filter({ hasText: '4 hidden layers' })
      .waitFor({ timeout: 60_000 })
    await dialog().getByLabel('Hidden units').fill('100, 50')
    await dialog().getByLabel('Activation').selectOption('relu')
    await dialog().getByLabel('Momentum μ').fill('0.9')
    await field('nesterov').locator('input').check()
    await dialog().getByLabel('Weight decay').fill('0.0005')
    await dialog().getByLabel('Learning-rate schedule').selectOption('cosine')
    expect(await field('lrSchedule.to').locator('input').inputValue()).toBe('0')
    await dialog().getByLabel('Warm-up (epochs)').fill('1')
    await dialog().getByLabel('Learning rate η').fill('0.1')
    await status().filter({ hasText: 'valid' }).waitFor({ timeout: 60_000 })
    expect(await dialog().getByTestId('field-problem').count()).toBe(0)
    expect(await text(status())).toContain('valid')
    await field('activation').scrollIntoViewIfNeeded()
    await wb.screenshot('arch-01-network-fields')
    await field('lrWarmup.epochs').scrollIntoViewIfNeeded()
    await wb.screenshot('arch-02-optimiser-fields')
  })
})
