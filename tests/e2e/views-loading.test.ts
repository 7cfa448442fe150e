/**
 * Loading is not empty (issue 15 item 5), end to end in Chromium through the browser host:
 * the Compare page's learning-curve panel says it is reading while the host has not answered,
 * then draws the curves; when the request fails it shows why with a retry, and the retry draws
 * them. The host's answers are held or failed in this process (the host runs in-process), so
 * the states are waited for, never timed.
 */
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest'
import { HAS_CHROMIUM, smallSpec, startViewsHarness, type ViewsHarness } from './views-harness'

const COMPARE = '[data-testid="compare-page"]'
const CURVES = `${COMPARE} [data-testid="compare-curves"]`
const describe = describeAll.skipIf(!HAS_CHROMIUM)

type Call = (name: string, args: unknown, opts?: unknown) => Promise<unknown>

let h: ViewsHarness
let a: string
let b: string
/** While set, runs.metrics waits for it. */
let hold: Promise<void> | null = null
/** This many runs.metrics calls fail. */
let failures = 0

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  h = await startViewsHarness([smallSpec({ name: 'batch 1' }), smallSpec({ name: 'batch 10', batch: 10, lr: 5 })])
  ;[a, b] = h.runIds as [string, string]
  const service = h.host.service as unknown as { call: Call }
  const call = service.call.bind(service)
  service.call = async (name, args, opts) => {
    if (name === 'runs.metrics') {
      if (hold) await hold
      if (failures > 0) {
        failures--
        throw new Error('the learning curves are unavailable (test)')
      }
    }
    return call(name, args, opts)
  }
}, 300_000)
afterAll(async () => h?.close())

const state = () => h.page.locator(CURVES).getAttribute('data-state')

describe('loading, then data; failed, then retried', () => {
  it('shows the curves panel loading while the host has not answered, then the curves', async () => {
    let release!: () => void
    hold = new Promise<void>((r) => (release = r))
    await h.go('#/page/compare')
    await h.page.click(`[data-testid="compare-run-${a}"]`)
    await h.page.click(`[data-testid="compare-run-${b}"]`)
    await h.page.waitForSelector(`${CURVES} [data-testid="compare-curves-loading"]`)
    expect(await state()).toBe('loading')
    expect(await h.page.locator(`${CURVES} [data-testid="compare-curves-loading"]`).innerText()).toMatch(
      /Reading the learning curves/,
    )
    await h.page.locator(CURVES).scrollIntoViewIfNeeded()
    await h.screenshot('compare-curves-loading')
    hold = null
    release()
    await expect.poll(state, { timeout: 60_000 }).toBe('drawn')
    await expect.poll(() => h.page.locator(`${CURVES} canvas`).count()).toBeGreaterThan(0)
    expect(await h.page.locator(`${CURVES} [data-testid="compare-curves-loading"]`).count()).toBe(0)
    await h.screenshot('compare-curves-drawn')
  })

  it('shows a failure with its reason and a retry that draws the curves', async () => {
    failures = 2
    await h.reload() // the renderer's caches are gone; the comparison comes back from the URL
    await h.page.waitForSelector(`${COMPARE} [data-testid="compare-curves-error"]`, { timeout: 60_000 })
    expect(await state()).toBe('failed')
    expect(await h.page.locator(`${COMPARE} [data-testid="compare-curves-error"]`).innerText()).toMatch(
      /the learning curves are unavailable \(test\)/,
    )
    await h.page.locator(CURVES).scrollIntoViewIfNeeded()
    await h.screenshot('compare-curves-failed')
    failures = 0
    await h.page.click(`${COMPARE} [data-testid="compare-curves-error-retry"]`)
    await expect.poll(state, { timeout: 60_000 }).toBe('drawn')
    expect(await h.page.locator(`${COMPARE} [data-testid="compare-curves-error"]`).count()).toBe(0)
    await expect.poll(() => h.page.locator(`${CURVES} canvas`).count()).toBeGreaterThan(0)
  })
})
