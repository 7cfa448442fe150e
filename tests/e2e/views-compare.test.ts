/**
 * Comparing runs (panels with shared axes, joint or Procrustes-aligned, and overlaid
 * with a legend), saved views reopened after a reload exactly as they were, and figure
 * export (SVG, PNG, PDF, and every saved view at once), in Chromium through the
 * browser host on two small real runs.
 */
import { existsSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
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

const COMPARE = '[data-testid="compare-page"]'
const PATHS = '[data-testid="paths-view"]'
const SAVED = '[data-testid="saved-views-page"]'
const EXPORT = '[data-testid="export-dialog"]'

// Without Chromium (the shell's harness decides), these tests are skipped.
const describe = describeAll.skipIf(!HAS_CHROMIUM)

let h: ViewsHarness
let a: string
let b: string

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  // fig6 in small: the same seeds, batch 1 against batch 10 at a larger rate.
  h = await startViewsHarness([smallSpec({ name: 'batch 1' }), smallSpec({ name: 'batch 10', batch: 10, lr: 5 })])
  ;[a, b] = h.runIds as [string, string]
}, 300_000)
afterAll(async () => h?.close())

const points = (scope: string) =>
  h.page.evaluate(
    (sel) =>
      Number((globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)?.dataset.points ?? -1),
    scope,
  )

/** The names the browser was given for the downloads, in order. */
const suggested: string[] = []

/** Downloads what the export dialog saves; returns the file's bytes. */
async function download(format: 'svg' | 'png' | 'pdf', name: string): Promise<Buffer> {
  await h.page.click(`${EXPORT} [data-testid="format-${format}"]`)
  const [dl] = await Promise.all([
    h.page.waitForEvent('download', { timeout: 60_000 }),
    h.page.click(`${EXPORT} [data-testid="export-save"]`),
  ])
  expect(dl.suggestedFilename()).toMatch(new RegExp(`\\.${format}$`))
  suggested.push(dl.suggestedFilename())
  const file = path.join(h.root, name)
  await dl.saveAs(file)
  return readFileSync(file)
}

/** Does the text parse as SVG in the browser? */
async function svgParses(text: string): Promise<boolean> {
  return h.page.evaluate((t) => {
    const doc = new (globalThis as any).DOMParser().parseFromString(t, 'image/svg+xml')
    return doc.documentElement.nodeName === 'svg' && doc.getElementsByTagName('parsererror').length === 0
  }, text)
}

function pngSize(bytes: Buffer): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR')
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

describe('compare', () => {
  it('shows two runs in panels with shared axes and linked zoom (joint embedding)', async () => {
    await h.go('#/page/compare')
    await h.page.waitForSelector(COMPARE)
    expect(await h.page.locator(`${COMPARE} .empty`).innerText()).toMatch(/Pick two or more runs/)
    await h.page.click(`[data-testid="compare-run-${a}"]`)
    await h.page.click(`[data-testid="compare-run-${b}"]`)
    await waitForRender(h.page, `${COMPARE} .plot`)
    await idle(h.page, COMPARE)
    const f = await chartFacts(h.page, `${COMPARE} .plot`)
    expect(f.grids).toBe(2)
    expect(f.points).toBe(2 * 4 * 9)
    expect(f.caption).toEqual(expect.arrayContaining(['batch 1', 'batch 10']))
    // One zoom for all panels' x axes, one for all y axes: zooming one zooms both.
    expect(f.zoom['zoom-x']!.xAxisIndex).toEqual([0, 1])
    expect(f.zoom['zoom-y']!.yAxisIndex).toEqual([0, 1])
    const axes = await h.page.evaluate((sel) => {
      const o = (globalThis as any).document
        .querySelector(`${sel} [data-testid="figure-chart"]`)
        .__sgdscopeChart.getOption()
      return o.xAxis.map((x: any, i: number) => [x.min, x.max, o.yAxis[i].min, o.yAxis[i].max])
    }, `${COMPARE} .plot`)
    expect(axes[0]).toEqual(axes[1])
    await h.screenshot('compare-panels-joint')
  })

  it('aligns separately embedded runs by Procrustes', async () => {
    const n = (await chartFacts(h.page, `${COMPARE} .plot`)).renders
    await h.page.click(`${COMPARE} [data-testid="align-procrustes"]`)
    await waitForRender(h.page, `${COMPARE} .plot`, n)
    await idle(h.page, COMPARE)
    expect(await h.page.locator(`${COMPARE} [data-testid="embed-error"]`).count()).toBe(0)
    expect((await chartFacts(h.page, `${COMPARE} .plot`)).grids).toBe(2)
    await h.screenshot('compare-panels-procrustes')
    await h.page.click(`${COMPARE} [data-testid="align-joint"]`)
    await idle(h.page, COMPARE)
  })

  it('overlays the runs in one plot with a legend (fig6), and overlays their learning curves', async () => {
    const n = (await chartFacts(h.page, `${COMPARE} .plot`)).renders
    await h.page.click(`${COMPARE} [data-testid="layout-overlay"]`)
    await waitForRender(h.page, `${COMPARE} .plot`, n)
    const f = await chartFacts(h.page, `${COMPARE} .plot`)
    expect(f.grids).toBe(1)
    expect(f.legend).toEqual(['batch 1', 'batch 10'])
    const curves = await h.page.evaluate((sel) => {
      const o = (globalThis as any).document
        .querySelector(`${sel} [data-testid="figure-chart"]`)
        .__sgdscopeChart.getOption()
      return o.legend[0].data.map((d: any) => d.name)
    }, `${COMPARE} .curves`)
    expect(curves).toEqual(['batch 1', 'batch 10'])
    await h.screenshot('compare-overlay')
  })
})

describe('saved views', () => {
  it('saves a comparison and a run’s paths view under names in the project', async () => {
    await h.page.click(`${COMPARE} [data-testid="save-view"]`)
    await h.page.fill('[data-testid="save-view-name"]', 'fig6 overlay')
    await h.page.click('[data-testid="save-view-confirm"]')
    await h.page.locator('[data-testid="save-view-dialog"]').waitFor({ state: 'detached' })

    await h.go(`#/run/${a}/paths`)
    await waitForRender(h.page, PATHS)
    await idle(h.page, PATHS)
    await h.page.click(`${PATHS} [data-testid="view-kappa"]`)
    await idle(h.page, PATHS)
    await h.page.locator(`${PATHS} [data-testid="window-from"]`).fill('2')
    await h.page.click(`${PATHS} [data-testid="subset-first"]`)
    await h.page.locator(`${PATHS} [data-testid="subset-k"]`).fill('2')
    await h.page.locator(`${PATHS} [data-testid="subset-k"]`).press('Enter')
    await h.page.selectOption(`${PATHS} [data-testid="style"]`, 'colorblind')
    await expect.poll(() => points(PATHS)).toBe(2 * 7)
    await h.page.click(`${PATHS} [data-testid="save-view"]`)
    await h.page.fill('[data-testid="save-view-name"]', 'kappa late two')
    await h.page.click('[data-testid="save-view-confirm"]')
    await h.page.locator('[data-testid="save-view-dialog"]').waitFor({ state: 'detached' })
    const project = JSON.parse(readFileSync(path.join(h.projectDir, 'project.json'), 'utf8'))
    expect(project.views.map((v: { name: string }) => v.name).sort()).toEqual(['fig6 overlay', 'kappa late two'])
  })

  it('reopens a saved view after a reload exactly as it was', async () => {
    await h.reload()
    await h.go('#/page/saved-views')
    await h.page.waitForSelector(`${SAVED} [data-testid="saved-view-kappa late two"]`)
    expect(await h.page.locator(`${SAVED} [data-testid^="saved-view-"]`).count()).toBe(2)
    await h.page.waitForFunction(
      (sel) => [...(globalThis as any).document.querySelectorAll(`${sel} .thumb img`)].length === 2,
      SAVED,
      { timeout: 60_000 },
    )
    await h.screenshot('saved-views')
    await h.page.click(`${SAVED} [data-testid="saved-view-kappa late two"] [data-testid="open-view"]`)
    // The run's paths tab, its state (κ, window, networks) in the hash's query.
    await h.page.waitForFunction((id) => (globalThis as any).location.hash.startsWith(`#/run/${id}/paths`), a)
    await waitForRender(h.page, PATHS)
    await idle(h.page, PATHS)
    expect(await h.page.locator(`${PATHS} [data-testid="view-kappa"]`).getAttribute('aria-checked')).toBe('true')
    expect(await h.page.locator(`${PATHS} [data-testid="window-from-label"]`).innerText()).toBe('epoch 0.02')
    expect(await h.page.locator(`${PATHS} [data-testid="window-to-label"]`).innerText()).toBe('epoch 0.2')
    expect(await h.page.locator(`${PATHS} [data-testid="subset-first"]`).isChecked()).toBe(true)
    expect(await h.page.locator(`${PATHS} [data-testid="subset-k"]`).inputValue()).toBe('2')
    expect(await h.page.locator(`${PATHS} [data-testid="style"]`).inputValue()).toBe('colorblind')
    expect(await points(PATHS)).toBe(2 * 7)
    expect((await chartFacts(h.page, PATHS)).caption.some((t) => t.startsWith('κ · MDS'))).toBe(true)
    await h.screenshot('saved-view-reopened')
  })

  it('reopens a saved comparison on the Compare page', async () => {
    await h.go('#/page/saved-views')
    await h.page.click(`${SAVED} [data-testid="saved-view-fig6 overlay"] [data-testid="open-view"]`)
    await h.page.waitForFunction(() => /^#\/page\/compare(\?|$)/.test((globalThis as any).location.hash))
    await waitForRender(h.page, `${COMPARE} .plot`)
    await idle(h.page, COMPARE)
    expect(await h.page.locator(`[data-testid="compare-run-${a}"]`).isChecked()).toBe(true)
    expect(await h.page.locator(`[data-testid="compare-run-${b}"]`).isChecked()).toBe(true)
    expect(await h.page.locator(`${COMPARE} [data-testid="layout-overlay"]`).getAttribute('aria-checked')).toBe('true')
    expect((await chartFacts(h.page, `${COMPARE} .plot`)).legend).toEqual(['batch 1', 'batch 10'])
  })
})

describe('figure export', () => {
  it('previews the figure as the headless exporter renders it and downloads SVG, PNG and PDF', async () => {
    await h.go(`#/run/${a}/paths`)
    await waitForRender(h.page, PATHS)
    await idle(h.page, PATHS)
    await h.page.click(`${PATHS} [data-testid="export"]`)
    const img = h.page.locator(`${EXPORT} [data-testid="export-preview"]`)
    await img.waitFor({ timeout: 60_000 })
    expect(await img.getAttribute('src')).toMatch(/^data:image\/svg\+xml/)
    await h.page.waitForFunction(
      (sel) => (globalThis as any).document.querySelector(sel)?.naturalWidth > 0,
      `${EXPORT} [data-testid="export-preview"]`,
    )
    await h.screenshot('export-dialog')

    const svg = (await download('svg', 'paths.svg')).toString('utf8')
    expect(await svgParses(svg)).toBe(true)
    expect(svg).toContain('MDS 1')
    expect(svg).toContain('MDS 2')
    expect(svg).toContain('epoch')
    expect(svg).toMatch(/κ · MDS · stress-1 \d\.\d{3} · T₁₀ \d\.\d{3} · C₁₀ \d\.\d{3} · ρ -?\d\.\d{3}/)

    // Single column at 300 dpi: 3.5 in → 1050 px.
    const png = pngSize(await download('png', 'paths.png'))
    expect(png.width).toBe(1050)
    expect(png.height).toBeGreaterThan(300)

    const pdf = await download('pdf', 'paths.pdf')
    expect(pdf.subarray(0, 5).toString('ascii')).toBe('%PDF-')
    expect(pdf.length).toBeGreaterThan(1000)
    // Named from the run's label, the kind and the view.
    expect(suggested).toEqual(['svg', 'png', 'pdf'].map((f) => `batch_1-paths-kappa.${f}`))
  })

  it('exports at a custom size, resolution and font size', async () => {
    await h.page.selectOption(`${EXPORT} [data-testid="export-size"]`, 'custom')
    await h.page.fill(`${EXPORT} [data-testid="export-width"]`, '5')
    await h.page.fill(`${EXPORT} [data-testid="export-height"]`, '4')
    await h.page.click(`${EXPORT} [data-testid="format-png"]`)
    await h.page.fill(`${EXPORT} [data-testid="export-dpi"]`, '100')
    await h.page.fill(`${EXPORT} [data-testid="export-font"]`, '10')
    const png = pngSize(await download('png', 'custom.png'))
    expect(png).toEqual({ width: 500, height: 400 })
    await h.page.selectOption(`${EXPORT} [data-testid="export-size"]`, 'double')
    const wide = pngSize(await download('png', 'double.png'))
    expect(wide.width).toBe(716)
    // The same run and kind exported again: a counter, never the same name.
    expect(suggested.slice(-2)).toEqual(['batch_1-paths-kappa-2.png', 'batch_1-paths-kappa-3.png'])
    await h.page.click(`${EXPORT} .modal-foot .btn:not(.primary)`)
    await h.page.locator(EXPORT).waitFor({ state: 'detached' })
  })

  it('exports the metrics view', async () => {
    await h.go(`#/run/${a}/metrics`)
    await h.page.waitForSelector('[data-testid="metrics-view"] [data-testid="figure-chart"][data-renders]')
    await h.page.click('[data-testid="metrics-view"] [data-testid="export"]')
    await h.page.locator(`${EXPORT} [data-testid="export-preview"]`).waitFor({ timeout: 60_000 })
    const svg = (await download('svg', 'metrics.svg')).toString('utf8')
    expect(await svgParses(svg)).toBe(true)
    expect(svg).toContain('test error (%)')
    await h.page.click(`${EXPORT} .modal-foot .btn:not(.primary)`)
  })

  it('exports every saved view to a folder at once', async () => {
    await h.go('#/page/saved-views')
    const dir = path.join(h.projectDir, 'figures')
    await h.page.fill(`${SAVED} [data-testid="export-all-dir"]`, dir)
    await h.page.selectOption(`${SAVED} [data-testid="export-all-format"]`, 'svg')
    await h.page.click(`${SAVED} [data-testid="export-all-go"]`)
    await h.page.locator(`${SAVED} [data-testid="export-all-written"] li`).first().waitFor({ timeout: 120_000 })
    const written = await h.page.locator(`${SAVED} [data-testid="export-all-written"] li`).allInnerTexts()
    // Run labels, kind, view and the saved view's name.
    expect(written.map((f) => path.basename(f)).sort()).toEqual([
      'batch_1-paths-kappa-kappa_late_two.svg',
      'batch_1_vs_batch_10-compare-tau-fig6_overlay.svg',
    ])
    for (const f of written) {
      expect(existsSync(f)).toBe(true)
      expect(await svgParses(readFileSync(f, 'utf8'))).toBe(true)
    }
    await h.screenshot('saved-views-exported')
  })
})

describe('path distances', () => {
  it('compares whole paths of two runs that share seeds: matrix, one point per network, and a verdict', async () => {
    const PD = '[data-testid="path-distances-page"]'
    await h.go('#/page/path-distances')
    await h.page.waitForSelector(PD)
    expect(await h.page.locator(`${PD} [data-testid="pd-empty"]`).innerText()).toMatch(/Pick one or more runs/)
    await h.page.click(`[data-testid="pd-run-${a}"]`)
    await h.page.click(`[data-testid="pd-run-${b}"]`)
    const verdict = h.page.locator(`${PD} [data-testid="pd-verdict"]`)
    await verdict.waitFor({ timeout: 120_000 })
    // The same seeds in both runs: networks pair up by their first point.
    const row = await h.page.locator(`${PD} [data-testid="pd-comparison"]`).innerText()
    expect(row).toContain('batch 1 vs batch 10')
    expect(await verdict.innerText()).toMatch(/same path|closer|no closer/)
    const ratio = Number(await h.page.locator(`${PD} [data-testid="pd-ratio"]`).innerText())
    expect(ratio).toBeGreaterThanOrEqual(0)
    // The embedding draws one point per network of both runs.
    const nets = await h.page.evaluate((sel) => {
      const el = (globalThis as any).document.querySelector(`${sel} [data-testid="pd-embedding"] .echart`)
      const opt = el?.__sgdscopeChart?.getOption()
      return (opt?.series ?? []).map((s: { data: unknown[] }) => s.data.length)
    }, PD)
    expect(nets.reduce((x: number, y: number) => x + y, 0)).toBe(h.runIds.length * Number(smallSpec().nets))
    await h.screenshot('path-distances')
  })
})
