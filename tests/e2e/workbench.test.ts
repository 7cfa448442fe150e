/**
 * The workbench end to end, in Chromium against the browser host, clicked through the
 * way a researcher would: settings, a new project, a run from the spec form (with a
 * mistake first), live progress, cancel, resume, a page reload, a host restart and the
 * project reopened from the recent list, a scaled-down preset, and errors.
 * Every view is saved as a screenshot in tests/artifacts/screenshots/shell-*.png.
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs'
import * as path from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Project } from '../../src/main/archive/project'
import { createRun } from '../../src/main/experiments/runner'
import { CHROMIUM, HAS_CHROMIUM, SCREENSHOTS, openWorkbench, type Workbench } from './harness'

if (!HAS_CHROMIUM)
  console.warn(
    `e2e: the workbench tests are skipped because ${CHROMIUM} is missing (Debian: apt-get install chromium; .ci/run installs it).`,
  )

/** The small run of these tests: 2 networks of 10 hidden units, a 100-image probe set,
 * 2 epochs with 25 snapshots (20 inside the first epoch, then every quarter epoch);
 * about ten seconds of training on a busy 2-core machine, long enough to cancel it midway. */
const TINY = { nets: '2', hidden: '10', epochs: '2', probe: '100', trainSubset: '500', firstEpoch: '20', every: '0.25' }
const TINY_SNAPSHOTS = 25

const text = async (l: Locator) => ((await l.textContent()) ?? '').trim()

/** Waits until the run workspace shows `status`. */
async function waitForStatus(page: Page, status: string, timeout = 60_000) {
  try {
    await page.locator(`[data-testid="run-workspace"][data-status="${status}"]`).waitFor({ timeout })
  } catch (e) {
    // Say what was shown instead: which run, in which state, at which address.
    const ws = page.getByTestId('run-workspace')
    const seen = (await ws.count())
      ? `run ${await ws.getAttribute('data-run')} ${await ws.getAttribute('data-status')}`
      : 'no run workspace'
    throw new Error(`waiting for a run ${status}: the page shows ${seen} at ${page.url()}`, { cause: e })
  }
}

/** The page's document, typed just enough for the checks below (tests compile without the DOM library). */
type Doc = {
  querySelector(s: string): { dataset: Record<string, string | undefined>; textContent: string | null } | null
}

/** Waits until the live curve draws at least `min` points (exactly `min` if `exact`). */
async function waitForPoints(page: Page, min: number, exact = false, timeout = 60_000) {
  await page
    .waitForFunction(
      ([n, eq]) => {
        const el = (globalThis as unknown as { document: Doc }).document.querySelector('[data-testid="live-curve"]')
        const points = Number(el?.dataset.points ?? 0)
        return eq ? points === n : points >= n
      },
      [min, exact] as const,
      { timeout },
    )
    .catch(async (e: unknown) => {
      const seen = await page
        .getByTestId('live-curve')
        .getAttribute('data-points')
        .catch(() => 'no curve')
      throw new Error(`waiting for ${exact ? 'exactly' : 'at least'} ${min} points: the curve has ${seen}`, {
        cause: e,
      })
    })
}

/** Number of points the live curve draws. */
async function curvePoints(page: Page): Promise<number> {
  return Number(await page.getByTestId('live-curve').getAttribute('data-points'))
}

describe.skipIf(!HAS_CHROMIUM)('the workbench in Chromium', () => {
  let wb: Workbench
  let page: Page
  let projectsDir: string
  let runId: string

  beforeAll(async () => {
    wb = await openWorkbench()
    page = wb.page
    for (const f of readdirSync(SCREENSHOTS)) if (f.startsWith('shell-')) rmSync(path.join(SCREENSHOTS, f))
    projectsDir = path.join(wb.root, 'projects')
  })
  afterAll(async () => {
    await wb?.close()
  })

  it('opens on a start page with clear empty states', async () => {
    await page.goto(wb.host.url)
    await page.getByTestId('start-page').waitFor()
    expect(await text(page.getByTestId('no-recent'))).toContain('No recent projects')
    expect(await page.getByTestId('create-project').isDisabled()).toBe(true)
    await wb.screenshot('shell-01-start-empty')
  })

  it('changes settings, which persist across a reload', async () => {
    await page.getByTestId('open-settings').click()
    await page.getByTestId('settings-page').waitFor()
    await page.getByTestId('theme-dark').click()
    await page.locator('html[data-theme="dark"]').waitFor({ state: 'attached' })

    await page.getByTestId('workers-fixed').check()
    await page.getByLabel('Number of worker threads').fill('1')
    await page.getByLabel('Number of worker threads').press('Tab')
    await page.getByTestId('saved-workers').waitFor()
    await page.getByLabel('Default project folder').fill(projectsDir)
    await page.getByLabel('Default project folder').press('Enter')
    await page.getByTestId('saved-folder').waitFor()
    await wb.screenshot('shell-02-settings-dark')

    await page.reload()
    await page.getByTestId('settings-page').waitFor()
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark')
    expect(await page.getByLabel('Number of worker threads').inputValue()).toBe('1')
    expect(await page.getByTestId('workers-fixed').isChecked()).toBe(true)
    expect(await page.getByLabel('Default project folder').inputValue()).toBe(projectsDir)
    const stored = JSON.parse(readFileSync(path.join(wb.host.configDir, 'settings.json'), 'utf8'))
    expect(stored.settings).toMatchObject({ workers: 1, defaultProjectDir: projectsDir, theme: 'dark' })

    // The rest of the screenshots in the light theme.
    await page.getByTestId('theme-light').click()
    await page.locator('html[data-theme="light"]').waitFor({ state: 'attached' })
  })

  it('creates a project in the default folder', async () => {
    await page.getByRole('button', { name: 'Start', exact: true }).click()
    await page.getByTestId('start-page').waitFor()
    expect(await page.getByLabel('Location').inputValue()).toBe(projectsDir)
    await page.getByLabel('Name', { exact: true }).fill('mnist-study')
    expect(await text(page.locator('.will-create'))).toContain(path.join(projectsDir, 'mnist-study.sgdscope'))
    await page.getByTestId('create-project').click()
    await page.getByTestId('project-home').waitFor()
    expect(await text(page.getByTestId('project-name'))).toBe('mnist-study')
    expect(await text(page.getByTestId('no-runs'))).toContain('No runs yet')
    await wb.screenshot('shell-03-project-empty')
  })

  it('shows the presets and a full spec form with defaults; a bad field gets its message next to it', async () => {
    await page.getByTestId('new-run').click()
    const dialog = page.getByRole('dialog', { name: 'New run' })
    await dialog.waitFor()
    await dialog.getByTestId('spec-status').filter({ hasText: 'valid' }).waitFor()
    // Every preset of the paper is offered.
    for (const id of ['fig1', 'fig2', 'fig3', 'fig4', 'fig5', 'fig6', 'fig7', 'fig8'])
      expect(await dialog.getByTestId(`preset-${id}`).count()).toBe(1)
    // Defaults are shown with every field.
    expect(await dialog.getByLabel('Networks', { exact: true }).inputValue()).toBe('100')
    expect(await text(dialog.locator('[data-field="lr"] .help'))).toContain('Default: 1')
    await wb.screenshot('shell-04-new-run-form')

    await dialog.getByTestId('preset-fig6').click()
    await dialog.getByTestId('preset-summary').waitFor()
    expect(await text(dialog.getByTestId('start-run'))).toContain('Start 2 runs')
    await wb.screenshot('shell-05-new-run-preset')

    // A stochastic model's fields replace the network ones.
    await dialog.getByTestId('preset-fig8').click()
    await dialog.getByLabel('Zipf exponent s').waitFor()
    expect(await dialog.getByLabel('Picking').inputValue()).toBe('zipf')

    await dialog.getByTestId('source-custom').click()
    await dialog.getByLabel('Learning rate η').fill('-1')
    await dialog.getByLabel('Batch size').fill('1.5')
    const lrProblem = dialog.locator('[data-field="lr"] [data-testid="field-problem"]')
    await lrProblem.waitFor()
    expect(await text(lrProblem)).toBe('Must be greater than 0.')
    expect(await text(dialog.locator('[data-field="batch"] [data-testid="field-problem"]'))).toBe(
      'Must be a whole number.',
    )
    expect(await text(dialog.getByTestId('spec-status'))).toContain('2 problems')
    await dialog.locator('[data-group="optimiser"]').scrollIntoViewIfNeeded()
    await wb.screenshot('shell-06-new-run-invalid')
    // IDX datasets need their four files.
    await dialog.getByLabel('Dataset').selectOption('idx')
    await dialog.locator('[data-field="dataset.trainImages"] [data-testid="field-problem"]').waitFor()
    await wb.screenshot('shell-06-new-run-idx-files')
    // Start is not offered while the form shows problems.
    expect(await dialog.getByTestId('start-run').isDisabled()).toBe(true)
    await dialog.getByLabel('Dataset').selectOption('mnist')
    await dialog.getByLabel('Learning rate η').fill('1')
    await dialog.getByLabel('Batch size').fill('1')
    await lrProblem.waitFor({ state: 'detached' })
    await dialog.getByTestId('spec-status').filter({ hasText: 'valid' }).waitFor()
  })

  it('starts a small run from the form and shows it training live', async () => {
    const dialog = page.getByRole('dialog', { name: 'New run' })
    await dialog.getByLabel('Run name').fill('tiny ensemble')
    await dialog.getByLabel('Networks', { exact: true }).fill(TINY.nets)
    await dialog.getByLabel('Hidden units').fill(TINY.hidden)
    await dialog.getByLabel('Epochs', { exact: true }).fill(TINY.epochs)
    await dialog.getByLabel('Probe images').fill(TINY.probe)
    await dialog.getByLabel('Train-metric subset').fill(TINY.trainSubset)
    await dialog.getByLabel('Points in epoch 1').fill(TINY.firstEpoch)
    await dialog.getByLabel('Then every (epochs)').fill(TINY.every)
    await dialog.getByTestId('spec-status').filter({ hasText: 'valid' }).waitFor()
    await dialog.getByTestId('start-run').click()
    await dialog.waitFor({ state: 'hidden' })

    await page.getByTestId('run-workspace').waitFor()
    runId = (await page.getByTestId('run-item').first().getAttribute('data-run-id'))!
    expect(runId).toBeTruthy()
    await waitForStatus(page, 'running')
    // Live: snapshots arrive and the curve grows.
    await waitForPoints(page, 2)
    expect(await text(page.getByTestId('snapshots-done'))).toMatch(new RegExp(`^\\d+ / ${2 * TINY_SNAPSHOTS}$`))
  })

  it('cancels the run: it is interrupted and keeps what it recorded', async () => {
    await page.getByTestId('cancel-run').click()
    await waitForStatus(page, 'interrupted')
    await page.getByTestId('resume-run').waitFor()
    const sidebarBadge = page.locator(`[data-run-id="${runId}"] [data-testid="status-badge"]`)
    expect(await sidebarBadge.getAttribute('data-status')).toBe('interrupted')
    const points = await curvePoints(page)
    expect(points).toBeGreaterThan(0)
    expect(points).toBeLessThan(2 * TINY_SNAPSHOTS)
    await wb.screenshot('shell-07-run-interrupted')
  })

  it('resumes, shows the run training live, survives a page reload and completes with its curve and details', async () => {
    const before = await curvePoints(page)
    await page.getByTestId('resume-run').click()
    await page.locator('[data-testid="run-workspace"]:is([data-status="running"], [data-status="complete"])').waitFor()
    // New snapshots extend the curve; the rate and the remaining time are shown while it trains.
    await waitForPoints(page, before + 3)
    // While it trains, the rate and the remaining time are shown (a fast machine may finish first).
    await page.waitForFunction(() => {
      const d = (globalThis as unknown as { document: Doc }).document
      return (
        d.querySelector('[data-testid="run-workspace"]')?.dataset.status === 'complete' ||
        /\d/.test(d.querySelector('[data-testid="samples-per-sec"]')?.textContent ?? '')
      )
    })
    if ((await page.getByTestId('run-workspace').getAttribute('data-status')) === 'running')
      await wb.screenshot('shell-08-run-live')
    await page.reload()
    // The reload comes back to the same run (the host still has the project open).
    await page.getByTestId('run-workspace').waitFor()
    await waitForStatus(page, 'complete')
    await waitForPoints(page, 2 * (TINY_SNAPSHOTS - 1), true, 30_000) // epoch 0 is not on the default log axis
    expect(await text(page.getByTestId('progress-percent'))).toBe('100 %')
    // Details: the spec, the engine and the metrics of every snapshot.
    await page
      .locator('[data-testid="metrics-table"] tbody tr')
      .nth(TINY_SNAPSHOTS - 1)
      .waitFor()
    expect(await page.locator('[data-testid="metrics-table"] tbody tr').count()).toBe(TINY_SNAPSHOTS)
    expect(await text(page.locator('[data-spec-path="hidden"] td').last())).toBe('10')
    expect(await text(page.getByTestId('run-facts'))).toContain('fused')
    await wb.screenshot('shell-09-run-complete')
    await page.getByTestId('spec-json-toggle').click()
    expect(await text(page.getByTestId('spec-json'))).toContain('"hidden": 10')
    await page.getByTestId('metrics-table').scrollIntoViewIfNeeded()
    await wb.screenshot('shell-10-run-details')
    expect(await page.getByRole('tab').first().textContent()).toContain('Details')
  })

  it('shows a lost connection, and after a host restart reopens the project from the recent list', async () => {
    await wb.host.stop()
    await page.getByTestId('connection-lost').waitFor({ timeout: 20_000 })
    await wb.screenshot('shell-11-connection-lost')

    await wb.host.start()
    await page.goto(wb.host.url)
    await page.getByTestId('start-page').waitFor()
    const recent = page.getByTestId('recent-projects')
    await recent.getByRole('button', { name: /mnist-study/ }).waitFor()
    await wb.screenshot('shell-12-start-recent')
    await recent.getByRole('button', { name: /mnist-study/ }).click()
    await page.getByTestId('project-home').waitFor()
    await wb.screenshot('shell-13-project-overview')
    await page.locator(`[data-testid="run-item"][data-run-id="${runId}"]`).click()
    await waitForStatus(page, 'complete')
    await waitForPoints(page, 2 * (TINY_SNAPSHOTS - 1), true)
  })

  it('starts a scaled-down preset, which records what was changed', async () => {
    await page.getByTestId('new-run').click()
    const dialog = page.getByRole('dialog', { name: 'New run' })
    await dialog.getByTestId('preset-fig7').click()
    await dialog.getByLabel('Steps', { exact: true }).waitFor()
    await dialog.getByLabel('Steps', { exact: true }).fill('5000')
    await dialog.getByTestId('overrides').filter({ hasText: 'steps' }).waitFor()
    await dialog.getByTestId('spec-status').filter({ hasText: 'valid' }).waitFor()
    await dialog.getByTestId('start-run').click()
    await dialog.waitFor({ state: 'hidden' })
    await waitForStatus(page, 'complete')
    expect(await text(page.locator('.run-head h1'))).toBe('fig7 (5000 of 50000 steps)')
    expect(await page.getByTestId('run-item').count()).toBe(2)
    // The stochastic model's curve is its norm, 5 vectors × 11 records, step 0 not on the default log axis.
    await waitForPoints(page, 50, true)
    await wb.screenshot('shell-14-run-stochastic')
    await page.getByRole('button', { name: 'Overview' }).click()
    await page.getByTestId('project-home').waitFor()
    await wb.screenshot('shell-15-project-runs')
  })

  it('shows a failed run with its error and offers to retry it', async () => {
    // A run whose trainer died: written the way the runner records a failure.
    const project = await Project.open(path.join(projectsDir, 'mnist-study.sgdscope'))
    const run = await createRun(project, {
      kind: 'stochastic',
      name: 'crashed run',
      nets: 2,
      dim: 10,
      steps: 100,
      recordEvery: 10,
    })
    await run.update({ status: 'failed', error: 'worker 1 exited with code 134 (out of memory)' })
    await page.reload()
    await page.locator(`[data-testid="run-item"][data-run-id="${run.id}"]`).click()
    await waitForStatus(page, 'failed')
    // The error is in the run list at once and in the details once they are read (slow on a busy machine).
    // Polled, not read once: the list is drawn again as the project's summaries arrive.
    const shows = (testid: string, what: string) =>
      page.waitForFunction(
        ([id, w]) =>
          (
            (globalThis as unknown as { document: Doc }).document.querySelector(`[data-testid="${id}"]`)?.textContent ??
            ''
          ).includes(w),
        [testid, what] as const,
        { timeout: 60_000 },
      )
    await shows('run-error', 'out of memory')
    await shows('run-details-error', 'exited with code 134')
    await page.getByRole('button', { name: 'Retry' }).waitFor()
    await wb.screenshot('shell-16-run-failed')
  })

  it('shows a failed request readably', async () => {
    await page.getByTestId('close-project').click()
    await page.getByTestId('start-page').waitFor()
    await page.getByLabel('Project folder').fill(path.join(wb.root, 'nowhere.sgdscope'))
    await page.getByTestId('open-project').click()
    const toast = page.locator('[data-testid="toast"][data-kind="error"]')
    await toast.waitFor()
    expect(await text(toast)).toContain('Cannot open the project')
    expect(await text(toast)).toContain('is not an sgdscope project')
    await wb.screenshot('shell-17-error')
    await toast.getByRole('button', { name: 'Dismiss' }).click()
    await toast.waitFor({ state: 'detached' })
  })

  it('draws the workspace in the dark theme', async () => {
    await page
      .getByTestId('recent-projects')
      .getByRole('button', { name: /mnist-study/ })
      .click()
    await page.getByTestId('project-home').waitFor()
    await page.getByTestId('open-settings').click()
    await page.getByTestId('theme-dark').click()
    await page.locator(`[data-testid="run-item"][data-run-id="${runId}"]`).click()
    await waitForStatus(page, 'complete')
    await wb.screenshot('shell-18-run-dark')
    expect(wb.pageErrors).toEqual([])
  })
})
