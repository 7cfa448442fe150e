import { describe, expect, it } from 'vitest'
import { procrustes } from '../../../src/main/analysis/procrustes'
import { maxAbsDiff, randomPlane } from './helpers'

const n = 30
const A = randomPlane(n, 2)

function transform(P: Float64Array, R: number[], s: number, t: [number, number]): Float64Array {
  const out = new Float64Array(P.length)
  for (let i = 0; i < P.length / 2; i++) {
    const x = P[2 * i]!
    const y = P[2 * i + 1]!
    out[2 * i] = s * (x * R[0]! + y * R[2]!) + t[0]
    out[2 * i + 1] = s * (x * R[1]! + y * R[3]!) + t[1]
  }
  return out
}

describe('procrustes', () => {
  const th = 0.7
  const rotation = [Math.cos(th), Math.sin(th), -Math.sin(th), Math.cos(th)]
  const reflection = [Math.cos(th), Math.sin(th), Math.sin(th), -Math.cos(th)]

  it('undoes a rotation + reflection + scale + translation', () => {
    // B = A moved away; aligning B onto A must give back A exactly
    const B = transform(A, reflection, 2.5, [4, -1])
    const res = procrustes(A, B, n)
    expect(res.reflected).toBe(true)
    expect(res.residual).toBeLessThan(1e-12)
    expect(maxAbsDiff(res.coords, A)).toBeLessThan(1e-12)
    expect(res.scale).toBeCloseTo(1 / 2.5, 12)
    // the inverse of a reflection is itself
    reflection.forEach((v, i) => expect(res.rotation[i]).toBeCloseTo(v, 12))
  })

  it('recovers a pure rotation', () => {
    const B = transform(A, rotation, 1, [0, 0])
    const res = procrustes(A, B, n)
    expect(res.reflected).toBe(false)
    expect(res.scale).toBeCloseTo(1, 12)
    // inverse rotation = transpose
    ;[rotation[0], rotation[2], rotation[1], rotation[3]].forEach((v, i) => expect(res.rotation[i]).toBeCloseTo(v!, 12))
    expect(res.translation[0]).toBeCloseTo(0, 10)
  })

  it('without reflection returns the best rotation and a positive residual', () => {
    const B = transform(A, reflection, 1, [0, 0])
    const res = procrustes(A, B, n, { reflection: false })
    expect(res.reflected).toBe(false)
    const R = res.rotation
    expect(R[0] * R[3] - R[1] * R[2]).toBeCloseTo(1, 12)
    expect(res.residual).toBeGreaterThan(0.1)
  })

  it('without scale keeps sizes; without translation keeps the origin', () => {
    const B = transform(A, rotation, 3, [1, 2])
    const fixed = procrustes(A, B, n, { scale: false })
    expect(fixed.scale).toBe(1)
    expect(fixed.residual).toBeGreaterThan(0.5)
    const noT = procrustes(A, transform(A, rotation, 2, [0, 0]), n, { translation: false })
    expect(noT.translation).toEqual([0, 0])
    expect(noT.residual).toBeLessThan(1e-12)
  })
})
