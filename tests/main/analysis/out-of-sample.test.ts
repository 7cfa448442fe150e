import { describe, expect, it } from 'vitest'
import { classicalMds } from '../../../src/main/analysis/classical'
import { inpca, minkowskiStress } from '../../../src/main/analysis/inpca'
import { landmarkMdsFromMatrix } from '../../../src/main/analysis/landmark'
import { BAD_PLACEMENT_RATIO, placeIntoFrozen } from '../../../src/main/analysis/out-of-sample'
import { pca } from '../../../src/main/analysis/pca'
import { procrustes } from '../../../src/main/analysis/procrustes'
import { smacof } from '../../../src/main/analysis/smacof'
import { kruskalStress } from '../../../src/main/analysis/stress'
import type { EmbeddingMethod } from '../../../src/main/analysis/types'
import { maxAbsDiff, naiveEuclidean, rng } from './helpers'

/** n points in d dimensions, axis spreads `spread` (row-major). */
function cloud(n: number, spread: number[], seed: number): Float64Array {
  const r = rng(seed)
  const d = spread.length
  return Float64Array.from({ length: n * d }, (_, t) => r.gauss() * spread[t % d]!)
}

/** The top-left m×m block of an n×n matrix. */
function block(D: Float64Array, n: number, m: number): Float64Array {
  const out = new Float64Array(m * m)
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[i * m + j] = D[i * n + j]!
  return out
}

const m = 50
const k = 12
const n = m + k
// Mostly planar, some spread off the plane: not exactly representable, as real paths.
const P = cloud(n, [6, 3, 0.8], 5)
const D = naiveEuclidean(P, n, 3)
const Dref = block(D, n, m)

describe('out-of-sample placement', () => {
  it('classical: a reference point placed out of sample returns its own coordinates (Gower)', () => {
    const ref = classicalMds(Dref, m)
    // New points are copies of reference points 3, 17 and 42.
    const copies = [3, 17, 42]
    const X = Float64Array.from({ length: (m + copies.length) * 3 }, (_, t) => {
      const i = Math.floor(t / 3)
      return P[(i < m ? i : copies[i - m]!) * 3 + (t % 3)]!
    })
    const Dc = naiveEuclidean(X, m + copies.length, 3)
    const r = placeIntoFrozen('classical', Dc, m + copies.length, m, ref.coords)
    copies.forEach((c, q) => {
      expect(r.coords[2 * (m + q)]).toBeCloseTo(ref.coords[2 * c]!, 6)
      expect(r.coords[2 * (m + q) + 1]).toBeCloseTo(ref.coords[2 * c + 1]!, 6)
    })
  })

  it('classical: new points of an exactly planar set land where classical MDS of them all puts them', () => {
    const Q = cloud(n, [5, 2], 9)
    const DQ = naiveEuclidean(Q, n, 2)
    const ref = classicalMds(block(DQ, n, m), m)
    const r = placeIntoFrozen('classical', DQ, n, m, ref.coords)
    // The reference map is the truth up to a rigid motion: carry the truth over and compare.
    const fit = procrustes(ref.coords, Q.subarray(0, 2 * m), m, { scale: false })
    expect(fit.residual).toBeLessThan(1e-8)
    const [r00, r01, r10, r11] = fit.rotation
    for (let p = m; p < n; p++) {
      const x = Q[2 * p]!
      const y = Q[2 * p + 1]!
      expect(r.coords[2 * p]).toBeCloseTo(x * r00 + y * r10 + fit.translation[0], 6)
      expect(r.coords[2 * p + 1]).toBeCloseTo(x * r01 + y * r11 + fit.translation[1], 6)
    }
    expect(r.addedStress).toBeLessThan(1e-8)
  })

  it('pca: Gower placement is the projection of the new points on the principal axes', () => {
    const d = 5
    const X = cloud(n, [4, 2, 1, 0.5, 0.2], 13)
    const ref = pca(Float32Array.from(X.subarray(0, m * d)), m, d)
    const X32 = Float32Array.from(X)
    const Dx = naiveEuclidean(X32, n, d)
    const r = placeIntoFrozen('pca', Dx, n, m, ref.coords)
    // Principal axes from the scores: u_a = Xcᵀ·s_a / ‖s_a‖².
    const mean = new Float64Array(d)
    for (let i = 0; i < m; i++) for (let t = 0; t < d; t++) mean[t]! += X32[i * d + t]! / m
    for (let a = 0; a < 2; a++) {
      const u = new Float64Array(d)
      let ss = 0
      for (let i = 0; i < m; i++) {
        const s = ref.coords[2 * i + a]!
        ss += s * s
        for (let t = 0; t < d; t++) u[t]! += (X32[i * d + t]! - mean[t]!) * s
      }
      for (let p = m; p < n; p++) {
        let proj = 0
        for (let t = 0; t < d; t++) proj += ((X32[p * d + t]! - mean[t]!) * u[t]!) / ss
        expect(r.coords[2 * p + a]).toBeCloseTo(proj, 4)
      }
    }
  })

  it('inpca: a reference point placed out of sample returns its own coordinates', () => {
    // A squared-distance-like D with a negative eigenvalue: D = Δx² − Δy² + noise.
    const Q = cloud(m + 2, [3, 1], 21)
    const nq = m + 2
    Q.set(Q.subarray(2 * 7, 2 * 8), 2 * m) // point m copies 7
    Q.set(Q.subarray(2 * 30, 2 * 31), 2 * (m + 1)) // point m+1 copies 30
    const DQ = new Float64Array(nq * nq)
    for (let i = 0; i < nq; i++)
      for (let j = 0; j < nq; j++) {
        const dx = Q[2 * i]! - Q[2 * j]!
        const dy = Q[2 * i + 1]! - Q[2 * j + 1]!
        DQ[i * nq + j] = Math.abs(dx * dx - 0.5 * dy * dy)
      }
    const ref = inpca(block(DQ, nq, m), m)
    for (const signs of [ref.axisSigns!, undefined]) {
      const r = placeIntoFrozen('inpca', DQ, nq, m, ref.coords, { axisSigns: signs })
      expect(maxAbsDiff(r.coords.subarray(2 * m, 2 * m + 2), ref.coords.subarray(14, 16))).toBeLessThan(1e-6)
      expect(maxAbsDiff(r.coords.subarray(2 * m + 2), ref.coords.subarray(60, 62))).toBeLessThan(1e-6)
      expect(r.referenceStress).toBeCloseTo(minkowskiStress(block(DQ, nq, m), ref.coords, ref.axisSigns!, m), 10)
    }
  })

  it.each<[EmbeddingMethod, (D: Float64Array, m: number) => Float64Array]>([
    ['classical', (D, m) => classicalMds(D, m).coords],
    ['landmark', (D, m) => landmarkMdsFromMatrix(D, m, { landmarks: 10 }).coords],
    ['smacof', (D, m) => smacof(D, m).coords],
  ])('%s: placing points never moves the reference points', (method, fit) => {
    const refCoords = fit(Dref, m)
    const before = refCoords.slice()
    const r = placeIntoFrozen(method, D, n, m, refCoords)
    expect(Array.from(r.coords.subarray(0, 2 * m))).toEqual(Array.from(before))
    expect(Array.from(refCoords)).toEqual(Array.from(before))
    // The reference's stress is the stress of the frozen map itself.
    expect(r.referenceStress).toBeCloseTo(kruskalStress(Dref, refCoords, m), 10)
  })

  it('smacof: majorisation over the new points never raises their stress and ends below Gower', () => {
    const ref = smacof(Dref, m)
    const gower = placeIntoFrozen('classical', D, n, m, ref.coords)
    const seen: number[] = []
    const r = placeIntoFrozen('smacof', D, n, m, ref.coords, { onIteration: (_, s) => seen.push(s) })
    expect(seen[0]).toBeCloseTo(gower.addedStress, 10)
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeLessThanOrEqual(seen[i - 1]! + 1e-15)
    expect(r.iterations).toBeGreaterThan(0)
    expect(r.addedStress).toBeLessThan(gower.addedStress)
    expect(r.addedStress).toBeCloseTo(seen[seen.length - 1]!, 10)
  })

  it('reports the stress of the added points apart: points far off the map are flagged as badly represented', () => {
    // Reference: an exactly planar set; added: points far along a third axis.
    const Q = new Float64Array(n * 3)
    const plane = cloud(m, [5, 3], 2)
    for (let i = 0; i < m; i++) Q.set([plane[2 * i]!, plane[2 * i + 1]!, 0], 3 * i)
    const off = cloud(k, [1, 1, 1], 3)
    for (let q = 0; q < k; q++) Q.set([off[3 * q]!, off[3 * q + 1]!, 20 + off[3 * q + 2]!], 3 * (m + q))
    const DQ = naiveEuclidean(Q, n, 3)
    const ref = classicalMds(block(DQ, n, m), m)
    for (const method of ['classical', 'smacof'] as const) {
      const r = placeIntoFrozen(method, DQ, n, m, ref.coords)
      expect(r.referenceStress).toBeLessThan(1e-8)
      expect(r.addedStress).toBeGreaterThan(0.1)
      expect(r.addedStress).toBeGreaterThan(BAD_PLACEMENT_RATIO * r.referenceStress)
    }
    // Points on the plane are well represented.
    const onPlane = placeIntoFrozen('classical', naiveEuclidean(cloud(n, [5, 3], 2), n, 2), n, m, ref.coords)
    expect(onPlane.addedStress).toBeLessThan(1e-8)
  })

  it('says what is wrong with bad input', () => {
    expect(() => placeIntoFrozen('classical', D, n, 0, new Float64Array(0))).toThrow(/m must be in 1\.\.n/)
    expect(() => placeIntoFrozen('classical', D, n, m, new Float64Array(4))).toThrow(/refCoords has 4 values/)
    expect(() => placeIntoFrozen('classical', D.subarray(1), n, m, new Float64Array(2 * m))).toThrow(/D has/)
  })
})
