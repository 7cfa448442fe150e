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
