/**
 * End-to-end harness of the analysis views, on top of the shell's (tests/e2e/harness.ts:
 * the browser host in-process, Chromium through playwright-core): a project with small
 * real runs trained here through the runner (a few seconds each) and opened in the
 * host, and a page that accepts downloads (figure export).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { Project } from '../../src/main/archive/project'
import { createRun, trainRun } from '../../src/main/experiments/runner'
import { CHROMIUM, CHROMIUM_ARGS, HAS_CHROMIUM, Host, RENDERER_DIR, SCREENSHOTS } from './harness'

export { HAS_CHROMIUM, SCREENSHOTS }

/** A small MLP run: 4 networks, 10 hidden units, 0.2 epochs with 9 snapshots, a 100-image probe set. */
export function smallSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    nets: 4,
    hidden: 10,
    epochs: 0.2,
    probe: 100,
    trainSubset: 500,
    snapshots: { at: [0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2] },
    ...overrides,
  }
}

/** A small stochastic-model run (5 vectors in R^50). */
export function stochasticSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'stochastic', nets: 5, dim: 50, steps: 3000, recordEvery: 150, name: 'stochastic model', ...overrides }
}

export interface ViewsHarness {
  root: string
  projectDir: string
  runIds: string[]
  host: Host
  browser: Browser
  context: BrowserContext
  page: Page
  /** The app's base URL (the token is a cookie after the first load). */
  base: string
  /** Go to a place of the app by its hash route and wait for the app to show it (the
   * screen may then add its kept state to the hash's query). */
  go(hash: string): Promise<void>
  /** Reload the page (a "restart" of the renderer) and wait for the app. */
  reload(): Promise<void>
  screenshot(name: string): Promise<string>
  close(): Promise<void>
}

export async function startViewsHarness(
  specs: Record<string, unknown>[],
  opts: { viewport?: { width: number; height: number } } = {},
): Promise<ViewsHarness> {
  if (!existsSync(path.join(RENDERER_DIR, 'index.html')))
    throw new Error(`${RENDERER_DIR} is missing: run \`npm run build\` first`)
  const root = mkdtempSync(path.join(tmpdir(), 'sgdscope-views-'))
  const projectDir = path.join(root, 'views.sgdscope')
  const project = await Project.create(projectDir)
  const runIds: string[] = []
  for (const spec of specs) {
    const run = await createRun(project, spec)
    const status = await trainRun(project, run.id, { workers: 1 })
    if (status !== 'complete') throw new Error(`training the test run ${run.id} ended ${status}`)
    runIds.push(run.id)
  }
  const host = await new Host(path.join(root, 'config')).start()
  await host.service.request('project.open', { dir: projectDir })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1440, height: 900 },
    acceptDownloads: true,
    deviceScaleFactor: 1,
  })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  const base = `http://127.0.0.1:${host.server.port}/`
  // The app has booted when it shows the open project.
  const booted = () => page.waitForSelector('main[data-route]:not([data-route="start"])', { timeout: 30_000 })
  await page.goto(host.url)
  await booted()
  mkdirSync(SCREENSHOTS, { recursive: true })

  return {
    root,
    projectDir,
    runIds,
    host,
    browser,
    context,
    page,
    base,
    async go(hash: string) {
      await page.evaluate((h) => {
        ;(globalThis as unknown as { location: { hash: string } }).location.hash = h
      }, hash)
      // The screen may add its state to the hash's query (a kept zoom, selection, …).
      await page.waitForFunction((h) => {
        const now = (globalThis as unknown as { location: { hash: string } }).location.hash
        return now === h || (!h.includes('?') && now.startsWith(`${h}?`))
      }, hash)
    },
    async reload() {
      await page.reload()
      await booted()
    },
    async screenshot(name: string) {
      const file = path.join(SCREENSHOTS, `${name}.png`)
      await page.screenshot({ path: file, fullPage: false })
      return file
    },
    async close() {
      await browser.close().catch(() => undefined)
      await host.stop().catch(() => undefined)
      rmSync(root, { recursive: true, force: true })
      if (errors.length && process.env.SGDSCOPE_E2E_VERBOSE) console.warn(errors.join('\n'))
    },
  }
}

/** Waits until a figure chart inside `scope` has drawn at least `after + 1` times; returns the count. */
export async function waitForRender(page: Page, scope: string, after = 0): Promise<number> {
  const sel = `${scope} [data-testid="figure-chart"]`
  await page.waitForFunction(
    ([s, n]) => {
      const el = (
        globalThis as unknown as { document: { querySelector(q: string): { dataset: Record<string, string> } | null } }
      ).document.querySelector(s as string)
      return !!el && Number(el.dataset.renders ?? 0) > (n as number)
    },
    [sel, after] as const,
    { timeout: 60_000 },
  )
  return renders(page, scope)
}

export async function renders(page: Page, scope: string): Promise<number> {
  return Number((await page.locator(`${scope} [data-testid="figure-chart"]`).first().getAttribute('data-renders')) ?? 0)
}

/** Facts about the chart in `scope`, read from its ECharts instance. */
export interface ChartFacts {
  renders: number
  points: number
  /** Zoom windows in percent, per dataZoom id. */
  zoom: Record<string, { start: number; end: number; xAxisIndex?: number[]; yAxisIndex?: number[] }>
  grids: number
  legend: string[]
  caption: string[]
}

export async function chartFacts(page: Page, scope: string): Promise<ChartFacts> {
  return page.evaluate((sel) => {
    const el = (globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)
    const chart = el?.__sgdscopeChart
    if (!chart) throw new Error(`no chart in ${sel}`)
    const o = chart.getOption()
    const zoom: Record<string, unknown> = {}
    for (const d of o.dataZoom ?? [])
      zoom[d.id] = { start: d.start, end: d.end, xAxisIndex: d.xAxisIndex, yAxisIndex: d.yAxisIndex }
    const texts: string[] = (o.graphic?.[0]?.elements ?? [])
      .filter((g: any) => g.type === 'text')
      .map((g: any) => g.style?.text)
    return {
      renders: Number(el.dataset.renders ?? 0),
      points: Number(el.dataset.points ?? 0),
      zoom,
      grids: (o.grid ?? []).length,
      legend: (o.legend?.[0]?.data ?? []).map((d: any) => (typeof d === 'string' ? d : d.name)),
      caption: texts,
    } as any
  }, scope)
}

/** Moves the mouse onto the first point of the first scatter series; returns the tooltip text. */
export async function hoverFirstPoint(page: Page, scope: string): Promise<string> {
  const at = await page.evaluate((sel) => {
    const el = (globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)
    const chart = el.__sgdscopeChart
    const o = chart.getOption()
    const si = o.series.findIndex((s: any) => s.type === 'scatter')
    const d = o.series[si].data[0]
    const v = Array.isArray(d) ? d : d.value
    const [x, y] = chart.convertToPixel({ seriesIndex: si }, [v[0], v[1]])
    const r = el.getBoundingClientRect()
    return { x: r.left + x, y: r.top + y }
  }, scope)
  await page.mouse.move(at.x - 20, at.y - 20)
  await page.mouse.move(at.x, at.y, { steps: 4 })
  const tip = page.locator(`${scope} [data-testid="figure-chart"] div`).filter({ hasText: 'epoch' }).last()
  await tip.waitFor({ state: 'visible', timeout: 10_000 })
  return (await tip.innerText()).trim()
}

/** Waits until no computation is shown in `scope`. */
export async function idle(page: Page, scope: string): Promise<void> {
  await page.waitForFunction(
    (sel) => !(globalThis as any).document.querySelector(`${sel} [data-testid="busy"]`),
    scope,
    { timeout: 120_000 },
  )
}
