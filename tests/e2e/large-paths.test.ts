/**
 * The paths view in large mode (issue 23 item 4), in Chromium through the browser host: a
 * stochastic-model run of 200 vectors × 100 snapshots (20,000 points, above the threshold of
 * 10,000) is drawn thinned, says so, and hover and click still find the real points (checked
 * against a brute-force scan over every point, including points the thinning did not draw).
 */
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest'
import { HAS_CHROMIUM, idle, startViewsHarness, stochasticSpec, type ViewsHarness } from './views-harness'

const PATHS = '[data-testid="paths-view"]'
const CHART = `${PATHS} [data-testid="figure-chart"]`
const describe = describeAll.skipIf(!HAS_CHROMIUM)

let h: ViewsHarness
let run: string

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  h = await startViewsHarness([stochasticSpec({ name: 'large', nets: 200, dim: 20, steps: 99 * 10, recordEvery: 10 })])
  run = h.runIds[0]!
}, 300_000)
afterAll(async () => h?.close())

/** A real point the thinning left out (or, failing that, any), with its pixel on the page and
 * the brute-force nearest real point to that pixel (within the 6 px the view uses). */
async function target(): Promise<{ x: number; y: number; net: number; epoch: number; drawn: boolean }> {
  return h.page.evaluate((sel) => {
    const el = (globalThis as any).document.querySelector(sel)
    const chart = el.__sgdscopeChart
    const all: { series: string; value: number[] }[] = el.__sgdscopeHits.points
    const drawn = new Set<string>()
    for (const s of chart.getOption().series)
      if (s.type === 'scatter') for (const d of s.data) drawn.add(String(Array.isArray(d) ? d : d.value))
    const box = el.getBoundingClientRect()
    const px = (p: { value: number[] }) => chart.convertToPixel({ gridIndex: 0 }, [p.value[0], p.value[1]])
    // Prefer a hidden point (not drawn: only the index knows it), well inside the plot.
    const inside = all.filter((p) => {
      const [x, y] = px(p)
      return x > 40 && y > 40 && x < box.width - 40 && y < box.height - 40
    })
    const pick = inside.find((p) => !drawn.has(String(p.value))) ?? inside[0]!
    const [x, y] = px(pick)
    // The nearest real point to that pixel, by a scan (in pixels; ties to the later point).
    let best = pick
    let bestD = Infinity
    all.forEach((p) => {
      const [u, v] = px(p)
      const d = (u - x) ** 2 + (v - y) ** 2
      if (d <= bestD) {
        bestD = d
        best = p
      }
    })
    return {
      x: box.left + x,
      y: box.top + y,
      net: best.value[3]!,
      epoch: best.value[2]!,
      drawn: drawn.has(String(pick.value)),
    }
  }, CHART)
}

describe('the paths view with many points', () => {
  it('draws a thinned picture in large mode, and says so', async () => {
    await h.go(`#/run/${run}/paths`)
    await h.page.waitForFunction(
      (sel) => (globalThis as any).document.querySelector(sel)?.dataset.large === '1',
      CHART,
      {
        timeout: 120_000,
      },
    )
    await idle(h.page, PATHS)
    const chart = h.page.locator(CHART).first()
    expect(Number(await chart.getAttribute('data-points'))).toBe(20_000)
    const drawn = Number(await chart.getAttribute('data-drawn'))
    expect(drawn).toBeGreaterThan(0)
    expect(drawn).toBeLessThan(20_000)
    await expect
      .poll(() => h.page.locator(`${PATHS} [data-testid="large-mode"]`).innerText())
      .toContain('20,000 points')
    await h.screenshot('large-paths-20k')
  })

  it('names the real point under the cursor in the tooltip, and clicking selects it', async () => {
    const t = await target()
    // A hidden point is the harder case; there is one unless every point has a pixel to itself.
    expect(t.drawn).toBe(false)
    await h.page.mouse.move(t.x - 30, t.y - 30)
    await h.page.mouse.move(t.x, t.y, { steps: 3 })
    const tip = h.page.locator(`${PATHS} [data-testid="large-tooltip"]`)
    await tip.waitFor({ state: 'visible', timeout: 10_000 })
    const text = await tip.innerText()
    expect(text).toContain(`net ${t.net}`)
    const e = Number.isInteger(t.epoch) ? String(t.epoch) : t.epoch.toFixed(t.epoch < 1 ? 2 : 1)
    expect(text).toContain(`epoch ${e}`)
    await h.page.mouse.click(t.x, t.y)
    const selected = h.page.locator(`${PATHS} [data-testid="selected-point"] .label`)
    await expect.poll(() => selected.innerText(), { timeout: 10_000 }).toContain(`net ${t.net}, epoch`)
    const label = await selected.innerText()
    expect(Number(label.match(/epoch ([\d.]+)/)![1])).toBeCloseTo(t.epoch, 2)
  })

  it('re-thins when a zoom ends: more of the points are drawn closer in', async () => {
    const chart = h.page.locator(CHART).first()
    const before = Number(await chart.getAttribute('data-drawn'))
    const renders = Number((await chart.getAttribute('data-thins')) ?? 0)
    for (let i = 0; i < 3; i++) await h.page.locator(`${PATHS} [data-testid="zoom-in"]`).click()
    await h.page.waitForFunction(
      ([sel, n]) => Number((globalThis as any).document.querySelector(sel)?.dataset.thins ?? 0) > n,
      [CHART, renders] as const,
    )
    // Zoomed 3.4×: the visible part is smaller but each pixel holds fewer points.
    await expect.poll(async () => Number(await chart.getAttribute('data-drawn'))).not.toBe(before)
    const t = await target()
    await h.page.mouse.move(t.x - 30, t.y - 30)
    await h.page.mouse.move(t.x, t.y, { steps: 3 })
    await expect
      .poll(() => h.page.locator(`${PATHS} [data-testid="large-tooltip"]`).innerText(), { timeout: 10_000 })
      .toContain(`net ${t.net}`)
  })
})
