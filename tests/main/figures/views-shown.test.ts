/**
 * A view's shown selection (look.epochWindow, look.nets: what the app filters on the
 * client) is drawn by the exporter from the full embedding, like the screen does.
 */
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { createRun, trainRun } from '../../../src/main/experiments/runner'
import { renderView, type ViewToRender } from '../../../src/main/figures/views'
import { FigureLook } from '../../../src/shared/api/contract'
import { tempDir } from '../../helpers/tmp'

let project: Project
let runId: string

beforeAll(async () => {
  project = await Project.create(path.join(tempDir(), 'shown.sgdscope'))
  const run = await createRun(project, { kind: 'stochastic', nets: 4, dim: 30, steps: 600, recordEvery: 60 })
  expect(await trainRun(project, run.id, { workers: 0 })).toBe('complete')
  runId = run.id
})

const circles = (svg: string) => (svg.match(/<path d="M[^"]*A/g) ?? []).length + (svg.match(/<circle/g) ?? []).length

describe('rendering a view', () => {
  it('shows only the look’s epoch window and networks, from the embedding of everything', async () => {
    const base: ViewToRender = {
      kind: 'paths',
      query: { runs: [runId], view: 'tau', method: 'classical' },
      look: FigureLook.parse({ lines: false }),
    }
    const all = String((await renderView(project, base, 'svg')).content)
    const shown = { ...base, look: { ...base.look, epochWindow: [10, null], nets: [0, 1] } as FigureLook }
    const some = String((await renderView(project, shown, 'svg')).content)
    expect(circles(all)).toBeGreaterThan(0)
    // 4 nets × 11 snapshots (epochs 0, 2, …, 20: steps / dim) against 2 nets × 6.
    expect(circles(some) / circles(all)).toBeCloseTo(12 / 44, 1)
    // Shown from the same (full) embedding: the caption's stress is the full embedding's.
    const stress = (svg: string) => /stress (\d\.\d{3})/.exec(svg)?.[1]
    expect(stress(some)).toBe(stress(all))
  })
})

describe('a zoomed view', () => {
  it('exports its region (what the screen shows): axes over the region, points outside it clipped', async () => {
    const base: ViewToRender = {
      kind: 'paths',
      query: { runs: [runId], view: 'tau', method: 'classical' },
      look: FigureLook.parse({ lines: false }),
    }
    const { buildFigure } = await import('../../../src/shared/figures/registry')
    const { resolveStyle } = await import('../../../src/shared/figures/style')
    const { embedPaths } = await import('../../../src/main/analysis/paths')
    const data = await embedPaths(project, base.query)
    const xs = data.runs[0]!.nets.flatMap((n) => n.points.map((p) => p.x))
    const ys = data.runs[0]!.nets.flatMap((n) => n.points.map((p) => p.y))
    // The middle third of the map on both axes.
    const third = (v: number[]): [number, number] => {
      const lo = Math.min(...v)
      const hi = Math.max(...v)
      return [lo + (hi - lo) / 3, lo + (2 * (hi - lo)) / 3]
    }
    const region = { x: third(xs), y: third(ys) }
    const { option } = buildFigure('paths', data, resolveStyle('paper', { widthIn: 3.5 }), { region })
    const x = (option.xAxis as { min: number; max: number }[])[0]!
    const y = (option.yAxis as { min: number; max: number }[])[0]!
    // One scale on both axes: the region is inside the axes, one of them exactly.
    expect(x.min).toBeLessThanOrEqual(region.x[0] + 1e-9)
    expect(x.max).toBeGreaterThanOrEqual(region.x[1] - 1e-9)
    expect(y.min).toBeLessThanOrEqual(region.y[0] + 1e-9)
    expect(y.max).toBeGreaterThanOrEqual(region.y[1] - 1e-9)
    expect(Math.min(x.max - x.min, y.max - y.min)).toBeLessThan(
      Math.max(...xs) - Math.min(...xs) + Math.max(...ys) - Math.min(...ys),
    )
    expect((option.series as { clip?: boolean }[]).every((s) => s.clip === true)).toBe(true)
    // The saved view's look.zoom is that region in the export.
    const all = String((await renderView(project, base, 'svg')).content)
    const zoomed = String(
      (await renderView(project, { ...base, look: FigureLook.parse({ ...base.look, zoom: region }) }, 'svg')).content,
    )
    expect(circles(zoomed)).toBeGreaterThan(0)
    expect(circles(zoomed)).toBeLessThan(circles(all))
  })
})
