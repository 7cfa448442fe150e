import { describe, expect, it } from 'vitest'
import {
  distanceToFinalMean,
  distanceToFinalMeanFromDistances,
  ensembleSpread,
} from '../../../src/main/analysis/metrics'
import { naiveEuclidean } from './helpers'

// Two networks, three snapshots, points in the plane (d = 2), net-major rows:
//   net 0: (0,0) → (3,4) → (3,5)
//   net 1: (0,6) → (3,0) → (5,5)
const X = Float32Array.from([0, 0, 3, 4, 3, 5, /**/ 0, 6, 3, 0, 5, 5])
const layout = { nets: 2, snapshots: 3 }
const n = 6
const D = naiveEuclidean(X, n, 2)

describe('ensemble metrics', () => {
  it('mean pairwise distance, mean step and their ratio per snapshot', () => {
    const s = ensembleSpread(D, n, layout)
    expect(Array.from(s.meanPairwise)).toEqual([6, 4, 2])
    expect(s.meanStep[0]).toBeNaN()
    // steps: net 0: 5, 1; net 1: √(9+36) = √45, √(4+25) = √29
    expect(s.meanStep[1]).toBeCloseTo((5 + Math.sqrt(45)) / 2, 12)
    expect(s.meanStep[2]).toBeCloseTo((1 + Math.sqrt(29)) / 2, 12)
    expect(s.stepToSpread[1]).toBeCloseTo((5 + Math.sqrt(45)) / 8, 12)
    expect(s.stepToSpread[0]).toBeNaN()
  })

  it('distance to the final mean, from the points and from the distances', () => {
    // final mean = ((3+5)/2, (5+5)/2) = (4, 5)
    const fromX = distanceToFinalMean(X, 2, layout)
    const expected = [Math.hypot(4, 5), Math.hypot(1, 1), 1, Math.hypot(4, 1), Math.hypot(1, 5), 1]
    expected.forEach((v, i) => expect(fromX.perPoint[i]).toBeCloseTo(v, 6))
    expect(fromX.mean[2]).toBeCloseTo(1, 6)
    expect(fromX.mean[0]).toBeCloseTo((Math.hypot(4, 5) + Math.hypot(4, 1)) / 2, 6)
    const fromD = distanceToFinalMeanFromDistances(D, n, layout)
    expected.forEach((v, i) => expect(fromD.perPoint[i]).toBeCloseTo(v, 9))
  })

  it('follows a custom layout (snapshot-major rows) and another final snapshot', () => {
    // the same points stored snapshot-major: row = snapshot·nets + net
    const order = [0, 3, 1, 4, 2, 5]
    const Y = new Float32Array(12)
    order.forEach((src, dst) => Y.set(X.subarray(2 * src, 2 * src + 2), 2 * dst))
    const snapMajor = { ...layout, index: (net: number, s: number) => s * 2 + net }
    const s = ensembleSpread(naiveEuclidean(Y, n, 2), n, snapMajor)
    expect(Array.from(s.meanPairwise)).toEqual([6, 4, 2])
    const mid = distanceToFinalMean(Y, 2, snapMajor, { finalSnapshot: 1 })
    // mean of snapshot 1 = (3, 2)
    expect(mid.perPoint[0]).toBeCloseTo(Math.hypot(3, 2), 6)
  })

  it('rejects layouts that do not fit', () => {
    expect(() => ensembleSpread(D, n, { nets: 3, snapshots: 3 })).toThrow(/outside/)
    expect(() => distanceToFinalMean(X, 2, layout, { finalSnapshot: 3 })).toThrow(/final snapshot/)
  })
})
