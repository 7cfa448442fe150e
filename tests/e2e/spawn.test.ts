/**
 * Spawning and stability in Chromium through the browser host (issue 21): "Spawn children…"
 * on a finished run plans the children and their cost as the fields change, Start trains the
 * new run, and its Beyond tab measures stability (table, verdict, figure) and shows the
 * children's paths in the parent's map in one click.
 */
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest'
import {
  HAS_CHROMIUM,
  chartFacts,
  idle,
  smallSpec,
  startViewsHarness,
  waitForRender,
  type ViewsHarness,
} from './views-harness'

const describe = describeAll.skipIf(!HAS_CHROMIUM)
const WORKSPACE = '[data-testid="run-workspace"]'
const PATHS = '[data-testid="paths-view"]'
let h: ViewsHarness
let parent: string

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  h = await startViewsHarness([smallSpec({ name: 'parent run', engine: 'fused' })])
  parent = h.runIds[0]!
}, 300_000)
afterAll(async () => h?.close())

describe('spawning children and their stability', () => {
  it('plans, starts and trains a spawned run, then shows its stability', async () => {
    const { page } = h
    await h.go(`#/run/${parent}/details`)
    await page.click('[data-testid="spawn-run"]')
    const dialog = page.locator('[data-testid="spawn-dialog"]')
    await dialog.locator('[data-testid="spawn-at"]').fill('0, 0.04')
    await dialog.locator('[data-testid="spawn-nets"]').fill('0-1')
    const plan = dialog.locator('[data-testid="spawn-plan"]')
    // 2 parents × 2 points × 2 children; 0.04 moves to the parent's snapshot at 0.05.
    await expect.poll(() => plan.innerText(), { timeout: 60_000 }).toMatch(/8 children at epochs 0, 0\.05; states from/)
    await expect.poll(() => plan.innerText(), { timeout: 60_000 }).toMatch(/About .+ of training/)
    // A point after the parent's end is refused by its field, and Start is off.
    await dialog.locator('[data-testid="spawn-at"]').fill('0, 5')
    await expect.poll(() => dialog.innerText(), { timeout: 30_000 }).toMatch(/spawn point 5 is at or after/)
    expect(await dialog.locator('[data-testid="spawn-start"]').isDisabled()).toBe(true)
    await dialog.locator('[data-testid="spawn-at"]').fill('0, 0.04')
    await expect.poll(() => plan.innerText(), { timeout: 60_000 }).toMatch(/8 children/)
    await h.screenshot('spawn-dialog')
    await dialog.locator('[data-testid="spawn-start"]').click()

    await page.waitForFunction(
      (p) => {
        const w = (
          globalThis as unknown as {
            document: { querySelector(s: string): { getAttribute(a: string): string | null } | null }
          }
        ).document.querySelector('[data-testid="run-workspace"]')
        return w && w.getAttribute('data-run') !== p
      },
      parent,
      { timeout: 60_000 },
    )
    const child = (await page.locator(WORKSPACE).getAttribute('data-run'))!
    await page.waitForSelector(`${WORKSPACE}[data-status="complete"]`, { timeout: 180_000 })

    await h.go(`#/run/${child}/beyond`)
    const panel = page.locator('[data-testid="beyond-stability"]')
    await expect.poll(() => panel.innerText(), { timeout: 30_000 }).toContain(`Children of ${parent}`)
    await panel.locator('[data-testid="stability-compute"]').click()
    await panel.locator('[data-testid="stability-table"]').waitFor({ timeout: 120_000 })
    expect(await panel.locator('[data-testid="stability-table"] tbody tr').count()).toBe(2)
    expect(await panel.locator('[data-testid="stability-verdict"]').innerText()).toMatch(
      /Stable from k = [\d.]+ epochs|never falls below 2\.00%/,
    )
    await panel.locator('[data-testid="beyond-chart-stability"] canvas').first().waitFor()
    await panel.scrollIntoViewIfNeeded()
    await h.screenshot('stability-panel')

    // One click: the children's paths placed into their parent's (frozen) map.
    await panel.locator('[data-testid="stability-parent-map"]').click()
    await page.waitForSelector(PATHS, { timeout: 30_000 })
    await waitForRender(page, PATHS)
    await page.waitForSelector(`${PATHS} [data-testid="frozen-info"]`, { timeout: 120_000 })
    await idle(page, PATHS)
    expect(
      await page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash),
    ).toContain(`map=${parent}`)
    // The parent's 4 networks × 9 snapshots are the map; the 8 children's are placed into it.
    expect(await page.locator(`${PATHS} [data-testid="frozen-info"]`).innerText()).toMatch(
      /Map of parent run: 36 points, stress-1 \d\.\d{3}; 72 placed into it/,
    )
    expect((await chartFacts(page, PATHS)).points).toBe(36 + 72)
    await h.screenshot('stability-parent-map')
  }, 900_000) // trains a parent and 8 children: minutes on a loaded machine
})
