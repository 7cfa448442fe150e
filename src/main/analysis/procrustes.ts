/**
 * Orthogonal Procrustes in the plane: the similarity transform b ↦ s·b·R + t (R orthogonal,
 * a rotation or, if allowed, a reflection; s > 0 uniform scale; t translation) that brings
 * configuration B closest to A in least squares. Closed form through the 2×2 cross-covariance
 * M = B̃ᵀÃ of the centred configurations: the best rotation attains
 * tr(RᵀM) = √((m₀₀+m₁₁)² + (m₀₁−m₁₀)²), the best reflection √((m₀₀−m₁₁)² + (m₀₁+m₁₀)²); in
 * terms of the singular values of M these are σ₁ + σ₂ and σ₁ − σ₂, swapped when det M < 0, so
 * this is exactly the SVD solution R = UVᵀ. The larger gain wins (if reflections are allowed);
 * then s = gain / ‖B̃‖² and t = ā − s·b̄·R.
 */
import { EMBEDDING_DIMS } from './types'

export interface ProcrustesOptions {
  /** Allow reflections (default true: MDS axes have arbitrary signs). */
  reflection?: boolean
  /** Fit a uniform scale s (default true); otherwise s = 1. */
  scale?: boolean
  /** Fit a translation (default true); otherwise both are used uncentred and t = 0. */
  translation?: boolean
}

export interface ProcrustesResult {
  /** B transformed onto A, n×2. */
  coords: Float64Array
  /** R row-major [r00, r01, r10, r11]; points are row vectors, b ↦ s·b·R + t. */
  rotation: [number, number, number, number]
  reflected: boolean
  scale: number
  translation: [number, number]
  /** Σᵢ ‖aᵢ − b'ᵢ‖². */
  residualSumOfSquares: number
  /**
   * sqrt(residualSumOfSquares / Σᵢ ‖aᵢ − ā‖²) (ā = 0 without translation): 0 for a perfect fit,
   * 1 for no better than collapsing B onto A's centroid; scale-free.
   */
  residual: number
}

export function procrustes(
  A: Float64Array,
  B: Float64Array,
  n: number,
  opts: ProcrustesOptions = {},
): ProcrustesResult {
  const dims = EMBEDDING_DIMS
  if (A.length !== n * dims || B.length !== n * dims) {
    throw new Error(`procrustes: A and B must both be n×2 (n = ${n}), got ${A.length} and ${B.length} values`)
  }
  const allowReflection = opts.reflection ?? true
  const fitScale = opts.scale ?? true
  const translate = opts.translation ?? true
  const ca = translate ? centroid(A, n) : [0, 0]
  const cb = translate ? centroid(B, n) : [0, 0]
  let m00 = 0,
    m01 = 0,
    m10 = 0,
    m11 = 0
  let bb = 0
  let aa = 0
  for (let i = 0; i < n; i++) {
    const ax = A[2 * i]! - ca[0]!
    const ay = A[2 * i + 1]! - ca[1]!
    const bx = B[2 * i]! - cb[0]!
    const by = B[2 * i + 1]! - cb[1]!
    m00 += bx * ax
    m01 += bx * ay
    m10 += by * ax
    m11 += by * ay
    bb += bx * bx + by * by
    aa += ax * ax + ay * ay
  }
  // Rotation R(θ) = [[cos θ, sin θ], [−sin θ, cos θ]] acting on row vectors (b·R):
  // tr(RᵀM) = (m00 + m11) cos θ + (m01 − m10) sin θ.
  const rotGain = Math.hypot(m00 + m11, m01 - m10)
  // Reflection F(θ) = [[cos θ, sin θ], [sin θ, −cos θ]]: tr(FᵀM) = (m00 − m11) cos θ + (m01 + m10) sin θ.
  const refGain = Math.hypot(m00 - m11, m01 + m10)
  let R: [number, number, number, number]
  let gain: number
  let reflected = false
  if (allowReflection && refGain > rotGain) {
    const th = Math.atan2(m01 + m10, m00 - m11)
    R = [Math.cos(th), Math.sin(th), Math.sin(th), -Math.cos(th)]
    gain = refGain
    reflected = true
  } else {
    const th = Math.atan2(m01 - m10, m00 + m11)
    R = [Math.cos(th), Math.sin(th), -Math.sin(th), Math.cos(th)]
    gain = rotGain
  }
  const s = fitScale ? (bb > 0 ? gain / bb : 1) : 1
  const t: [number, number] = [
    ca[0]! - s * (cb[0]! * R[0] + cb[1]! * R[2]),
    ca[1]! - s * (cb[0]! * R[1] + cb[1]! * R[3]),
  ]
  const coords = new Float64Array(n * dims)
  let rss = 0
  for (let i = 0; i < n; i++) {
    const bx = B[2 * i]!
    const by = B[2 * i + 1]!
    const x = s * (bx * R[0] + by * R[2]) + t[0]
    const y = s * (bx * R[1] + by * R[3]) + t[1]
    coords[2 * i] = x
    coords[2 * i + 1] = y
    rss += (A[2 * i]! - x) ** 2 + (A[2 * i + 1]! - y) ** 2
  }
  return {
    coords,
    rotation: R,
    reflected,
    scale: s,
    translation: t,
    residualSumOfSquares: rss,
    residual: aa > 0 ? Math.sqrt(rss / aa) : Math.sqrt(rss),
  }
}

function centroid(P: Float64Array, n: number): [number, number] {
  let x = 0
  let y = 0
  for (let i = 0; i < n; i++) {
    x += P[2 * i]!
    y += P[2 * i + 1]!
  }
  return n > 0 ? [x / n, y / n] : [0, 0]
}
