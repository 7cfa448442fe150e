/**
 * Faithfulness in the path explorer, in Chromium through the browser host (issue 18 items 2, 4,
 * 6): the worst-represented snapshots listed and the plot coloured by per-point stress; a
 * selected point's true nearest neighbours listed and highlighted (the same as paths.neighbours);
 * SMACOF from several starts with the verdict; a narrowed view zooms into the full embedding, and
 * a re-embedded selection shows both stresses (warned when much worse).
 */
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest'
import { SUBSET_WORSE } from '../../src/shared/figures/diagnostics'
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
const PANEL = `${PATHS} [data-testid="faithfulness"]`
const describe = describeAll.skipIf(!HAS_CHROMIUM)

let h: ViewsHarness
let run: string

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  h = await startViewsHarness([smallSpec({ name: 'faithful' })])
  run = h.runIds[0]!
}, 300_000)
afterAll(async () => h?.close())

const text = async (sel: string) => (await h.page.locator(sel).innerText()).trim()
const rows = async (sel: string) => (await h.page.locator(`${sel} tbody tr`).allInnerTexts()).map((t) => t.trim())
const epochText = (e: number) => String(Number.isInteger(e) ? e : Number(e.toFixed(3)))

describe('faithfulness of the picture', () => {
  it('lists the worst-represented snapshots and colours the plot by per-point stress', async () => {
    await h.go(`#/run/${run}/paths`)
    // The first embedding of the run (computed here, on a loaded machine it can take a while).
    await h.page.locator(`${PATHS} [data-testid="stress"]`).waitFor({ timeout: 240_000 })
    await idle(h.page, PATHS)
    await h.page.locator(`${PANEL} [data-testid="worst-points"]`).waitFor({ timeout: 60_000 })
    const emb = await h.host.service.request('paths.embed', { runs: [run], view: 'tau', method: 'smacof' })
    const pts = emb.runs[0]!.nets.flatMap((n) => n.points.map((p) => ({ net: n.net, ...p })))
    const byShare = [...pts].sort((a, b) => b.stress! - a.stress!)
    const worst = await rows(`${PANEL} [data-testid="worst-points"]`)
    expect(worst).toHaveLength(5)
    worst.forEach((row, k) => {
      const p = byShare[k]!
      expect(row).toContain(`net ${p.net}, epoch ${epochText(p.epoch)}`)
      expect(row).toContain(`${(100 * p.stress!).toFixed(1)} %`)
      expect(row).toContain(`${(p.stress! * pts.length).toFixed(1)}×`)
    })
    const n = (await chartFacts(h.page, PATHS)).renders
    await h.page.selectOption(`${PATHS} [data-testid="color-by"]`, 'stress')
    await waitForRender(h.page, PATHS, n)
    expect((await chartFacts(h.page, PATHS)).caption).toContain('stress ×avg')
    await h.screenshot('paths-stress-colour')
  })

  it('selects a snapshot: its true nearest neighbours are listed and drawn, as paths.neighbours gives them', async () => {
    const before = (await chartFacts(h.page, PATHS)).points
    const r0 = await chartFacts(h.page, PATHS)
    await h.page.locator(`${PANEL} [data-testid="worst-points"] tbody tr`).first().click()
    await h.page.locator(`${PATHS} [data-testid="true-neighbours"]`).waitFor({ timeout: 60_000 })
    await waitForRender(h.page, PATHS, r0.renders)
    const emb = await h.host.service.request('paths.embed', { runs: [run], view: 'tau', method: 'smacof' })
    const pts = emb.runs[0]!.nets.flatMap((n) => n.points.map((p) => ({ net: n.net, ...p })))
    const top = [...pts].sort((a, b) => b.stress! - a.stress!)[0]!
    const want = await h.host.service.request('paths.neighbours', {
      query: { runs: [run], view: 'tau', method: 'smacof' },
      point: { run: 0, net: top.net, snapshot: top.snapshot! },
    })
    expect(await text(`${PATHS} [data-testid="selected-point"] .label`)).toBe(
      `Selected: net ${top.net}, epoch ${epochText(top.epoch)}`,
    )
    const listed = (await h.page.locator(`${PATHS} [data-testid="true-neighbours"] li`).allInnerTexts()).map((t) =>
      t.trim(),
    )
    expect(listed).toEqual(
      want.neighbours.map((x) => `net ${x.net}, epoch ${epochText(x.epoch)} d = ${x.distance.toPrecision(3)}`),
    )
    // The point and its 5 neighbours are drawn once more, enlarged, on top.
    expect((await chartFacts(h.page, PATHS)).points).toBe(before + 6)
    await h.page.locator(`${PATHS} [data-testid="true-neighbours"]`).scrollIntoViewIfNeeded()
    await h.screenshot('paths-true-neighbours')

    // A click on the plot selects the point under the mouse.
    const at = await h.page.evaluate((sel) => {
      const el = (globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)
      const chart = el.__sgdscopeChart
      const o = chart.getOption()
      const si = o.series.findIndex((s: any) => s.type === 'scatter')
      const d = o.series[si].data[0]
      const v = Array.isArray(d) ? d : d.value
      const [x, y] = chart.convertToPixel({ seriesIndex: si }, [v[0], v[1]])
      const r = el.getBoundingClientRect()
      return { x: r.left + x, y: r.top + y, net: v[3], epoch: v[2] }
    }, PATHS)
    await h.page.mouse.move(at.x - 10, at.y - 10)
    await h.page.mouse.click(at.x, at.y)
    await expect
      .poll(() => text(`${PATHS} [data-testid="selected-point"] .label`), { timeout: 60_000 })
      .toMatch(/^Selected: net \d+, epoch [\d.]+$/)
    await expect.poll(async () => h.page.locator(`${PATHS} [data-testid="true-neighbours"] li`).count()).toBe(5)
    await h.page.click(`${PATHS} [data-testid="clear-selection"]`)
    await h.page.selectOption(`${PATHS} [data-testid="color-by"]`, 'epoch')
  })

  it('runs SMACOF from 4 starts and shows each start with the verdict', async () => {
    await h.page.selectOption(`${PATHS} [data-testid="starts"]`, '4')
    await h.page.locator(`${PANEL} [data-testid="starts-table"]`).waitFor({ timeout: 120_000 })
    await idle(h.page, PATHS)
    const starts = await rows(`${PANEL} [data-testid="starts-table"]`)
    expect(starts).toHaveLength(4)
    expect(starts[0]).toMatch(/^classical/)
    expect(starts[1]).toMatch(/^landmark/) // the other deterministic start
    expect(starts[2]).toMatch(/^random \(seed 2\)/) // start k has seed + k
    expect(starts.filter((r) => r.includes('★'))).toHaveLength(1)
    const emb = await h.host.service.request('paths.embed', {
      runs: [run],
      view: 'tau',
      method: 'smacof',
      options: { starts: 4 },
    })
    const verdict = emb.starts!.notUnique ? 'not-unique' : 'starts-agree'
    expect(await h.page.locator(`${PANEL} [data-testid="${verdict}"]`).count()).toBe(1)
    expect(await text(`${PATHS} [data-testid="stress"]`)).toBe(emb.stress!.toFixed(3))
    await h.page.locator(`${PANEL} [data-testid="starts-table"]`).scrollIntoViewIfNeeded()
    await h.screenshot('paths-starts')
    await h.page.selectOption(`${PATHS} [data-testid="starts"]`, '1')
    await expect
      .poll(() => h.page.locator(`${PANEL} [data-testid="starts-table"]`).count(), { timeout: 60_000 })
      .toBe(0)
    await idle(h.page, PATHS)
  })

  it('zooms into the full embedding by default; a re-embedded selection shows both stresses', async () => {
    const stats = await text(`${PATHS} [data-testid="embed-stats"]`)
    const fullStress = await text(`${PATHS} [data-testid="stress"]`)
    await h.page.locator(`${PATHS} [data-testid="window-from"]`).fill('4')
    await expect.poll(() => h.page.locator(`${PATHS} [data-testid="reembed"]`).isDisabled()).toBe(false)
    // Narrowed: the same embedding, zoomed.
    expect(await text(`${PATHS} [data-testid="embed-stats"]`)).toBe(stats)
    expect(await h.page.locator(`${PATHS} [data-testid="zoom-note"]`).count()).toBe(1)
    await h.page.click(`${PATHS} [data-testid="reembed"]`)
    await h.page.locator(`${PATHS} [data-testid="subset-stress"]`).waitFor({ timeout: 120_000 })
    await idle(h.page, PATHS)
    const both = await text(`${PATHS} [data-testid="subset-stress"]`)
    const m = /selection alone (\d\.\d{3}); of the full embedding (\d\.\d{3})/.exec(both)
    expect(m).not.toBeNull()
    expect(m![2]).toBe(fullStress)
    const warned = (await h.page.locator(`${PATHS} [data-testid="subset-warning"]`).count()) === 1
    expect(warned).toBe(Number(m![1]) > SUBSET_WORSE * Number(m![2]))
    await h.screenshot('paths-subset-honesty')
    await h.page.click(`${PATHS} [data-testid="embed-all"]`)
    await expect
      .poll(() => h.page.locator(`${PATHS} [data-testid="subset-stress"]`).count(), { timeout: 60_000 })
      .toBe(0)
  })
})
