/**
 * M-PHATE's multislice kernel against m_phate/kernel.py run in NumPy (graphtools' alpha-decay
 * kernel written out, since the package cannot be installed here) on a hand-checkable case:
 *
 *   X = [[[0,0],[1,0],[0,2]], [[0,1],[2,0],[0,2]]]   # 2 slices × 3 units × 2 features
 *   intraslice: knn clamped to n − 2 = 1, bandwidths 1, 1, 2 in slice 0 (1, 2, 2 in slice 1),
 *               K = (exp(−(d/ε)^5) + its transpose)/2, entries < 1e-4 dropped;
 *   interslice: unit distances across the slices 1, 1, 0 → medians 1, 1, 0 → σ = 2/3,
 *               exp(−(d/σ)²) = exp(−2.25) for units 0 and 1, 1 for unit 2.
 */
import { describe, expect, it } from 'vitest'
import { multisliceKernel, mphate, zscoreRows } from '../../../src/main/analysis/mphate'
import { diffusionOperator, diffusionPotential, toDense } from '../../../src/main/analysis/phate'

const X = [0, 0, 1, 0, 0, 2, 0, 1, 2, 0, 0, 2]

// From the NumPy script above.
const K_REF = [
  [1, 0.36787944117144233, 0.18393972058572117, 0.10539922456186433, 0, 0],
  [0.36787944117144233, 1, 0.08715428954441513, 0, 0.10539922456186433, 0],
  [0.18393972058572117, 0.08715428954441513, 1, 0, 0, 1],
  [0.10539922456186433, 0, 0, 1, 0.18393972058572117, 0.36787944117144233],
  [0, 0.10539922456186433, 0, 0.18393972058572117, 1, 0.01961776973051812],
  [0, 0, 1, 0.36787944117144233, 0.01961776973051812, 1],
]

describe('the multislice kernel', () => {
  it('equals m_phate/kernel.py on 3 units × 2 slices', () => {
    const { K, intersliceBandwidth } = multisliceKernel(X, 2, 3, 2)
    expect(intersliceBandwidth).toBeCloseTo(2 / 3, 15)
    const dense = toDense(K)
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) expect(dense[i * 6 + j]).toBeCloseTo(K_REF[i]![j]!, 14)
  })

  it('links slices only through a unit and itself, and its diffusion operator is row-stochastic', () => {
    const S = 4
    const U = 5
    const F = 3
    const data = Array.from({ length: S * U * F }, (_, q) => Math.sin(q * 1.7) + 0.1 * q)
    const { K } = multisliceKernel(zscoreRows(data, S * U, F), S, U, F)
    const dense = toDense(K)
    const n = S * U
    let interslice = 0
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const v = dense[i * n + j]!
        expect(v).toBeCloseTo(dense[j * n + i]!, 15) // symmetric
        const [si, ui, sj, uj] = [Math.floor(i / U), i % U, Math.floor(j / U), j % U]
        if (si !== sj && v > 0) {
          expect(ui).toBe(uj)
          interslice++
        }
      }
    expect(interslice).toBeGreaterThan(0)
    const P = toDense(diffusionOperator(K))
    for (let i = 0; i < n; i++) {
      let s = 0
      for (let j = 0; j < n; j++) {
        expect(P[i * n + j]).toBeGreaterThanOrEqual(0)
        s += P[i * n + j]!
      }
      expect(s).toBeCloseTo(1, 12)
    }
  })

  it('z-scores each row over its features (np.std, ddof 0); a constant row is only centred', () => {
    const z = zscoreRows([1, 2, 3, 5, 5, 5], 2, 3)
    const sd = Math.sqrt(2 / 3)
    expect(Array.from(z)).toEqual([-1 / sd, 0, 1 / sd, 0, 0, 0])
  })

  it('refuses bad parameters with the parameter named', () => {
    expect(() => multisliceKernel(X, 2, 3, 2, { intrasliceKnn: 0 })).toThrow(/intrasliceKnn must be a whole number/)
    expect(() => multisliceKernel(X, 2, 3, 2, { decay: -1 })).toThrow(/decay must be a positive number/)
    expect(() => multisliceKernel(X.slice(1), 2, 3, 2)).toThrow(/expected 2×3×2 values/)
  })
})

describe('M-PHATE', () => {
  it("uses gamma = 0's potential 2·√Pᵗ and embeds every (unit, slice)", async () => {
    // Two groups of units that drift apart over 6 slices.
    const S = 6
    const U = 8
    const F = 10
    const data: number[] = []
    for (let s = 0; s < S; s++)
      for (let u = 0; u < U; u++)
        for (let f = 0; f < F; f++) data.push(Math.sin(f * (u < 4 ? 1 : 2) + 0.05 * u + 0.2 * s * (u < 4 ? 1 : -1)))
    const seen: string[] = []
    let potential: Float64Array | undefined
    const r = await mphate(
      data,
      S,
      U,
      F,
      { t: 3 },
      {
        onProgress: (p) => seen.push(p.stage),
        distances: async (V, n) => {
          potential = V
          const { rowDistances } = await import('../../../src/main/analysis/phate')
          return rowDistances(V, n, n)
        },
      },
    )
    expect(r.diffusionTime).toBe(3)
    expect(r.coords).toHaveLength(2 * S * U)
    expect(Array.from(r.coords).every(Number.isFinite)).toBe(true)
    expect(new Set(seen)).toEqual(new Set(['kernel', 'potential', 'distances', 'embedding']))
    const { K } = multisliceKernel(zscoreRows(data, S * U, F), S, U, F)
    const log = diffusionPotential(diffusionOperator(K), 3, 1)
    const sqrt = diffusionPotential(diffusionOperator(K), 3, 0)
    for (let q = 0; q < sqrt.length; q += 37) {
      const pt = Math.exp(-log[q]!) - 1e-7
      expect(sqrt[q]).toBeCloseTo(2 * Math.sqrt(Math.max(0, pt)), 6)
      expect(potential![q]).toBe(sqrt[q])
    }
    // 'auto' picks t at the entropy's knee.
    const auto = await mphate(data, S, U, F)
    expect(auto.entropy).toHaveLength(100)
    expect(auto.diffusionTime).toBeGreaterThanOrEqual(1)
  })
})
