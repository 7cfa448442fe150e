import { describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { createRun, trainRun } from '../../../src/main/experiments/runner'
import { embedPaths } from '../../../src/main/analysis/paths'
import { tempDir } from '../../helpers/tmp'

// fig6 in small: the same seeds (so the same networks at epoch 0), batch 1 against batch 10.
const BASE = {
  nets: 4,
  hidden: 10,
  epochs: 0.2,
  probe: 100,
  trainSubset: 500,
  snapshots: { at: [0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2] },
}

describe('Procrustes overlay of runs sharing seeds', async () => {
  const project = await Project.create(`${tempDir()}/procrustes.sgdscope`)
  const a = await createRun(project, BASE)
  await trainRun(project, a.id, { workers: 1 })
  const b = await createRun(project, { ...BASE, batch: 10, lr: 5 })
  await trainRun(project, b.id, { workers: 1 })

  it('starts from identical networks (the premise)', async () => {
    for (let k = 0; k < 4; k++) expect(Array.from(await b.readTau(k, 0))).toEqual(Array.from(await a.readTau(k, 0)))
  })

  it.each(['smacof', 'classical'] as const)('puts each network at epoch 0 on itself (%s)', async (method) => {
    const r = await embedPaths(project, { runs: [a.id, b.id], view: 'tau', method, align: 'procrustes' })
    const start = (run: number, k: number) => r.runs[run]!.nets[k]!.points[0]!
    // How far apart the four initial networks are: the scale "coincide" is measured on.
    let diameter = 0
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < i; j++)
        diameter = Math.max(diameter, Math.hypot(start(0, i).x - start(0, j).x, start(0, i).y - start(0, j).y))
    expect(diameter).toBeGreaterThan(0)
    for (let k = 0; k < 4; k++) {
      expect(start(0, k).epoch).toBe(0)
      expect(start(1, k).epoch).toBe(0)
      // Separate embeddings agree on these points only up to their own distortion (measured:
      // under 2 % of the spread for SMACOF, under 10 % for classical MDS's projection); aligned
      // on every (net, snapshot) pair they were 50-90 % of it apart.
      expect(Math.hypot(start(1, k).x - start(0, k).x, start(1, k).y - start(0, k).y)).toBeLessThan(0.15 * diameter)
    }
    // The later points still differ: the runs trained differently.
    const last = (run: number) => r.runs[run]!.nets[0]!.points.at(-1)!
    expect(Math.hypot(last(1).x - last(0).x, last(1).y - last(0).y)).toBeGreaterThan(0.05 * diameter)
  })
})
