/**
 * Plot interaction as people expect it (issue 17 item 6), in Chromium through the browser
 * host on two small real runs: the wheel scrolls the page and ctrl/⌘+wheel (or the zoom
 * buttons) zooms; "Reset zoom" never covers the legend; zoom, selections and the screen
 * live in the URL (a reload comes back to them, a link opens the same comparison); a
 * saved view reopens zoomed.
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
const PATHS = '[data-testid="paths-view"]'
const COMPARE = '[data-testid="compare-page"]'
const SAVED = '[data-testid="saved-views-page"]'

let h: ViewsHarness
let a: string
let b: string

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  // A short window, so that the page is taller than it and scrolls.
  h = await startViewsHarness([smallSpec({ name: 'batch 1' }), smallSpec({ name: 'batch 10', batch: 10, lr: 5 })], {
    viewport: { width: 1280, height: 720 },
  })
  ;[a, b] = h.runIds as [string, string]
  // The comparison's joint embedding, computed once before the page asks (the machine may be busy).
  await h.host.service.request('paths.embed', { runs: [a, b], view: 'tau', method: 'smacof', align: 'joint' })
}, 300_000)
afterAll(async () => h?.close())

/** How far the page is scrolled (the window, or the app's scrolling content area). */
const scrolled = () =>
  h.page.evaluate(() => {
    const d = (globalThis as any).document
    return Math.max((globalThis as any).scrollY, d.querySelector('main .content')?.scrollTop ?? 0)
  })

/** The zoom windows (percent) of the first chart in scope. */
async function zoomOf(scope: string) {
  const z = (await chartFacts(h.page, scope)).zoom
  return { x: [z['zoom-x']!.start, z['zoom-x']!.end], y: [z['zoom-y']!.start, z['zoom-y']!.end] }
}

/** The middle of the plot of the first chart in scope. */
async function plotMiddle(scope: string) {
  const box = (await h.page.locator(`${scope} [data-testid="figure-chart"]`).first().boundingBox())!
  return { x: box.x + box.width * 0.45, y: box.y + box.height * 0.55 }
}

async function wheel(at: { x: number; y: number }, dy: number, key?: 'Control' | 'Meta') {
  await h.page.mouse.move(at.x, at.y)
  if (key) await h.page.keyboard.down(key)
  await h.page.mouse.wheel(0, dy)
  if (key) await h.page.keyboard.up(key)
}

const hashNow = () => h.page.evaluate(() => (globalThis as any).location.hash as string)

async function openPaths(runId: string) {
  await h.go(`#/run/${runId}/paths`)
  await waitForRender(h.page, PATHS)
  await idle(h.page, PATHS)
}

async function openCompare(ids: string[]) {
  await h.go('#/page/compare')
  await h.page.waitForSelector(COMPARE)
  for (const id of ids) {
    const box = h.page.locator(`[data-testid="compare-run-${id}"]`)
    if (!(await box.isChecked())) await box.click()
  }
  await waitForRender(h.page, `${COMPARE} .plot`)
  await idle(h.page, COMPARE)
}

describe('the wheel over a plot', { timeout: 240_000 }, () => {
  it('scrolls the page and leaves the zoom alone; ctrl+wheel and ⌘+wheel zoom', async () => {
    await openCompare([a, b])
    const plot = `${COMPARE} .plot`
    await h.page.evaluate(() => (globalThis as any).document.querySelector('main .content').scrollTo(0, 0))
    const mid = await plotMiddle(plot)
    const before = await zoomOf(plot)
    expect(before).toEqual({ x: [0, 100], y: [0, 100] })
    expect(await scrolled()).toBe(0)
    await wheel(mid, 400)
    await expect.poll(scrolled).toBeGreaterThan(0)
    expect(await zoomOf(plot)).toEqual(before)
    expect(await h.page.locator(`${plot} [data-testid="reset-zoom"]`).count()).toBe(0)
    await h.screenshot('zoom-wheel-scrolls')

    // Back up (the plain wheel again), then ctrl+wheel over the plot: it zooms, the page stays.
    await h.page.evaluate(() => (globalThis as any).document.querySelector('main .content').scrollTo(0, 0))
    const mid2 = await plotMiddle(plot)
    await wheel(mid2, -300, 'Control')
    await h.page.locator(`${plot} [data-testid="reset-zoom"]`).waitFor()
    const z = await zoomOf(plot)
    expect(z.x[1] - z.x[0]).toBeLessThan(99)
    expect(Math.abs(z.x[1] - z.x[0] - (z.y[1] - z.y[0]))).toBeLessThan(0.5) // one scale
    expect(await scrolled()).toBe(0)
    // ⌘+wheel (macOS) zooms further.
    await wheel(mid2, -300, 'Meta')
    await expect.poll(async () => (await zoomOf(plot)).x[1] - (await zoomOf(plot)).x[0]).toBeLessThan(z.x[1] - z.x[0])
    expect(await scrolled()).toBe(0)
    // The zoom tool: + and − zoom about the middle; − back out all the way shows everything.
    const span = async () => (await zoomOf(plot)).x[1] - (await zoomOf(plot)).x[0]
    const s0 = await span()
    await h.page.click(`${plot} [data-testid="zoom-in"]`)
    await expect.poll(span).toBeLessThan(s0 * 0.7)
    await h.page.click(`${plot} [data-testid="reset-zoom"]`)
    await h.page.locator(`${plot} [data-testid="reset-zoom"]`).waitFor({ state: 'detached' })
    expect(await zoomOf(plot)).toEqual({ x: [0, 100], y: [0, 100] })
  })

  it('puts "Reset zoom" where the legend cannot be (overlaid runs, legend shown)', async () => {
    const plot = `${COMPARE} .plot`
    let n = (await chartFacts(h.page, plot)).renders
    await h.page.click(`${COMPARE} [data-testid="layout-overlay"]`)
    n = await waitForRender(h.page, plot, n)
    await h.page.selectOption(`${COMPARE} [data-testid="color-by"]`, 'run')
    await waitForRender(h.page, plot, n)
    await idle(h.page, COMPARE)
    expect((await chartFacts(h.page, plot)).legend).toHaveLength(2)
    await h.page.click(`${plot} [data-testid="zoom-in"]`)
    const reset = (await h.page.locator(`${plot} [data-testid="reset-zoom"]`).boundingBox())!
    // The legend as ECharts laid it out, in page coordinates.
    const legend = await h.page.evaluate((sel) => {
      const el = (globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)
      const chart = el.__sgdscopeChart
      const view = chart._componentsViews.find((v: any) => v && v.type && String(v.type).startsWith('legend'))
      const g = view.group
      g.updateTransform()
      const r = g.getBoundingRect().clone()
      if (g.transform) r.applyTransform(g.transform)
      const at = el.getBoundingClientRect()
      return { x: at.left + r.x, y: at.top + r.y, width: r.width, height: r.height }
    }, plot)
    expect(legend.width).toBeGreaterThan(20)
    const overlap =
      reset.x < legend.x + legend.width &&
      legend.x < reset.x + reset.width &&
      reset.y < legend.y + legend.height &&
      legend.y < reset.y + reset.height
    expect(overlap, `reset ${JSON.stringify(reset)} legend ${JSON.stringify(legend)}`).toBe(false)
    await h.screenshot('zoom-reset-beside-legend')
    await h.page.click(`${plot} [data-testid="reset-zoom"]`)
  })
})

describe('the URL keeps the place', { timeout: 240_000 }, () => {
  it('a reload comes back to the screen, the view, the networks shown and the zoom', async () => {
    await openPaths(a)
    const n = (await chartFacts(h.page, PATHS)).renders
    await h.page.click(`${PATHS} [data-testid="view-kappa"]`)
    const m = await waitForRender(h.page, PATHS, n)
    await idle(h.page, PATHS)
    await h.page.click(`${PATHS} [data-testid="subset-pick"]`)
    await h.page.click(`${PATHS} [data-testid="net-1"]`)
    await waitForRender(h.page, PATHS, m)
    const shownBefore = (await chartFacts(h.page, PATHS)).points
    await wheel(await plotMiddle(PATHS), -300, 'Control')
    await h.page.locator(`${PATHS} [data-testid="reset-zoom"]`).waitFor()
    const zoomBefore = await zoomOf(PATHS)
    await expect.poll(hashNow).toMatch(/zoom=/)
    const hash = await hashNow()
    expect(hash).toMatch(new RegExp(`^#/run/${a}/paths\\?`))
    expect(hash).toMatch(/view=kappa/)
    expect(hash).toMatch(/nets=[\d,-]+/)
    await h.screenshot('zoom-before-reload')

    await h.reload()
    await waitForRender(h.page, PATHS)
    await idle(h.page, PATHS)
    expect(await hashNow()).toBe(hash)
    expect(await h.page.locator(`${PATHS} [data-testid="view-kappa"]`).getAttribute('aria-checked')).toBe('true')
    expect((await chartFacts(h.page, PATHS)).points).toBe(shownBefore)
    await h.page.locator(`${PATHS} [data-testid="reset-zoom"]`).waitFor()
    const zoomAfter = await zoomOf(PATHS)
    for (const k of ['x', 'y'] as const)
      for (const i of [0, 1]) expect(Math.abs(zoomAfter[k][i]! - zoomBefore[k][i]!)).toBeLessThan(0.01)
    await h.screenshot('zoom-after-reload')
    // Reset: the zoom leaves the URL.
    await h.page.click(`${PATHS} [data-testid="reset-zoom"]`)
    await expect.poll(hashNow).not.toMatch(/zoom=/)
  })

  it('the metrics tab keeps its log axes in the URL across a reload', async () => {
    await h.go(`#/run/${a}/metrics`)
    const METRICS = '[data-testid="metrics-view"]'
    await waitForRender(h.page, METRICS)
    expect(await h.page.isChecked(`${METRICS} [data-testid="log-x"]`)).toBe(true) // the default
    await h.page.click(`${METRICS} [data-testid="log-x"]`)
    await h.page.click(`${METRICS} [data-testid="log-y"]`)
    await expect.poll(hashNow).toBe(`#/run/${a}/metrics?logx=0&logy=1`)
    await h.reload()
    await waitForRender(h.page, METRICS)
    expect(await h.page.isChecked(`${METRICS} [data-testid="log-x"]`)).toBe(false)
    expect(await h.page.isChecked(`${METRICS} [data-testid="log-y"]`)).toBe(true)
    expect(await hashNow()).toBe(`#/run/${a}/metrics?logx=0&logy=1`)
  })

  it('a link to a comparison opens it with its runs, layout and zoom (deep link), and survives a reload', async () => {
    await openCompare([a, b])
    const plot = `${COMPARE} .plot`
    await wheel(await plotMiddle(plot), -300, 'Control')
    await h.page.locator(`${plot} [data-testid="reset-zoom"]`).waitFor()
    const zoomBefore = await zoomOf(plot)
    await expect.poll(hashNow).toMatch(/zoom=/)
    const hash = await hashNow()
    expect(hash).toMatch(new RegExp(`runs=${a},${b}`))

    // The link opened in a fresh tab (no state of the app kept): the same comparison.
    const tab = await h.context.newPage()
    await tab.goto(`${h.base}${hash}`)
    await tab.waitForSelector(`${COMPARE} [data-testid="figure-chart"][data-renders]`, { timeout: 60_000 })
    expect(await tab.isChecked(`[data-testid="compare-run-${a}"]`)).toBe(true)
    expect(await tab.isChecked(`[data-testid="compare-run-${b}"]`)).toBe(true)
    await tab.locator(`${plot} [data-testid="reset-zoom"]`).waitFor()
    const z = await tab.evaluate((sel) => {
      const o = (globalThis as any).document
        .querySelector(`${sel} [data-testid="figure-chart"]`)
        .__sgdscopeChart.getOption()
      return o.dataZoom.map((d: any) => [d.start, d.end])
    }, plot)
    expect(Math.abs(z[0][0] - zoomBefore.x[0])).toBeLessThan(0.01)
    expect(Math.abs(z[1][1] - zoomBefore.y[1])).toBeLessThan(0.01)
    await tab.screenshot({ path: `${(await import('./views-harness')).SCREENSHOTS}/zoom-compare-deep-link.png` })
    await tab.close()

    await h.reload()
    await h.page.waitForSelector(`${COMPARE} [data-testid="figure-chart"][data-renders]`, { timeout: 60_000 })
    expect(await h.page.isChecked(`[data-testid="compare-run-${a}"]`)).toBe(true)
    expect(await h.page.isChecked(`[data-testid="compare-run-${b}"]`)).toBe(true)
    expect(await hashNow()).toBe(hash)
  })
})

describe('saved views', { timeout: 240_000 }, () => {
  it('keep the zoom: a zoomed view saved, the zoom reset, the view opened comes back zoomed', async () => {
    await openPaths(b)
    await wheel(await plotMiddle(PATHS), -300, 'Control')
    await h.page.locator(`${PATHS} [data-testid="reset-zoom"]`).waitFor()
    const zoomed = await zoomOf(PATHS)
    await h.page.click(`${PATHS} [data-testid="save-view"]`)
    await h.page.fill('[data-testid="save-view-name"]', 'zoomed in')
    await h.page.click('[data-testid="save-view-confirm"]')
    await h.page.locator('[data-testid="save-view-dialog"]').waitFor({ state: 'detached' })
    const project = await h.host.service.request('project.current', {})
    expect(project?.views.find((v) => v.name === 'zoomed in')?.look.zoom).toBeDefined()
    await h.page.click(`${PATHS} [data-testid="reset-zoom"]`)
    await h.page.locator(`${PATHS} [data-testid="reset-zoom"]`).waitFor({ state: 'detached' })

    await h.go('#/page/saved-views')
    await h.page.click(`${SAVED} [data-testid="saved-view-zoomed in"] [data-testid="open-view"]`)
    await h.page.waitForSelector(PATHS)
    await waitForRender(h.page, PATHS)
    await h.page.locator(`${PATHS} [data-testid="reset-zoom"]`).waitFor()
    const back = await zoomOf(PATHS)
    for (const k of ['x', 'y'] as const)
      for (const i of [0, 1]) expect(Math.abs(back[k][i]! - zoomed[k][i]!)).toBeLessThan(0.01)
    await expect.poll(hashNow).toMatch(/zoom=/)
    await h.screenshot('zoom-saved-view-reopened')
  })
})
