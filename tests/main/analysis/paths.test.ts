import { describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { createRun, trainRun } from '../../../src/main/experiments/runner'
import { embedPaths, runMetrics } from '../../../src/main/analysis/paths'
import { tempDir } from '../../helpers/tmp'
import { renderView } from '../../../src/main/figures/views'
import { FigureLook } from '../../../src/shared/api/contract'
import { euclideanDistances } from '../../../src/main/analysis/tau-distances'
import { neighbourhoodScores } from '../../../src/main/analysis/neighbourhood'

const SMALL = { nets: 3, hidden: 16, epochs: 0.05, probe: 100, trainSubset: 1000, snapshots: { firstEpoch: 50 } }

describe('paths of real runs', async () => {
  const project = await Project.create(`${tempDir()}/paths.sgdscope`)
  const a = await createRun(project, SMALL)
  await trainRun(project, a.id)
  const b = await createRun(project, SMALL) // same spec: the same paths
  await trainRun(project, b.id)
  const S = a.attrs.snapshots

  it('embeds every (net, snapshot) in order, caches the embedding in the archive', async () => {
    const first = await embedPaths(project, { runs: [a.id], view: 'tau', method: 'smacof' })
    expect(first.cached).toBe(false)
    expect(first.points).toBe(3 * S)
    expect(first.runs[0].nets.map((n) => n.net)).toEqual([0, 1, 2])
    const pts = first.runs[0].nets[1].points
    expect(pts.map((p) => p.epoch)).toEqual(Array.from((await a.readTimes()).epochs))
    expect(pts[0].testError).toBeGreaterThan(0.5)
    expect(first.stress).toBeGreaterThanOrEqual(0)
    expect(first.stress).toBeLessThan(0.3)
    const again = await embedPaths(project, { runs: [a.id], view: 'tau', method: 'smacof' })
    expect(again.cached).toBe(true)
    expect(again.runs).toEqual(first.runs)
    expect(again.stress).toBeCloseTo(first.stress!, 12)
    expect(first.fit).toEqual({ name: 'stress-1', value: first.stress })
    // The neighbourhood scores are those of the τ distances against the returned picture, and survive the cache.
    const X = new Float32Array(3 * S * a.attrs.pointShape[0]! * a.attrs.pointShape[1]!)
    const d = X.length / (3 * S)
    for (let net = 0; net < 3; net++) for (let j = 0; j < S; j++) X.set(await a.readTau(net, j), (net * S + j) * d)
    const D = await euclideanDistances(X, 3 * S, d)
    const coords = Float64Array.from(first.runs[0].nets.flatMap((n) => n.points.flatMap((p) => [p.x, p.y])))
    expect(first.neighbourhood).toEqual(neighbourhoodScores(D, coords, 3 * S))
    expect(again.neighbourhood).toEqual(first.neighbourhood)
    // The Shepard data are the τ distances and the picture's, pair by pair; cached too.
    const n = 3 * S
    expect(first.shepard!.pairs).toBe((n * (n - 1)) / 2)
    expect(first.shepard!.points![0]).toBe(D[1])
    expect(first.shepard!.points![2 * (n - 1)]).toBe(D[n + 2]) // pair (1, 2)
    expect(again.shepard).toEqual(first.shepard)
    const svg = await renderView(
      project,
      { kind: 'shepard', query: { runs: [a.id], view: 'tau', method: 'smacof' }, look: FigureLook.parse({}) },
      'svg',
    )
    expect(String(svg.content)).toContain('embedded distance')
  })

  it('embeds in a worker thread: progress arrives and this thread stays free meanwhile', async () => {
    const stages = new Set<string>()
    let ticks = 0
    const timer = setInterval(() => ticks++, 1)
    const r = await embedPaths(
      project,
      { runs: [a.id, b.id], view: 'tau', method: 'smacof', options: { eps: 1e-12, maxIter: 300 } },
      (p) => stages.add(p.stage),
    )
    clearInterval(timer)
    expect(r.cached).toBe(false)
    expect([...stages]).toEqual(expect.arrayContaining(['reading', 'distances', 'embedding']))
    expect(ticks).toBeGreaterThan(0)
  })

  it('selects an epoch window and a network subset', async () => {
    const r = await embedPaths(project, {
      runs: [a.id],
      view: 'kappa',
      method: 'classical',
      nets: [0, 2],
      epochs: [0.01, null],
    })
    expect(r.runs[0].nets.map((n) => n.net)).toEqual([0, 2])
    for (const n of r.runs[0].nets) for (const p of n.points) expect(p.epoch).toBeGreaterThanOrEqual(0.01 - 1e-9)
    expect(r.points).toBe(2 * (S - 1)) // the window drops snapshots 0 (epoch 0) only
  })

  it('joint embedding of identical runs puts their points on top of each other; Procrustes aligns separate ones', async () => {
    const joint = await embedPaths(project, { runs: [a.id, b.id], view: 'tau', method: 'classical' })
    const [ra, rb] = joint.runs
    for (let k = 0; k < 3; k++)
      for (let j = 0; j < S; j++) {
        expect(rb.nets[k].points[j].x).toBeCloseTo(ra.nets[k].points[j].x, 4)
        expect(rb.nets[k].points[j].y).toBeCloseTo(ra.nets[k].points[j].y, 4)
      }
    const aligned = await embedPaths(project, {
      runs: [a.id, b.id],
      view: 'tau',
      method: 'smacof',
      align: 'procrustes',
    })
    for (let k = 0; k < 3; k++)
      for (let j = 0; j < S; j++)
        expect(aligned.runs[1].nets[k].points[j].x).toBeCloseTo(aligned.runs[0].nets[k].points[j].x, 4)
  })

  it('pca, inpca, t-SNE, UMAP and PHATE run on τ; κ works with pca, t-SNE, UMAP and PHATE', async () => {
    for (const method of ['pca', 'inpca', 'landmark', 'tsne', 'umap', 'phate'] as const) {
      const r = await embedPaths(project, { runs: [a.id], view: 'tau', method })
      expect(r.points).toBe(3 * S)
      expect(r.runs[0].nets[0].points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))).toBe(true)
    }
    for (const method of ['tsne', 'umap', 'phate'] as const) {
      const r = await embedPaths(project, { runs: [a.id], view: 'kappa', method, options: { maxIter: 300, seed: 3 } })
      // Neighbourhood methods are judged by their neighbourhoods (k = 10 needs n > 20).
      expect(r.fit?.name).toBe(3 * S > 20 ? 'trustworthiness (k = 10)' : 'stress-1')
      expect(r.neighbourhood?.trustworthiness[0]).toBeGreaterThan(0.5)
      const again = await embedPaths(project, {
        runs: [a.id],
        view: 'kappa',
        method,
        options: { maxIter: 300, seed: 3 },
      })
      expect(again.cached).toBe(true)
      // PHATE's chosen t is reported, and survives the cache.
      if (method === 'phate') {
        expect(Number.isInteger(r.diffusionTime)).toBe(true)
        expect(r.diffusionTime).toBeGreaterThanOrEqual(1)
        expect(again.diffusionTime).toBe(r.diffusionTime)
      } else expect(r.diffusionTime).toBeUndefined()
    }
    const k = await embedPaths(project, { runs: [a.id], view: 'kappa', method: 'pca' })
    expect(k.points).toBe(3 * S)
    expect(k.fit?.name).toBe('explained variance')
    expect(k.fit!.value).toBeGreaterThan(0)
    expect(k.fit!.value).toBeLessThanOrEqual(1)
    // InPCA needs class probabilities: κ has none, and says so.
    await expect(embedPaths(project, { runs: [a.id], view: 'kappa', method: 'inpca' })).rejects.toThrow(
      /InPCA embeds Bhattacharyya distances between class probabilities/,
    )
  }, 400_000)

  it('derives the ensemble metrics per snapshot', async () => {
    const { data, derived } = await runMetrics(project, a.id, 'tau')
    expect(data.runs[0].series.map((s) => s.name)).toEqual(['train_loss', 'train_error', 'test_loss', 'test_error'])
    expect(data.runs[0].series[3].perNet).toHaveLength(3)
    expect(derived.epochs).toHaveLength(S)
    expect(Number.isNaN(derived.meanStep[0])).toBe(true)
    for (let j = 1; j < S; j++) {
      expect(derived.meanPairwise[j]).toBeGreaterThan(0)
      expect(derived.stepToSpread[j]).toBeCloseTo(derived.meanStep[j] / derived.meanPairwise[j], 12)
    }
    // Networks move towards the ensemble's final mean.
    const dm = derived.distanceToFinalMean!
    expect(dm[S - 1]).toBeLessThan(dm[0])
    const kappa = await runMetrics(project, a.id, 'kappa')
    for (const x of kappa.derived.meanPairwise.slice(1)) expect(x).toBeLessThanOrEqual(1)
  })
})
