/**
 * The time slider (issue 22 item 1), in Chromium through the browser host on a small real run:
 * its position round-trips through the URL (`t=`: a link opens the paths at that snapshot with
 * the markers there; a move rewrites the URL), ←/→ step and space plays (not while typing), the
 * frame on screen is the animation's frame (a partial redraw), and the learning curves' cursor
 * follows the same epoch on the metrics tab and after a reload.
 */
import { afterAll, beforeAll, describe as describeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { HAS_CHROMIUM, idle, smallSpec, startViewsHarness, waitForRender, type ViewsHarness } from './views-harness'

const describe = describeAll.skipIf(!HAS_CHROMIUM)
const PATHS = '[data-testid="paths-view"]'
const METRICS = '[data-testid="metrics-view"]'
const COMPARE = '[data-testid="compare-page"]'

let h: ViewsHarness
let run: string
let other: string

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  // A second run with other snapshots: one epoch is the same moment in both (compare).
  h = await startViewsHarness([
    smallSpec({ name: 'slider run' }),
    smallSpec({ name: 'other', snapshots: { at: [0.04, 0.08, 0.12, 0.16, 0.2] } }),
  ])
  ;[run, other] = h.runIds as [string, string]
  // The embeddings, computed before the page asks (the machine may be busy).
  await h.host.service.request('paths.embed', { runs: [run], view: 'tau', method: 'smacof' })
  await h.host.service.request('paths.embed', { runs: [run, other], view: 'tau', method: 'smacof', align: 'joint' })
}, 300_000)
afterAll(async () => h?.close())

const hashNow = () => h.page.evaluate(() => (globalThis as any).location.hash as string)
const tOf = (hash: string) => new URLSearchParams(hash.split('?')[1] ?? '').get('t')
const label = (scope: string) => h.page.locator(`${scope} [data-testid="time-label"]`).innerText()

/** What the chart in scope draws for the time: each network's ringed point ("(now)" series),
 * the frame's label, the points drawn, the cursor lines, and whether the last draw was partial. */
function timeFacts(page: Page, scope: string) {
  return page.evaluate((sel) => {
    const el = (globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)
    const o = el.__sgdscopeChart.getOption()
    const now = (o.series as any[]).filter((s) => String(s.name).endsWith('(now)'))
    const texts = (o.graphic?.[0]?.elements ?? []).filter((g: any) => String(g.id ?? '').startsWith('frame-label'))
    return {
      now: now.flatMap((s) => s.data.map((d: any) => (Array.isArray(d) ? d : d.value).slice(0, 2))),
      frameLabel: texts.map((g: any) => g.style?.text).join(),
      maxEpoch: Math.max(
        ...(o.series as any[])
          .filter((s) => s.type === 'scatter' && !String(s.name).endsWith('(now)'))
          .flatMap((s) => s.data.map((d: any) => (Array.isArray(d) ? d : d.value)[2])),
      ),
      cursors: (o.series as any[])
        .filter((s) => String(s.id ?? '').startsWith('cursor-'))
        .map((s) => s.data.map((d: number[]) => d[0])),
      partial: el.dataset.partial as string,
      renders: Number(el.dataset.renders),
    }
  }, scope)
}

async function waitForLabel(scope: string, text: string) {
  await h.page.waitForFunction(
    ([sel, t]) => (globalThis as any).document.querySelector(`${sel} [data-testid="time-label"]`)?.innerText === t,
    [scope, text] as const,
    { timeout: 30_000 },
  )
}

/** Waits until the chart in scope shows the frame of epoch e. */
async function waitForFrame(scope: string, e: number) {
  await h.page.waitForFunction(
    ([sel, epoch]) => {
      const el = (globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)
      const o = el?.__sgdscopeChart?.getOption()
      const g = (o?.graphic?.[0]?.elements ?? []).find((x: any) => x.id === 'frame-label-0')
      return g?.style?.text === `epoch ${epoch}`
    },
    [scope, e] as const,
    { timeout: 30_000 },
  )
}

describe('the time slider', () => {
  it('opens a link with t= at that snapshot, the markers there; a move rewrites the URL', async () => {
    await h.go(`#/run/${run}/paths?t=0.05`)
    await waitForRender(h.page, PATHS)
    await idle(h.page, PATHS)
    await waitForLabel(PATHS, 'epoch 0.05 · snapshot 5/9')
    await waitForFrame(PATHS, 0.05)
    let f = await timeFacts(h.page, PATHS)
    expect(f.now).toHaveLength(4) // one ringed point per network
    expect(f.maxEpoch).toBe(0.05) // the paths drawn up to the time, not beyond
    const range = h.page.locator(`${PATHS} [data-testid="time-range"]`)
    expect(await range.getAttribute('aria-valuetext')).toBe('epoch 0.05 · snapshot 5/9')
    expect(await range.inputValue()).toBe('4')

    // The range moved by hand: the URL follows, the frame is redrawn partially.
    await range.fill('7')
    await waitForLabel(PATHS, 'epoch 0.15 · snapshot 8/9')
    await waitForFrame(PATHS, 0.15)
    expect(tOf(await hashNow())).toBe('0.15')
    f = await timeFacts(h.page, PATHS)
    expect(f.maxEpoch).toBe(0.15)
    expect(f.partial).toBe('1')
    await h.screenshot('time-slider-paths')
  })

  it('steps with ←/→ and plays with space, but not while focus is in a field', async () => {
    await h.page.locator(`${PATHS} [data-testid="stats"], ${PATHS} .stats`).first().click() // focus off the range
    await h.page.keyboard.press('ArrowLeft')
    await waitForLabel(PATHS, 'epoch 0.1 · snapshot 7/9')
    expect(tOf(await hashNow())).toBe('0.1')
    await h.page.keyboard.press('ArrowRight')
    await h.page.keyboard.press('ArrowRight')
    await waitForLabel(PATHS, 'epoch 0.2 · snapshot 9/9')
    await waitForFrame(PATHS, 0.2)

    // In a select the arrows are its own.
    const method = h.page.locator(`${PATHS} [data-testid="method"]`)
    await method.focus()
    await h.page.keyboard.press('ArrowLeft')
    expect(await label(PATHS)).toBe('epoch 0.2 · snapshot 9/9')
    await h.page.keyboard.press('Escape')
    expect(await method.inputValue()).toBe('smacof')

    // Space plays from the start (at the end) to the last snapshot, then stops.
    await h.page.locator(`${PATHS} [data-testid="time-speed"]`).selectOption('20')
    await h.page.locator(`${PATHS} .stats`).first().click()
    await h.page.keyboard.press('Space')
    await h.page.waitForFunction(
      (sel) => (globalThis as any).document.querySelector(`${sel} [data-testid="time-play"]`)?.ariaPressed === 'true',
      PATHS,
    )
    await h.page.waitForFunction(
      (sel) => {
        const el = (globalThis as any).document.querySelector(`${sel} [data-testid="time-play"]`)
        return el?.ariaPressed === 'false'
      },
      PATHS,
      { timeout: 30_000 },
    )
    expect(await label(PATHS)).toBe('epoch 0.2 · snapshot 9/9')
    expect(tOf(await hashNow())).toBe('0.2')
  })

  it('the metrics tab opens at the same epoch, its cursor follows the keys and survives a reload', async () => {
    await h.page.keyboard.press('ArrowLeft')
    await h.page.keyboard.press('ArrowLeft')
    await waitForLabel(PATHS, 'epoch 0.1 · snapshot 7/9')
    await h.page.locator('#tab-metrics').click()
    await waitForRender(h.page, METRICS)
    await idle(h.page, METRICS)
    await waitForLabel(METRICS, 'epoch 0.1 · snapshot 7/9')
    expect(tOf(await hashNow())).toBe('0.1')
    let f = await timeFacts(h.page, METRICS)
    expect(f.cursors.length).toBeGreaterThan(0)
    expect(f.cursors.every((c) => c.length === 2 && c[0] === 0.1 && c[1] === 0.1)).toBe(true)

    // The tab has focus (its arrows switch tabs): the plot is clicked first.
    await h.page.locator(`${METRICS} [data-testid="time-label"]`).click()
    await h.page.keyboard.press('ArrowRight')
    await waitForLabel(METRICS, 'epoch 0.15 · snapshot 8/9')
    await h.page.waitForFunction((sel) => {
      const el = (globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)
      const o = el.__sgdscopeChart.getOption()
      return (o.series as any[]).some((s) => s.id === 'cursor-0' && s.data[0]?.[0] === 0.15)
    }, METRICS)
    f = await timeFacts(h.page, METRICS)
    expect(f.partial).toBe('1')
    expect(tOf(await hashNow())).toBe('0.15')
    await h.screenshot('time-slider-metrics')

    await h.reload()
    await waitForRender(h.page, METRICS)
    await waitForLabel(METRICS, 'epoch 0.15 · snapshot 8/9')

    // "All" turns the slider off: no t= and no cursor.
    await h.page.locator(`${METRICS} [data-testid="time-off"]`).click()
    await h.page.waitForFunction(() => !(globalThis as any).location.hash.includes('t='))
    await waitForLabel(METRICS, 'all 9 snapshots')
  })

  it('the comparison shows one moment in both runs: each at its last snapshot by then, the curves with the cursor', async () => {
    await h.go(`#/page/compare?runs=${run},${other}&t=0.1`)
    await waitForRender(h.page, COMPARE)
    await idle(h.page, COMPARE)
    // The union of both runs' snapshots: 9 + 6 less the shared 0 and 0.2 = 13; 0.1 is the 9th.
    await waitForLabel(COMPARE, 'epoch 0.1 · snapshot 9/13')
    await waitForFrame(COMPARE, 0.1)
    const runs = await h.page.evaluate((sel) => {
      const el = (globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)
      const o = el.__sgdscopeChart.getOption()
      const byRun: Record<string, number> = {}
      for (const s of o.series as any[])
        if (s.type === 'scatter' && !String(s.name).endsWith('(now)'))
          for (const d of s.data) byRun[s.name] = Math.max(byRun[s.name] ?? 0, (Array.isArray(d) ? d : d.value)[2])
      return byRun
    }, COMPARE)
    // 'other' has snapshots at 0.08 and 0.12: at epoch 0.1 it is at 0.08.
    expect(Object.values(runs).sort()).toEqual([0.08, 0.1])
    await h.page.waitForFunction((sel) => {
      const charts = (globalThis as any).document.querySelectorAll(`${sel} [data-testid="figure-chart"]`)
      const o = charts[charts.length - 1]?.__sgdscopeChart?.getOption()
      return (o?.series ?? []).some((s: any) => s.id === 'cursor-0' && s.data[0]?.[0] === 0.1)
    }, COMPARE)
    await h.screenshot('time-slider-compare')
  })
})
