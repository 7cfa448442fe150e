/**
 * The path explorer and the metrics tab in Chromium through the browser host, on small
 * real runs: τ/κ, the epoch window, network subsets, re-embedding, hover, zoom, colours,
 * the metrics' log axes and derived distances, and a stochastic-model run (τ only).
 */
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest'
import {
  HAS_CHROMIUM,
  chartFacts,
  hoverFirstPoint,
  idle,
  smallSpec,
  startViewsHarness,
  stochasticSpec,
  waitForRender,
  type ViewsHarness,
} from './views-harness'

const PATHS = '[data-testid="paths-view"]'
const METRICS = '[data-testid="metrics-view"]'
// 4 networks × 9 snapshots (0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2).
const NETS = 4
const SNAPS = 9

// Without Chromium (the shell's harness decides), these tests are skipped.
const describe = describeAll.skipIf(!HAS_CHROMIUM)

let h: ViewsHarness
let run: string
let stochastic: string

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  h = await startViewsHarness([smallSpec({ name: 'small batch 1' }), stochasticSpec()])
  ;[run, stochastic] = h.runIds as [string, string]
}, 300_000)
afterAll(async () => h?.close())

describe('loading is not empty', () => {
  it('a finished run’s curve says it is loading, never that nothing was recorded, until it is drawn', async () => {
    await h.go('#/project')
    await h.reload() // the run's curve is read afresh
    // Every state the curve's placeholder passes through, from before the run is opened.
    await h.page.evaluate(() => {
      type El = { getAttribute(n: string): string | null; querySelector(s: string): El | null }
      const g = globalThis as unknown as {
        document: { body: unknown; querySelector(s: string): El | null }
        MutationObserver: new (f: () => void) => { observe(t: unknown, o: object): void }
        curveStates: string[]
      }
      g.curveStates = []
      const note = () => {
        const p = g.document.querySelector('[data-testid="live-curve"] .placeholder')
        const state =
          p?.getAttribute('data-state') ?? (g.document.querySelector('[data-testid="live-curve"]') ? 'drawn' : null)
        if (state && g.curveStates.at(-1) !== state) g.curveStates.push(state)
      }
      new g.MutationObserver(note).observe(g.document.body, { subtree: true, childList: true, attributes: true })
    })
    await h.go(`#/run/${run}/details`)
    await h.page.waitForFunction(() => {
      type Doc = { querySelector(s: string): { getAttribute(n: string): string | null } | null }
      const doc = (globalThis as unknown as { document: Doc }).document
      return Number(doc.querySelector('[data-testid="live-curve"]')?.getAttribute('data-points')) > 0
    })
    const states = await h.page.evaluate(() => (globalThis as unknown as { curveStates: string[] }).curveStates)
    expect(states).not.toContain('empty')
    expect(states.at(-1)).toBe('drawn')
    await h.screenshot('details-curve')
  })
})

describe('path explorer', () => {
  it('shows every network’s path in τ with its stress, coloured by epoch with a colour bar', async () => {
    await h.go(`#/run/${run}/paths`)
    await waitForRender(h.page, PATHS)
    await idle(h.page, PATHS)
    const f = await chartFacts(h.page, PATHS)
    expect(f.points).toBe(NETS * SNAPS)
    expect(
      f.caption.some((t) => /^τ · MDS · stress-1 \d\.\d{3} · T₁₀ \d\.\d{3} · C₁₀ \d\.\d{3} · ρ -?\d\.\d{3}$/.test(t)),
    ).toBe(true)
    expect(f.caption).toContain('epoch')
    expect(await h.page.locator(`${PATHS} [data-testid="stress"]`).innerText()).toMatch(/^\d\.\d{3}$/)
    expect(await h.page.locator(`${PATHS} [data-testid="view-tau"]`).getAttribute('aria-checked')).toBe('true')
    await h.screenshot('paths-tau')
    // Beside the plot: the fit by its name, trustworthiness/continuity per k, ρ and the Shepard diagram.
    const panel = `${PATHS} [data-testid="faithfulness"]`
    expect(await h.page.locator(`${panel} [data-testid="neighbourhood"] tbody tr`).count()).toBe(3)
    expect(await h.page.locator(`${panel} [data-testid="rank-correlation"]`).innerText()).toMatch(/^-?\d\.\d{3}$/)
    await h.page.locator(`${panel} [data-testid="shepard"]`).scrollIntoViewIfNeeded()
    await expect.poll(() => h.page.locator(`${panel} [data-testid="shepard"] canvas`).count()).toBeGreaterThan(0)
    await h.screenshot('paths-faithfulness')
  })

  it('shows network, epoch, samples seen and test error on hover', async () => {
    const tip = await hoverFirstPoint(h.page, PATHS)
    expect(tip).toMatch(/net \d+/)
    expect(tip).toMatch(/epoch \d/)
    expect(tip).toMatch(/samples seen [\d,]+/)
    expect(tip).toMatch(/test error \d+\.\d\d %/)
    await h.screenshot('paths-hover')
    await h.page.mouse.move(5, 5)
  })

  it('zooms and pans with one scale on both axes, and resets', async () => {
    // The path plot is the view's first chart (the Shepard diagram is another).
    const box = (await h.page.locator(`${PATHS} [data-testid="figure-chart"]`).first().boundingBox())!
    await h.page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.5)
    // ctrl+wheel zooms (the plain wheel scrolls the page: tests/e2e/zoom.test.ts).
    await h.page.keyboard.down('Control')
    await h.page.mouse.wheel(0, -300)
    await h.page.keyboard.up('Control')
    await h.page.locator(`${PATHS} [data-testid="reset-zoom"]`).waitFor()
    const z = (await chartFacts(h.page, PATHS)).zoom
    const spanX = z['zoom-x']!.end - z['zoom-x']!.start
    const spanY = z['zoom-y']!.end - z['zoom-y']!.start
    expect(spanX).toBeLessThan(99)
    expect(Math.abs(spanX - spanY)).toBeLessThan(0.5)
    // Drag to pan.
    await h.page.mouse.down()
    await h.page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.4, { steps: 5 })
    await h.page.mouse.up()
    const z2 = (await chartFacts(h.page, PATHS)).zoom
    expect(Math.abs(z2['zoom-x']!.end - z2['zoom-x']!.start - spanX)).toBeLessThan(0.5)
    await h.screenshot('paths-zoomed')
    await h.page.click(`${PATHS} [data-testid="reset-zoom"]`)
    await h.page.locator(`${PATHS} [data-testid="reset-zoom"]`).waitFor({ state: 'detached' })
    const z3 = (await chartFacts(h.page, PATHS)).zoom
    expect(z3['zoom-x']).toMatchObject({ start: 0, end: 100 })
  })

  it('switches to κ and back (κ is embedded by the host, then cached)', async () => {
    let n = (await chartFacts(h.page, PATHS)).renders
    await h.page.click(`${PATHS} [data-testid="view-kappa"]`)
    await waitForRender(h.page, PATHS, n)
    await idle(h.page, PATHS)
    const f = await chartFacts(h.page, PATHS)
    expect(f.caption.some((t) => t.startsWith('κ · MDS'))).toBe(true)
    expect(await h.page.locator(`${PATHS} [data-testid="view-kappa"]`).getAttribute('aria-checked')).toBe('true')
    await h.screenshot('paths-kappa')
    n = (await chartFacts(h.page, PATHS)).renders
    await h.page.click(`${PATHS} [data-testid="view-tau"]`)
    await waitForRender(h.page, PATHS, n)
    expect((await chartFacts(h.page, PATHS)).caption.some((t) => t.startsWith('τ · MDS'))).toBe(true)
    // Cached: no computation shown.
    expect(await h.page.locator(`${PATHS} [data-testid="busy"]`).count()).toBe(0)
  })

  it('changes the method and shows its stress', async () => {
    const caption = async () => (await chartFacts(h.page, PATHS)).caption.join(' | ')
    await h.page.selectOption(`${PATHS} [data-testid="method"]`, 'pca')
    await expect.poll(caption, { timeout: 60_000 }).toMatch(/τ · PC · explained variance \d\.\d{3}/)
    await idle(h.page, PATHS)
    await h.page.selectOption(`${PATHS} [data-testid="method"]`, 'smacof')
    await expect.poll(caption, { timeout: 60_000 }).toMatch(/τ · MDS · stress-1/)
    await idle(h.page, PATHS)
  })

  it('moves the epoch window on the client: the first phase hidden without a new embedding', async () => {
    const before = await h.page.locator(`${PATHS} [data-testid="embed-stats"]`).innerText()
    const n = (await chartFacts(h.page, PATHS)).renders
    await h.page.locator(`${PATHS} [data-testid="window-from"]`).fill('3')
    await waitForRender(h.page, PATHS, n)
    expect(await h.page.locator(`${PATHS} [data-testid="window-from-label"]`).innerText()).toBe('epoch 0.03')
    expect((await chartFacts(h.page, PATHS)).points).toBe(NETS * (SNAPS - 3))
    // The embedding is the same one (no busy overlay, same statistics).
    expect(await h.page.locator(`${PATHS} [data-testid="busy"]`).count()).toBe(0)
    expect(await h.page.locator(`${PATHS} [data-testid="embed-stats"]`).innerText()).toBe(before)
    await h.page.locator(`${PATHS} [data-testid="window-to"]`).fill('7')
    await h.page.waitForFunction(
      (sel) =>
        (globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)?.dataset.points ===
        String(4 * 5),
      PATHS,
    )
    expect(await h.page.locator(`${PATHS} [data-testid="window-to-label"]`).innerText()).toBe('epoch 0.15')
    await h.screenshot('paths-window')
  })

  it('shows the first k networks, or hand-picked ones', async () => {
    await h.page.click(`${PATHS} [data-testid="subset-first"]`)
    await h.page.locator(`${PATHS} [data-testid="subset-k"]`).fill('2')
    await h.page.locator(`${PATHS} [data-testid="subset-k"]`).press('Enter')
    await h.page.waitForFunction(
      (sel) =>
        (globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)?.dataset.points ===
        String(2 * 5),
      PATHS,
    )
    await h.page.click(`${PATHS} [data-testid="subset-pick"]`)
    await h.page.click(`${PATHS} [data-testid="net-0"]`)
    await h.page.click(`${PATHS} [data-testid="net-3"]`)
    // Picked: 1 and 3.
    await h.page.waitForFunction(
      (sel) =>
        (globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)?.dataset.points ===
        String(2 * 5),
      PATHS,
    )
    const n = (await chartFacts(h.page, PATHS)).renders
    await h.page.selectOption(`${PATHS} [data-testid="color-by"]`, 'net')
    await waitForRender(h.page, PATHS, n)
    await h.screenshot('paths-subset-by-net')
    await h.page.selectOption(`${PATHS} [data-testid="color-by"]`, 'epoch')
  })

  it('re-embeds the selection on request, and embeds everything again', async () => {
    await h.page.click(`${PATHS} [data-testid="reembed"]`)
    await h.page.waitForFunction(
      (sel) =>
        /10 points/.test(
          (globalThis as any).document.querySelector(`${sel} [data-testid="embed-stats"]`)?.textContent ?? '',
        ),
      PATHS,
      { timeout: 60_000 },
    )
    await idle(h.page, PATHS)
    expect(await h.page.locator(PATHS).innerText()).toMatch(/Embedded: epochs 0\.03–0\.15, 2 networks/)
    expect(await h.page.locator(`${PATHS} [data-testid="reembed"]`).isDisabled()).toBe(true)
    await h.page.click(`${PATHS} [data-testid="embed-all"]`)
    await h.page.waitForFunction(
      (sel) =>
        /36 points/.test(
          (globalThis as any).document.querySelector(`${sel} [data-testid="embed-stats"]`)?.textContent ?? '',
        ),
      PATHS,
      { timeout: 60_000 },
    )
    // What is shown is still the window and the two networks.
    expect((await chartFacts(h.page, PATHS)).points).toBe(2 * 5)
  })

  it('draws points only, or lines only', async () => {
    await h.page.click(`${PATHS} [data-testid="subset-all"]`)
    await h.page.locator(`${PATHS} [data-testid="window-from"]`).fill('0')
    await h.page.locator(`${PATHS} [data-testid="window-to"]`).fill(String(SNAPS - 1))
    await h.page.uncheck(`${PATHS} [data-testid="show-points"]`)
    await h.page.waitForFunction(
      (sel) =>
        (globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)?.dataset.points === '0',
      PATHS,
    )
    await h.page.check(`${PATHS} [data-testid="show-points"]`)
    await h.page.uncheck(`${PATHS} [data-testid="show-lines"]`)
    await h.page.waitForFunction(
      (sel) =>
        (globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)?.dataset.points === '36',
      PATHS,
    )
    await h.page.check(`${PATHS} [data-testid="show-lines"]`)
  })

  it('keeps its state when the user visits another tab', async () => {
    await h.page.click(`${PATHS} [data-testid="view-kappa"]`)
    await idle(h.page, PATHS)
    await h.page.click('#tab-details')
    await h.page.click('#tab-paths')
    await waitForRender(h.page, PATHS)
    expect(await h.page.locator(`${PATHS} [data-testid="view-kappa"]`).getAttribute('aria-checked')).toBe('true')
    await h.page.click(`${PATHS} [data-testid="view-tau"]`)
    await idle(h.page, PATHS)
  })

  it('opens a stochastic-model run in the same explorer, τ only', async () => {
    await h.go(`#/run/${stochastic}/paths`)
    await waitForRender(h.page, PATHS)
    await idle(h.page, PATHS)
    expect(await h.page.locator(`${PATHS} [data-testid="view-kappa"]`).isDisabled()).toBe(true)
    expect(await h.page.locator(`${PATHS} [data-testid="no-kappa-reason"]`).innerText()).toMatch(/only the τ view/)
    expect((await chartFacts(h.page, PATHS)).points).toBe(5 * 21)
    await h.screenshot('paths-stochastic')
  })
})

describe('metrics', () => {
  it('draws per-network curves with the ensemble median and range, and the derived distances', async () => {
    await h.go(`#/run/${run}/metrics`)
    await h.page.waitForFunction(
      (sel) =>
        [...(globalThis as any).document.querySelectorAll(`${sel} [data-testid="figure-chart"]`)].filter(
          (e: any) => Number(e.dataset.renders) > 0,
        ).length === 2,
      METRICS,
      { timeout: 60_000 },
    )
    const charts = h.page.locator(`${METRICS} [data-testid="figure-chart"]`)
    const facts = await h.page.evaluate((sel) => {
      const els = [...(globalThis as any).document.querySelectorAll(`${sel} [data-testid="figure-chart"]`)]
      return els.map((el: any) => {
        const o = el.__sgdscopeChart.getOption()
        return {
          grids: o.grid.length,
          yNames: o.yAxis.map((a: any) => a.name),
          types: o.series.map((s: any) => s.type),
        }
      })
    }, METRICS)
    expect(await charts.count()).toBe(2)
    expect(facts[0]!.yNames).toEqual(['test error (%)', 'train error (%)', 'test loss', 'train loss'])
    expect(facts[0]!.types).toContain('lines')
    expect(facts[1]!.yNames).toEqual([
      'mean pairwise distance',
      'mean step length',
      'step / pairwise distance',
      'distance to final mean',
    ])
    await h.screenshot('metrics')
  })

  it('switches to log axes', async () => {
    const n = await h.page.evaluate(
      (sel) =>
        Number((globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`).dataset.renders),
      METRICS,
    )
    await h.page.check(`${METRICS} [data-testid="log-y"]`)
    await h.page.check(`${METRICS} [data-testid="log-x"]`)
    await waitForRender(h.page, METRICS, n)
    const types = await h.page.evaluate((sel) => {
      const o = (globalThis as any).document
        .querySelector(`${sel} [data-testid="figure-chart"]`)
        .__sgdscopeChart.getOption()
      return [o.xAxis[0].type, o.yAxis[0].type]
    }, METRICS)
    expect(types).toEqual(['log', 'log'])
    await h.screenshot('metrics-log')
  })

  it('computes the derived distances in κ on request', async () => {
    await h.page.click(`${METRICS} [data-testid="derived-kappa"]`)
    await h.page.waitForFunction(
      (sel) =>
        (globalThis as any).document
          .querySelector(`${sel} [data-testid="derived-kappa"]`)
          ?.getAttribute('aria-checked') === 'true',
      METRICS,
    )
    await idle(h.page, METRICS)
    expect(await h.page.locator(`${METRICS} [role="alert"]`).count()).toBe(0)
  })
})
