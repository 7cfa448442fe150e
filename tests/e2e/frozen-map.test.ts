/**
 * A frozen map in Chromium through the browser host (issue 22 item 3): freezing a run's map,
 * drawing another run into it (with the added points' stress and a warning when they fit it
 * badly), and Re-fit one click away.
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

const PATHS = '[data-testid="paths-view"]'
const NETS = 4
const SNAPS = 9
const describe = describeAll.skipIf(!HAS_CHROMIUM)

let h: ViewsHarness
let a: string
let b: string

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  h = await startViewsHarness([smallSpec({ name: 'map run' }), smallSpec({ name: 'other seed', seed: 11 })])
  ;[a, b] = h.runIds as [string, string]
}, 300_000)
afterAll(async () => h?.close())

const text = (sel: string) => h.page.locator(`${PATHS} [data-testid="${sel}"]`).innerText()

describe('frozen map', () => {
  it('freezes a run’s map, draws another run into it, and re-fits on one click', async () => {
    await h.go(`#/run/${a}/paths`)
    await waitForRender(h.page, PATHS)
    await idle(h.page, PATHS)
    await h.page.locator(`${PATHS} [data-testid="freeze-map"]`).check()
    await h.page.waitForSelector(`${PATHS} [data-testid="frozen-info"]`)
    expect(await text('frozen-info')).toMatch(
      new RegExp(`${NETS * SNAPS} points, stress-1 \\d\\.\\d{3}; 0 placed into it`),
    )

    await h.go(`#/run/${b}/paths`)
    await waitForRender(h.page, PATHS)
    await idle(h.page, PATHS)
    const own = await chartFacts(h.page, PATHS)
    expect(own.points).toBe(NETS * SNAPS)
    const after = await waitForRender(h.page, PATHS)
    await h.page.locator(`${PATHS} [data-testid="map-of"]`).selectOption(a)
    await waitForRender(h.page, PATHS, after)
    await idle(h.page, PATHS)
    // The other run placed into the map, the map's run drawn beside it.
    expect((await chartFacts(h.page, PATHS)).points).toBe(2 * NETS * SNAPS)
    expect(await text('frozen-info')).toMatch(
      new RegExp(`Map of map run: ${NETS * SNAPS} points, stress-1 \\d\\.\\d{3}; ${NETS * SNAPS} placed into it`),
    )
    await h.screenshot('frozen-map')
    await h.page.locator(`${PATHS} [data-testid="refit"]`).click()
    await h.page.waitForSelector(`${PATHS} [data-testid="frozen-info"]`, { state: 'detached' })
    await idle(h.page, PATHS)
    expect((await chartFacts(h.page, PATHS)).points).toBe(NETS * SNAPS)
  }, 300_000)
})
