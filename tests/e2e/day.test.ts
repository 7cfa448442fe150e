/**
 * A researcher's day in the workbench, in Chromium through the browser host on two small
 * real runs made as fig6's are (the same seeds and name, batch 1 against batch 10):
 * renaming runs (name, short label, colour) and legends using them; the Procrustes
 * overlay putting the networks both runs start from on themselves; one honest progress
 * across a cancel and a resume (header, list and CLI).
 */
import { readFile } from 'node:fs/promises'
import { Project } from '../../src/main/archive/project'
import { runCli } from '../helpers/cli-in-process'
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
const COMPARE = '[data-testid="compare-page"]'
const WORKSPACE = '[data-testid="run-workspace"]'
const DIALOG = '[data-testid="rename-run-dialog"]'

let h: ViewsHarness
let a: string
let b: string

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  // fig6 as it was made: two runs of one name.
  h = await startViewsHarness([smallSpec({ name: 'fig6' }), smallSpec({ name: 'fig6', batch: 10, lr: 5 })])
  ;[a, b] = h.runIds as [string, string]
}, 300_000)
afterAll(async () => h?.close())

/** The legend of the chart in `scope`: names and colours. */
const legend = (scope: string) =>
  h.page.evaluate((sel) => {
    const o = (globalThis as any).document
      .querySelector(`${sel} [data-testid="figure-chart"]`)
      .__sgdscopeChart.getOption()
    return o.legend[0].data.map((d: any) => [d.name, String(d.itemStyle?.color ?? '').toLowerCase()])
  }, scope)

async function rename(id: string, name: string, label: string, color?: string) {
  await h.go(`#/run/${id}/details`)
  await h.page.waitForSelector(`${WORKSPACE}`)
  await h.page.click('[data-testid="rename-run"]')
  await h.page.fill(`${DIALOG} [data-testid="rename-name"]`, name)
  await h.page.fill(`${DIALOG} [data-testid="rename-label"]`, label)
  if (color) await h.page.click(`${DIALOG} [data-testid="rename-color-${color}"]`)
  await h.page.click(`${DIALOG} [data-testid="rename-save"]`)
  await h.page.locator(DIALOG).waitFor({ state: 'detached' })
  await h.page.waitForFunction(
    (n) => (globalThis as any).document.querySelector('[data-testid="run-name"]')?.textContent === n,
    name,
  )
}

describe('renaming runs', () => {
  it('renames a run with a label and a colour, shown in the header and the run list', async () => {
    await h.go(`#/run/${a}/details`)
    await h.page.click('[data-testid="rename-run"]')
    // A run needs a name: Save is disabled and the problem is shown by the field.
    await h.page.fill(`${DIALOG} [data-testid="rename-name"]`, '  ')
    expect(await h.page.isDisabled(`${DIALOG} [data-testid="rename-save"]`)).toBe(true)
    expect(await h.page.locator(`${DIALOG} .problem`).innerText()).toMatch(/needs a name/)
    await h.screenshot('rename-dialog-problem')
    await h.page.click(`${DIALOG} [aria-label="Close"]`)

    await rename(a, 'fig6 batch 1', 'B=1', 'cc79a7')
    expect(await h.page.locator('[data-testid="run-label"]').innerText()).toMatch(/B=1/)
    expect(await h.page.locator(`[data-run-id="${a}"] .name`).innerText()).toBe('fig6 batch 1')
    const swatch = await h.page
      .locator('[data-testid="run-color"]')
      .evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundColor)
    expect(swatch).toBe('rgb(204, 121, 167)')
    await h.screenshot('rename-run-header')
    // Stored in the run itself.
    const attrs = JSON.parse(await readFile(`${h.projectDir}/runs/${a}/zarr.json`, 'utf8')).attributes
    expect(attrs.display).toEqual({ name: 'fig6 batch 1', label: 'B=1', color: '#cc79a7' })
  })

  it('uses the labels and distinct colours in the comparison legend, also after a rename there', async () => {
    // The second run asks for the same colour as the first: the view gives it another.
    await rename(b, 'fig6 batch 10', 'B=10', 'cc79a7')
    await h.go('#/page/compare')
    await h.page.waitForSelector(COMPARE)
    await h.page.click(`[data-testid="compare-run-${a}"]`)
    await h.page.click(`[data-testid="compare-run-${b}"]`)
    await waitForRender(h.page, `${COMPARE} .plot`)
    await idle(h.page, COMPARE)
    const n = (await chartFacts(h.page, `${COMPARE} .plot`)).renders
    await h.page.click(`${COMPARE} [data-testid="layout-overlay"]`)
    const m = await waitForRender(h.page, `${COMPARE} .plot`, n)
    await h.page.selectOption(`${COMPARE} [data-testid="color-by"]`, 'run')
    await waitForRender(h.page, `${COMPARE} .plot`, m)
    await idle(h.page, COMPARE)
    const paths = await legend(`${COMPARE} .plot`)
    expect(paths.map((l: string[]) => l[0])).toEqual(['B=1', 'B=10'])
    expect(paths[0][1]).toBe('#cc79a7')
    expect(paths[1][1]).not.toBe(paths[0][1])
    const curves = await legend(`${COMPARE} .curves`)
    expect(curves.map((l: string[]) => l[0])).toEqual(['B=1', 'B=10'])
    expect(curves.map((l: string[]) => l[1])).toEqual(paths.map((l: string[]) => l[1]))
    await h.screenshot('rename-compare-legend')

    // Renamed elsewhere (the CLI, another window): the open comparison follows.
    await h.host.service.request('runs.rename', { runId: b, label: 'large batch' })
    await h.page.waitForFunction(
      (sel) =>
        (globalThis as any).document
          .querySelector(`${sel} [data-testid="figure-chart"]`)
          .__sgdscopeChart.getOption()
          .legend[0].data.some((d: any) => d.name === 'large batch'),
      `${COMPARE} .plot`,
      { timeout: 60_000 },
    )
  })
})

/** The epoch-0 points of each run's networks in the chart in `scope`: run label → net → [x, y]. */
const startPoints = (scope: string) =>
  h.page.evaluate((sel) => {
    const o = (globalThis as any).document
      .querySelector(`${sel} [data-testid="figure-chart"]`)
      .__sgdscopeChart.getOption()
    const out: Record<string, Record<number, [number, number]>> = {}
    for (const s of o.series.filter((x: any) => x.type === 'scatter'))
      for (const d of s.data) {
        const v = Array.isArray(d) ? d : d.value
        if (v[2] === 0) (out[s.name] ??= {})[v[3]] = [v[0], v[1]]
      }
    return out
  }, scope)

describe('Procrustes overlay', () => {
  it('puts the networks both runs start from on themselves', async () => {
    // Still on the comparison of the two runs, overlaid.
    const n = (await chartFacts(h.page, `${COMPARE} .plot`)).renders
    await h.page.click(`${COMPARE} [data-testid="align-procrustes"]`)
    await waitForRender(h.page, `${COMPARE} .plot`, n)
    await idle(h.page, COMPARE)
    const labels = (await legend(`${COMPARE} .plot`)).map((l: string[]) => l[0])
    const pts = await startPoints(`${COMPARE} .plot`)
    const [pa, pb] = [pts[labels[0]]!, pts[labels[1]]!]
    expect(Object.keys(pa)).toEqual(['0', '1', '2', '3'])
    let diameter = 0
    for (const i of [0, 1, 2, 3])
      for (const j of [0, 1, 2, 3])
        diameter = Math.max(diameter, Math.hypot(pa[i]![0] - pa[j]![0], pa[i]![1] - pa[j]![1]))
    for (const k of [0, 1, 2, 3])
      expect(Math.hypot(pb[k]![0] - pa[k]![0], pb[k]![1] - pa[k]![1])).toBeLessThan(0.15 * diameter)
    await h.screenshot('procrustes-overlay-same-seeds')
  })
})

describe('learning curves and the analyses panel', () => {
  it('draws learning curves on a log epoch axis by default, linear one click away', async () => {
    await h.go(`#/run/${a}/details`)
    await h.page.waitForSelector('[data-testid="live-curve"]')
    // 4 networks × 9 snapshots, of which epoch 0 is not on a log axis.
    await h.page.waitForFunction(
      () => (globalThis as any).document.querySelector('[data-testid="live-curve"]')?.dataset.points === '32',
    )
    expect(await h.page.isChecked('[data-testid="curve-log-x"]')).toBe(true)
    await h.screenshot('learning-curve-log')
    await h.page.uncheck('[data-testid="curve-log-x"]')
    await h.page.waitForFunction(
      () => (globalThis as any).document.querySelector('[data-testid="live-curve"]')?.dataset.points === '36',
    )
    // The Metrics tab starts on a log epoch axis too.
    await h.go(`#/run/${a}/metrics`)
    await h.page.waitForSelector('[data-testid="log-x"]')
    expect(await h.page.isChecked('[data-testid="log-x"]')).toBe(true)
    await waitForRender(h.page, '[data-testid="metrics-view"]')
    const type = await h.page.evaluate(
      () =>
        (globalThis as any).document
          .querySelector('[data-testid="metrics-view"] [data-testid="figure-chart"]')
          .__sgdscopeChart.getOption().xAxis[0].type,
    )
    expect(type).toBe('log')
  })

  it('lists the slowest and the fastest subproblems as two distinct sets', async () => {
    await h.go(`#/run/${a}/beyond`)
    const facts = '[data-testid="beyond-subproblem-facts"]'
    await h.page.waitForSelector(`${facts} [data-testid="beyond-slowest"]`, { timeout: 120_000 })
    const ids = async (which: string) =>
      (await h.page.locator(`${facts} [data-testid="beyond-${which}"]`).innerText())
        .split(', ')
        .map((x) => x.replace(/ \(.*\)$/, '').trim())
        .filter((x) => x && x !== '—')
    const slowest = await ids('slowest')
    const fastest = await ids('fastest')
    expect(slowest.length).toBeGreaterThan(0)
    expect(fastest.length).toBe(slowest.length)
    expect(slowest.filter((x) => fastest.includes(x))).toEqual([])
    await h.page.locator(facts).scrollIntoViewIfNeeded()
    await h.screenshot('beyond-slowest-fastest')
  })
})

describe('paths without the initial points', () => {
  it('hides epoch 0 on request, and the rest fills the plot', async () => {
    const PATHS = '[data-testid="paths-view"]'
    await h.go(`#/run/${a}/paths`)
    await h.page.waitForSelector(`${PATHS} [data-testid="figure-chart"]`)
    await idle(h.page, PATHS)
    const shown = () =>
      h.page.evaluate((sel) => {
        const el = (globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)
        const x = el.__sgdscopeChart.getOption().xAxis[0]
        return { points: Number(el.dataset.points), span: x.max - x.min }
      }, PATHS)
    await h.page.waitForFunction(
      (sel) =>
        Number((globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)?.dataset.points) ===
        36,
      PATHS,
    )
    const before = await shown()
    const n = (await chartFacts(h.page, PATHS)).renders
    await h.page.check(`${PATHS} [data-testid="hide-initial"]`)
    await waitForRender(h.page, PATHS, n)
    const after = await shown()
    expect(after.points).toBe(32) // 4 networks × 8 snapshots after epoch 0
    expect(after.span).toBeLessThan(before.span)
    await h.screenshot('paths-hide-initial')
  })
})

/** What the run header and the run's list entry show, read together (they update in one
 * frame). Installed as `__progressProbe` by a string evaluated through the debugger (the
 * app's CSP forbids eval, and a function compiled here could carry the test's helpers). */
const INSTALL_PROBE = `globalThis.__progressProbe = function () {
  const d = document
  const ws = d.querySelector('[data-testid="run-workspace"]')
  const item = d.querySelector('[data-run-id="' + ws?.dataset.run + '"][data-testid="run-item"]')
  const metric = d.querySelector('[data-testid="latest-metric"]')
  return {
    status: ws?.dataset.status,
    header: d.querySelector('[data-testid="progress-percent"]')?.textContent?.trim(),
    snapshots: d.querySelector('[data-testid="snapshots-done"]')?.textContent?.trim(),
    list: item?.querySelector('[data-testid="list-progress"]')?.textContent?.trim() ?? null,
    epoch: metric ? metric.dataset.epoch : null,
    metric: metric?.textContent?.trim().split(/\\s+/).slice(0, 2).join(' ') ?? null,
  }
}`
const PROGRESS_PROBE = '__progressProbe()'

describe('honest progress', () => {
  it('shows one progress in header, list and CLI; a resume continues it; the header has the latest snapshot’s error', async () => {
    // Log-spaced snapshots, as the paper's: 14 per network, most of them early, so the
    // fraction of samples trained lags far behind the fraction of snapshots recorded.
    const at = [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 1.5, 3, 6]
    // Long after the cancel point (6 epochs of 50 hidden units): the workers run ahead of the
    // host's snapshot events, and a short run could finish before its cancel arrives.
    const spec = smallSpec({ name: 'progress', hidden: 50, epochs: 6, snapshots: { at } })
    const S = at.length + 1
    let recorded = 0
    let cancelled = false
    let id = ''
    const interrupted = new Promise<void>((resolve, reject) => {
      const off = h.host.service.on((name, e: any) => {
        if (name === 'run.snapshot' && e.runId === id && ++recorded >= 12 && !cancelled) {
          cancelled = true
          void h.host.service.request('runs.cancel', { runId: id })
        }
        if (name === 'run.status' && e.runId === id && e.status === 'interrupted') {
          off()
          resolve()
        }
        if (name === 'run.status' && e.runId === id && e.status === 'complete') {
          off()
          reject(new Error('the run completed before its cancel took effect'))
        }
      })
    })
    id = (await h.host.service.request('runs.start', { spec })).runIds[0]!
    await interrupted
    await h.go(`#/run/${id}/details`)
    await h.page.waitForSelector(`${WORKSPACE}[data-status="interrupted"]`)
    await h.page.evaluate(INSTALL_PROBE)
    const total = 4 * S
    const archived = async () => (await (await Project.open(h.projectDir)).openRun(id)).progress()
    const { done } = await archived()
    expect(done).toBeGreaterThanOrEqual(12)
    expect(done).toBeLessThan(total)
    const pct = `${Math.floor((100 * done) / total)} %`
    await h.page.waitForFunction((want) => (globalThis as any).__progressProbe().list === want, pct)
    const before = await h.page.evaluate(PROGRESS_PROBE)
    expect(before).toMatchObject({ header: pct, list: pct, snapshots: `${done} / ${total}` })
    // The CLI says the same.
    const cli = await runCli(['status', id, '--project', h.projectDir])
    expect(cli.out).toContain(`${done}/${total} (network, snapshot) pairs recorded (${pct})`)
    await h.screenshot('progress-interrupted')

    // Every state the page shows during the resume, as it shows it.
    await h.page.evaluate(() => {
      const g = globalThis as any
      g.__progress = []
      let prev = ''
      // Sampled every frame's worth of time: each distinct state once.
      g.__progressTimer = g.setInterval(() => {
        const now = g.__progressProbe()
        const key = JSON.stringify(now)
        if (key !== prev) g.__progress.push(now)
        prev = key
      }, 10)
    })
    await h.page.click('[data-testid="resume-run"]')
    await h.page.waitForSelector(`${WORKSPACE}[data-status="complete"]`, { timeout: 120_000 })
    await h.page.waitForFunction(() => (globalThis as any).__progressProbe().header === '100 %')
    const seen: any[] = await h.page.evaluate(() => {
      const g = globalThis as any
      g.clearInterval(g.__progressTimer)
      return g.__progress
    })
    const value = (s: string) => Number(s.replace(/ %$/, ''))
    const shown = seen.filter((s) => s.header && s.list)
    expect(shown.length).toBeGreaterThan(0)
    let last = value(pct)
    for (const s of shown) {
      // Never below where the run stood, never back; header and list agree at every moment.
      expect(value(s.header)).toBeGreaterThanOrEqual(last)
      last = value(s.header)
      expect(s.list).toBe(s.header)
      const [a, b] = s.snapshots.split(' / ').map((x: string) => Number(x.replace(/\D/g, '')))
      expect(b).toBe(total)
      expect(s.header).toBe(`${Math.floor((100 * a) / b)} %`)
    }
    // While it trained, the header's error was the latest snapshot's, not epoch 0's.
    expect(shown.some((s) => s.status === 'running' && Number(s.epoch) > 0.1)).toBe(true)
    await h.page.waitForFunction(() => (globalThis as any).__progressProbe().epoch === '6')
    const run = await (await Project.open(h.projectDir)).openRun(id)
    const m = await run.readMetrics()
    const c = run.attrs.metrics.indexOf('test_error')
    const M = run.attrs.metrics.length
    const mean = [0, 1, 2, 3].reduce((acc, k) => acc + m[(k * S + S - 1) * M + c]!, 0) / 4
    expect(((await h.page.evaluate(PROGRESS_PROBE)) as any).metric).toBe(`${(100 * mean).toFixed(2)} %`)
    const end = await runCli(['status', id, '--project', h.projectDir])
    expect(end.out).toContain(`${total}/${total} (network, snapshot) pairs recorded (100 %)`)
    await h.screenshot('progress-complete')
  })
})
