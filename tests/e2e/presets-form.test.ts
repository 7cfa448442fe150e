/**
 * The new-run form's preset list (issue 19): the paper's figures, then the presets beyond
 * the paper, each with the question it asks; choosing one shows its question and runs.
 */
import * as path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest'
import { PRESETS } from '../../src/shared/presets'
import { HAS_CHROMIUM, openWorkbench, type Workbench } from './harness'

const describe = describeAll.skipIf(!HAS_CHROMIUM)

let wb: Workbench
let page: Page

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  wb = await openWorkbench()
  page = wb.page
}, 120_000)
afterAll(async () => wb?.close())

describe('the new-run form: presets beyond the paper', () => {
  const dialog = () => page.getByRole('dialog', { name: 'New run' })

  it(
    'lists them after the paper’s figures with their questions, and shows the chosen one’s',
    { timeout: 400_000 },
    async () => {
      await page.goto(wb.host.url)
      await page.getByTestId('start-page').waitFor()
      await page.getByLabel('Location').fill(path.join(wb.root, 'projects'))
      await page.getByLabel('Name', { exact: true }).fill('presets')
      await page.getByTestId('create-project').click()
      await page.getByTestId('project-home').waitFor()
      await page.getByTestId('new-run').click()
      await dialog().getByTestId('presets-beyond').waitFor({ timeout: 180_000 })
      expect(await dialog().getByTestId('presets-paper').textContent()).toContain('The paper’s figures')
      for (const id of ['depth', 'activation', 'weight-decay', 'fashion'] as const)
        expect(await dialog().getByTestId(`preset-${id}`).textContent()).toContain(PRESETS[id].question)
      await dialog().getByTestId('preset-depth').click()
      await dialog().getByTestId('preset-question').waitFor()
      expect(await dialog().getByTestId('preset-question').textContent()).toContain(PRESETS.depth.question)
      expect(await dialog().getByTestId('preset-summary').textContent()).toMatch(/Creates 3 runs: 1 hidden layer/)
      await dialog().getByTestId('preset-depth').scrollIntoViewIfNeeded()
      await wb.screenshot('presets-01-beyond-the-paper')
    },
  )
})
