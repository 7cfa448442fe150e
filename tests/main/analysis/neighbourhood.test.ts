import { describe, expect, it } from 'vitest'
import { argsort, averageRanks, neighbourhoodScores, spearman } from '../../../src/main/analysis/neighbourhood'

/*
 * Reference values from scikit-learn 1.x and SciPy (continuity = trustworthiness with the roles swapped):
 *
 *   import numpy as np
 *   from sklearn.manifold import trustworthiness
 *   from scipy.stats import spearmanr
 *   from scipy.spatial.distance import pdist
 *   n = 60
 *   t = np.arange(n) * 0.37
 *   X = np.stack([np.cos(t), np.sin(t), 0.1 * t, np.sin(3.1 * t) * 0.3, np.cos(1.7 * t) * 0.2], axis=1)
 *   Y = np.stack([np.cos(t) + 0.05 * t, np.sin(2.0 * t) * 0.5 + 0.02 * t], axis=1)
 *   for k in (5, 10, 20):
 *       print(k, trustworthiness(X, Y, n_neighbors=k), trustworthiness(Y, X, n_neighbors=k))
 *   print(spearmanr(pdist(X), pdist(Y)).statistic)
 */
const SKLEARN = {
  trust: [0.7771153846153847, 0.7829213483146067, 0.7296892655367231],
  cont: [0.9265384615384615, 0.8920224719101124, 0.8174011299435029],
  rho: 0.4551556675121734,
}

function fixture() {
  const n = 60
  const d = 5
  const X = new Float64Array(n * d)
  const Y = new Float64Array(n * 2)
  for (let i = 0; i < n; i++) {
    const t = i * 0.37
    X.set([Math.cos(t), Math.sin(t), 0.1 * t, Math.sin(3.1 * t) * 0.3, Math.cos(1.7 * t) * 0.2], i * d)
    Y.set([Math.cos(t) + 0.05 * t, Math.sin(2.0 * t) * 0.5 + 0.02 * t], i * 2)
  }
  const D = new Float64Array(n * n)
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let k = 0; k < d; k++) s += (X[i * d + k]! - X[j * d + k]!) ** 2
      D[i * n + j] = Math.sqrt(s)
    }
  return { n, D, Y }
}

describe('neighbourhood scores', () => {
  it('equal scikit-learn’s trustworthiness, its role-swapped continuity, and SciPy’s Spearman ρ', () => {
    const { n, D, Y } = fixture()
    const s = neighbourhoodScores(D, Y, n)
    expect(s.k).toEqual([5, 10, 20])
    s.trustworthiness.forEach((v, a) => expect(v).toBeCloseTo(SKLEARN.trust[a]!, 12))
    s.continuity.forEach((v, a) => expect(v).toBeCloseTo(SKLEARN.cont[a]!, 12))
    expect(s.rankCorrelation).toBeCloseTo(SKLEARN.rho, 12)
    expect(s.pairs).toBe((n * (n - 1)) / 2)
  })

  it('are 1 for a picture that is the data itself, and NaN where k ≥ n/2', () => {
    const n = 30
    const Y = new Float64Array(n * 2)
    for (let i = 0; i < n; i++) Y.set([Math.cos(i * 0.9) * (1 + i / 7), Math.sin(i * 1.3) + i / 11], i * 2)
    const D = new Float64Array(n * n)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) D[i * n + j] = Math.hypot(Y[2 * i]! - Y[2 * j]!, Y[2 * i + 1]! - Y[2 * j + 1]!)
    const s = neighbourhoodScores(D, Y, n)
    expect(s.trustworthiness.slice(0, 2)).toEqual([1, 1])
    expect(s.continuity.slice(0, 2)).toEqual([1, 1])
    expect(s.trustworthiness[2]).toBeNaN() // k = 20 ≥ 30/2
    expect(s.rankCorrelation).toBeCloseTo(1, 12)
  })

  it('sample pairs deterministically above the limit', () => {
    const { n, D, Y } = fixture()
    const a = neighbourhoodScores(D, Y, n, { maxPairs: 500 })
    const b = neighbourhoodScores(D, Y, n, { maxPairs: 500 })
    expect(a.pairs).toBe(500)
    expect(a.rankCorrelation).toBe(b.rankCorrelation)
    expect(Math.abs(a.rankCorrelation - SKLEARN.rho)).toBeLessThan(0.15)
  })

  it('rank ties by their mean rank, as SciPy does', () => {
    // spearmanr([1,2,2,3,5,5,5,0], [1,3,2,4,4,6,5,1]).statistic
    expect(Array.from(averageRanks(Float64Array.from([3, 1, 3, 2])))).toEqual([3.5, 1, 3.5, 2])
    const r = spearman(Float64Array.from([1, 2, 2, 3, 5, 5, 5, 0]), Float64Array.from([1, 3, 2, 4, 4, 6, 5, 1]))
    expect(r).toBeCloseTo(0.94426332139381, 12)
  })

  it('name the array and its expected size on bad input', () => {
    expect(() => neighbourhoodScores(new Float64Array(8), new Float64Array(6), 3)).toThrow(
      /D has 8 values, expected n² = 9/,
    )
    expect(() => neighbourhoodScores(new Float64Array(9), new Float64Array(4), 3)).toThrow(/coords has 4 values/)
  })
})

describe('argsort', () => {
  it('sorts stably by value, negatives, zeros and ties included, above and below the radix threshold', () => {
    for (const m of [50, 5000]) {
      const v = Float64Array.from(
        { length: m },
        (_, q) => Math.round(Math.sin(q * 12.9898) * 40) / 4 - (q % 7 === 0 ? 1e-300 : 0),
      )
      v[3] = -0
      v[4] = 0
      v[5] = -1e300
      v[6] = 1e300
      const expected = Array.from({ length: m }, (_, q) => q).sort((a, b) => v[a]! - v[b]! || a - b)
      expect(Array.from(argsort(v))).toEqual(expected)
    }
  })
})
