/**
 * `npx tsx bench/explorer.ts`: how fast the path explorer redraws when the epoch
 * window slider moves, in Chromium through the browser host, for
 *
 *  - a fig1-size data set: 100 networks × 31 snapshots (a real, small MLP run:
 *    10 hidden units, a 100-image probe set, half an epoch), and
 *  - a fig5-size data set: 2 networks × 1001 snapshots (a stochastic-model run, which
 *    records that many snapshots in a second; the renderer draws the same points).
 *
 * A slider move is: the input event → (the next animation frame, where the chart
 * redraws) → the figure builder (buildFigure) → ECharts setOption (which draws
 * synchronously) → the next painted frame. Printed, never asserted. A screenshot of each
 * explorer goes to tests/artifacts/screenshots/.
 *
 * The time slider (issue 22 items 1 and 6) is scrubbed over the fig1-size run too: each move
 * draws the animation's frame at that snapshot (paths up to it, each network's latest point
 * ringed) by a partial setOption of the series alone; printed as ms per frame (median, p95)
 * beside the goal of 16 ms. `--fig1` skips the fig5-size run.
 *
 * `--large` (issue 23 item 4) measures the large mode alone: 1,000 stochastic-model vectors ×
 * 100 snapshots (100,000 points; random walks of SGD on a quadratic, the paper's §3 model),
 * opened in the paths view: the initial draw, the JS heap, and the time per pan (drag) and
 * zoom (ctrl+wheel) frame, median and p95, beside the goal of 100 ms, with the page's
 * main-thread task time (CPU) per frame from the DevTools protocol.
 *
 * Needs `npm run build` (out/renderer) and Chromium (/usr/bin/chromium or CHROMIUM_PATH).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Page } from 'playwright-core'
import { Project } from '../src/main/archive/project'
import { createRun, trainRun } from '../src/main/experiments/runner'
import { startServer } from '../src/main/server'
import { Service } from '../src/main/service'
import { FileSettingsStore } from '../src/main/settings'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const RENDERER = path.resolve(HERE, '../out/renderer')
const SCREENSHOTS = path.resolve(HERE, '../tests/artifacts/screenshots')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
const PATHS = '[data-testid="paths-view"]'

interface Sample {
  total: number
  build: number
  draw: number
  points: number
}

const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1)
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!
}

/** Moves the window's "from" handle through `positions`, one redraw each. (Source text:
 * tsx would wrap named functions in a helper the page does not have.) */
const SWEEP = `async ({ sel, positions }) => {
  const raf = () => new Promise((r) => requestAnimationFrame(r))
  const input = document.querySelector(sel + ' [data-testid="window-from"]')
  const chart = document.querySelector(sel + ' [data-testid="figure-chart"]')
  const out = []
  for (const k of positions) {
    const before = Number(chart.dataset.renders)
    const t0 = performance.now()
    input.value = String(k)
    input.dispatchEvent(new Event('input', { bubbles: true }))
    // Poll (not per frame, which would add frames of its own) until the chart has
    // redrawn, then wait for the frame that paints it.
    while (Number(chart.dataset.renders) === before) await new Promise((r) => setTimeout(r, 0))
    await raf()
    out.push({
      total: performance.now() - t0,
      build: Number(chart.dataset.buildMs),
      draw: Number(chart.dataset.drawMs),
      points: Number(chart.dataset.points),
    })
  }
  return out
}`

async function sweep(page: Page, positions: number[], input = 'window-from'): Promise<Sample[]> {
  const source = SWEEP.replace('[data-testid="window-from"]', `[data-testid="${input}"]`)
  return page.evaluate(`(${source})(${JSON.stringify({ sel: PATHS, positions })})`) as Promise<Sample[]>
}

/** The time slider scrubbed: ms per frame against the 16 ms goal (one frame at 60 Hz). */
function reportScrub(name: string, samples: Sample[]) {
  const total = samples.map((s) => s.total)
  const f = (x: number) => x.toFixed(1).padStart(6)
  report(name, samples)
  const p95 = quantile(total, 0.95)
  console.log(
    `  ms per frame: median ${f(quantile(total, 0.5))}, p95 ${f(p95)}   goal ≤ 16 ms: ${p95 <= 16 ? 'met' : 'NOT met'} (p95)`,
  )
}

function report(name: string, samples: Sample[]) {
  const col = (k: keyof Sample) => samples.map((s) => s[k])
  const f = (x: number) => x.toFixed(1).padStart(6)
  console.log(
    `\n${name}: ${samples.length} slider moves, ${Math.min(...col('points'))}–${Math.max(...col('points'))} points shown`,
  )
  console.log('                        median     p90     max   (ms)')
  console.log(
    `  buildFigure           ${f(quantile(col('build'), 0.5))}  ${f(quantile(col('build'), 0.9))}  ${f(Math.max(...col('build')))}`,
  )
  console.log(
    `  chart.setOption       ${f(quantile(col('draw'), 0.5))}  ${f(quantile(col('draw'), 0.9))}  ${f(Math.max(...col('draw')))}`,
  )
  console.log(
    `  input → painted frame ${f(quantile(col('total'), 0.5))}  ${f(quantile(col('total'), 0.9))}  ${f(Math.max(...col('total')))}`,
  )
}

/** Time per frame of `steps` input events (each awaited until the frame that paints it),
 * and the renderer's main-thread task time (CPU, from the DevTools protocol) over them. */
async function frames(page: Page, steps: (() => Promise<void>)[]): Promise<{ wall: number[]; cpuMs: number }> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  const task = async () =>
    ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000
  const wall: number[] = []
  const cpu0 = await task()
  for (const step of steps) {
    const t0 = performance.now()
    await step()
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => r(0)))')
    wall.push(performance.now() - t0)
  }
  return { wall, cpuMs: (await task()) - cpu0 }
}

/** The 100k-point case: initial draw, heap, pan and zoom frames against 100 ms. */
async function largeCase(page: Page, run: string) {
  const chartSel = `${PATHS} [data-testid="figure-chart"]`
  const t0 = performance.now()
  await page.evaluate((h) => ((globalThis as any).location.hash = h), `#/run/${run}/paths`)
  await page.waitForFunction(
    (sel) => (globalThis as any).document.querySelector(sel)?.dataset.large === '1',
    chartSel,
    {
      timeout: 900_000,
    },
  )
  const opened = seconds(t0)
  const chart = page.locator(chartSel).first()
  const attr = async (k: string) => Number(await chart.getAttribute(`data-${k}`))
  const stats = (await page.locator(`${PATHS} [data-testid="embed-stats"]`).innerText()).trim()
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('HeapProfiler.collectGarbage')
  const heap = (await cdp.send('Runtime.getHeapUsage')).usedSize / 2 ** 20
  console.log(`\n100k case: opened in ${opened} s (${stats})`)
  console.log(
    `  initial draw: buildFigure + thinning ${(await attr('build-ms')).toFixed(0)} ms, setOption ${(await attr('draw-ms')).toFixed(0)} ms; ${await attr('points')} points, ${await attr('drawn')} markers drawn; JS heap ${heap.toFixed(0)} MB`,
  )
  await page.screenshot({ path: path.join(SCREENSHOTS, 'bench-large-100k.png') })
  const box = (await chart.boundingBox())!
  const cx = box.x + box.width / 2
  const cy = box.y + box.height / 2
  const f = (x: number) => x.toFixed(1).padStart(6)
  const show = (name: string, r: { wall: number[]; cpuMs: number }) => {
    const p95 = quantile(r.wall, 0.95)
    console.log(
      `  ${name.padEnd(22)} median ${f(quantile(r.wall, 0.5))}, p95 ${f(p95)} ms wall; ${f(r.cpuMs / r.wall.length)} ms CPU (main thread) per frame   goal ≤ 100 ms: ${p95 <= 100 ? 'met' : 'NOT met'} (p95)`,
    )
  }
  // Zoom in 4 steps (ctrl+wheel about the middle), then pan (a drag of 40 moves), then zoom out.
  /** Waits for the thinning redone after a zoom or pan came to rest. */
  const rethinned = (n: number) =>
    page.waitForFunction(
      ([sel, k]) => Number((globalThis as any).document.querySelector(sel)?.dataset.thins ?? 0) > k,
      [chartSel, n] as const,
    )
  await page.mouse.move(cx, cy)
  const b0 = await attr('thins')
  await page.keyboard.down('Control')
  const zoomIn = await frames(
    page,
    Array.from({ length: 6 }, () => () => page.mouse.wheel(0, -120)),
  )
  await page.keyboard.up('Control')
  await rethinned(b0)
  const before = await attr('thins')
  await page.mouse.down()
  const pan = await frames(
    page,
    Array.from({ length: 40 }, (_, i) => () => page.mouse.move(cx + 6 * Math.sin(i / 6) * 10, cy + 4 * i - 80)),
  )
  await page.mouse.up()
  await rethinned(before)
  console.log(
    `  re-thinned after the pan: ${(await attr('build-ms')).toFixed(0)} ms thinning, ${(await attr('draw-ms')).toFixed(0)} ms setOption, ${await attr('drawn')} markers drawn`,
  )
  await page.screenshot({ path: path.join(SCREENSHOTS, 'bench-large-100k-zoomed.png') })
  await page.mouse.move(cx, cy)
  await page.keyboard.down('Control')
  const zoomOut = await frames(
    page,
    Array.from({ length: 6 }, () => () => page.mouse.wheel(0, 120)),
  )
  await page.keyboard.up('Control')
  show('zoom in (ctrl+wheel)', zoomIn)
  show('pan (drag)', pan)
  show('zoom out (ctrl+wheel)', zoomOut)
}

async function main() {
  if (!existsSync(path.join(RENDERER, 'index.html')))
    throw new Error(`${RENDERER} is missing: run \`npm run build\` first`)
  const root = mkdtempSync(path.join(os.tmpdir(), 'sgdscope-bench-explorer-'))
  try {
    const project = await Project.create(path.join(root, 'bench.sgdscope'))
    let t0 = performance.now()
    const at = [
      ...Array.from({ length: 10 }, (_, i) => (i + 1) / 100),
      ...Array.from({ length: 20 }, (_, i) => Number((0.1 + (i + 1) * 0.02).toFixed(2))),
    ]
    if (process.argv.includes('--large')) {
      const big = await createRun(project, {
        kind: 'stochastic',
        name: 'large (1000 × 100)',
        nets: 1000,
        dim: 50,
        steps: 99 * 25,
        recordEvery: 25,
      })
      await trainRun(project, big.id, { workers: 1 })
      console.log(`100k run recorded in ${seconds(t0)} s (1000 vectors, 100 snapshots)`)
      const service = new Service({ host: 'browser', settings: new FileSettingsStore(path.join(root, 'config')) })
      await service.request('project.open', { dir: project.dir })
      const server = await startServer({ service, staticDir: RENDERER })
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
      try {
        const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage()
        await page.goto(server.url)
        await page.waitForSelector('main[data-route]:not([data-route="start"])')
        mkdirSync(SCREENSHOTS, { recursive: true })
        await largeCase(page, big.id)
      } finally {
        await browser.close()
        await server.close()
        await service.shutdown()
      }
      return
    }
    const fig1 = await createRun(project, {
      name: 'fig1-size (100 × 31)',
      nets: 100,
      hidden: 10,
      epochs: 0.5,
      probe: 100,
      trainSubset: 500,
      snapshots: { at },
    })
    await trainRun(project, fig1.id, { workers: os.availableParallelism() })
    console.log(`fig1-size run trained in ${seconds(t0)} s (100 networks, 31 snapshots)`)
    // --fig1: the fig1-size run alone (the fig5-size one is skipped).
    let fig5 = { id: '' }
    if (!process.argv.includes('--fig1')) {
      t0 = performance.now()
      fig5 = await createRun(project, {
        kind: 'stochastic',
        name: 'fig5-size (2 × 1001)',
        nets: 2,
        dim: 1000,
        steps: 200_000,
        recordEvery: 200,
      })
      await trainRun(project, fig5.id, { workers: 1 })
      console.log(`fig5-size run recorded in ${seconds(t0)} s (2 vectors, 1001 snapshots)`)
    }

    const service = new Service({ host: 'browser', settings: new FileSettingsStore(path.join(root, 'config')) })
    await service.request('project.open', { dir: project.dir })
    const server = await startServer({ service, staticDir: RENDERER })
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
    try {
      const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage()
      await page.goto(server.url)
      await page.waitForSelector('main[data-route]:not([data-route="start"])')
      mkdirSync(SCREENSHOTS, { recursive: true })

      const cases: [string, string, number[]][] = [
        [
          fig1.id,
          'fig1-size, 100 networks × 31 snapshots',
          [...Array.from({ length: 20 }, (_, i) => i + 1), ...Array.from({ length: 20 }, (_, i) => 19 - i)],
        ],
        [
          fig5.id,
          'fig5-size, 2 networks × 1001 snapshots',
          Array.from({ length: 40 }, (_, i) => (i < 20 ? (i + 1) * 25 : (39 - i) * 25)),
        ],
      ]
      for (const [run, name, positions] of cases) {
        if (!run) continue
        t0 = performance.now()
        await page.evaluate((h) => ((globalThis as any).location.hash = h), `#/run/${run}/paths`)
        await page.waitForFunction(
          (sel) =>
            Number(
              (globalThis as any).document.querySelector(`${sel} [data-testid="figure-chart"]`)?.dataset.renders ?? 0,
            ) > 0,
          PATHS,
          { timeout: 600_000 },
        )
        await page.waitForFunction(
          (sel) => !(globalThis as any).document.querySelector(`${sel} [data-testid="busy"]`),
          PATHS,
          { timeout: 600_000 },
        )
        const stats = await page.locator(`${PATHS} [data-testid="embed-stats"]`).innerText()
        console.log(`\n${name}: opened in ${seconds(t0)} s (${stats.trim()})`)
        await page.screenshot({
          path: path.join(SCREENSHOTS, `bench-${name.startsWith('fig1') ? 'fig1' : 'fig5'}-size.png`),
        })
        report(`${name}, coloured by epoch, points and lines`, await sweep(page, [...positions]))
        await page.selectOption(`${PATHS} [data-testid="color-by"]`, 'net')
        report(`${name}, coloured by network`, await sweep(page, [...positions]))
        await page.selectOption(`${PATHS} [data-testid="color-by"]`, 'epoch')
        if (name.startsWith('fig1')) {
          // fig2: fig1 with the first phase hidden.
          await page.locator(`${PATHS} [data-testid="window-from"]`).fill('11')
          await page.waitForTimeout(300)
          await page.screenshot({ path: path.join(SCREENSHOTS, 'bench-fig2-size.png') })
          await page.locator(`${PATHS} [data-testid="window-from"]`).fill('0')
          // The time slider over all 31 snapshots, forward and back, twice.
          // (Each position differs from the one before: a move to where the slider is draws nothing.)
          const scrub = [
            ...Array.from({ length: 30 }, (_, i) => i + 1),
            ...Array.from({ length: 30 }, (_, i) => 29 - i),
          ]
          await sweep(page, [0], 'time-range') // the first move is a full draw (the slider turns on)
          const samples = await sweep(page, [...scrub, ...scrub], 'time-range')
          const partial = await page
            .locator(`${PATHS} [data-testid="figure-chart"]`)
            .first()
            .getAttribute('data-partial')
          reportScrub(`${name}, time slider scrubbed (partial redraws: ${partial === '1' ? 'yes' : 'no'})`, samples)
          await page.screenshot({ path: path.join(SCREENSHOTS, 'bench-fig1-time-slider.png') })
          await page.selectOption(`${PATHS} [data-testid="color-by"]`, 'net')
          reportScrub(`${name}, time slider scrubbed, coloured by network`, await sweep(page, scrub, 'time-range'))
          await page.selectOption(`${PATHS} [data-testid="color-by"]`, 'epoch')
        }
      }
    } finally {
      await browser.close()
      await server.close()
      await service.shutdown()
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
