/**
 * Per-point stress through the archive (issue 18 item 2): every embedded point carries its
 * share of the stress, the same numbers from the cache as fresh, and a point's true nearest
 * neighbours come on request, equal to those of the full distance matrix.
 */
import { describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/archive/project'
import { createRun, trainRun } from '../../../src/main/experiments/runner'
import { embedPaths, pointNeighbours } from '../../../src/main/analysis/paths'
import { euclideanDistances } from '../../../src/main/analysis/tau-distances'
import { classesOf, hammingDistances } from '../../../src/main/analysis/kappa-distances'
import { trueNeighbours } from '../../../src/main/analysis/neighbourhood'
import { pointStress } from '../../../src/main/analysis/stress'
import { tempDir } from '../../helpers/tmp'

const SMALL = { nets: 3, hidden: 16, epochs: 0.05, probe: 100, trainSubset: 1000, snapshots: { firstEpoch: 50 } }

describe('per-point stress of real runs', async () => {
  const project = await Project.create(`${tempDir()}/stress.sgdscope`)
  const a = await createRun(project, SMALL)
  await trainRun(project, a.id)
  const S = a.attrs.snapshots
  const n = 3 * S
  const [P, C] = a.attrs.pointShape as [number, number]
  const X = new Float32Array(n * P * C)
  for (let net = 0; net < 3; net++) for (let j = 0; j < S; j++) X.set(await a.readTau(net, j), (net * S + j) * P * C)
  const points = (r: Awaited<ReturnType<typeof embedPaths>>) => r.runs[0]!.nets.flatMap((x) => x.points)

  it('gives every point its share, the same numbers from the cache as fresh', async () => {
    // An odd number of points (the side entry is padded to n×2) and an even one.
    for (const nets of [
      [0, 1, 2],
      [0, 2],
    ]) {
      const q = { runs: [a.id], view: 'tau' as const, method: 'smacof' as const, nets }
      const fresh = await embedPaths(project, q)
      const again = await embedPaths(project, q)
      expect([fresh.cached, again.cached]).toEqual([false, true])
      const m = nets.length * S
      const Xs = new Float32Array(m * P * C)
      nets.forEach((net, k) => Xs.set(X.subarray(net * S * P * C, (net + 1) * S * P * C), k * S * P * C))
      const D = await euclideanDistances(Xs, m, P * C)
      const coords = Float64Array.from(points(fresh).flatMap((p) => [p.x, p.y]))
      const want = Array.from(pointStress(D, coords, m))
      expect(points(fresh).map((p) => p.stress)).toEqual(want)
      expect(points(again).map((p) => p.stress)).toEqual(want)
      expect(want.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5)
      expect(points(fresh).map((p) => p.snapshot)).toEqual(nets.flatMap(() => Array.from({ length: S }, (_, j) => j)))
    }
  })

  it("lists a point's true nearest neighbours: those of the full τ and κ distance matrices", async () => {
    const Dt = await euclideanDistances(X, n, P * C)
    const Dk = await hammingDistances(classesOf(X, n * P, C), n, P, C)
    const i = 1 * S + 2 // network 1, snapshot 2
    for (const [view, D] of [
      ['tau', Dt],
      ['kappa', Dk],
    ] as const) {
      const r = await pointNeighbours(
        project,
        { runs: [a.id], view, method: 'smacof' },
        { run: 0, net: 1, snapshot: 2 },
        6,
      )
      expect(r.point).toMatchObject({ run: 0, net: 1, snapshot: 2 })
      const want = trueNeighbours(D, n, i, 6)
      expect(r.neighbours.map((x) => x.net * S + x.snapshot)).toEqual(want)
      expect(r.neighbours.map((x) => x.distance)).toEqual(want.map((j) => expect.closeTo(D[i * n + j]!, 9)))
    }
  })

  it('names a point the view does not have', async () => {
    await expect(
      pointNeighbours(
        project,
        { runs: [a.id], view: 'tau', method: 'smacof', nets: [0] },
        { run: 0, net: 2, snapshot: 0 },
      ),
    ).rejects.toThrow(/no such point in this view: run .*, network 2, snapshot 0/)
  })
})
