/**
 * Out-of-sample placement: new points put into a frozen 2-D embedding of reference points,
 * which never move. D is the distance matrix of all n points, the m reference points first
 * (rows/columns 0..m−1), then the n − m new ones; refCoords are the reference points' m×2
 * coordinates as the embedding method drew them.
 *
 * - classical, landmark, pca: Gower's formula (Gower 1968; the triangulation of landmark MDS,
 *   de Silva & Tenenbaum 2004). With c the mean of the reference coordinates, Xc = X − c,
 *   δ̄ᵢ the mean squared distance of reference i to the reference points and a the new point's
 *   squared distances to them: x = c + ½ (XcᵀXc)⁻¹ Xcᵀ (δ̄ − a). For a configuration that is
 *   exactly Euclidean this is the point's own position; for a reference point of a classical
 *   embedding (Xc = V·√Λ, XcᵀXc = Λ) it returns the point's coordinates; for PCA of the
 *   points themselves it is their projection on the principal axes. Only the coordinates
 *   are needed, never the eigenvectors.
 * - inpca: the same projection in Minkowski space (Quinn et al. 2019, the InPCA code's
 *   projection of new points): D is already squared-distance-like and each axis carries the
 *   sign of its eigenvalue, x_k = s_k ½ X_kᵀ(δ̄ − a) / ‖X_k‖².
 * - smacof: stress majorisation over the new points only (de Leeuw & Heiser's SMACOF with
 *   fixed points): σ = Σ over pairs with at least one new point of (dᵢⱼ − ‖yᵢ − zⱼ‖)², started
 *   from Gower's placement. With unit weights the majoriser's minimiser over the new points Y
 *   is Y = (1/n)(I + 11ᵀ/m)((B·[Y; X])_new + 1·Σᵢxᵢᵀ) (see `smacofPlace`); σ never increases.
 *
 * The stress of the added points is reported apart from the reference's, so that a picture
 * whose new points are badly represented can say so.
 */
import { minkowskiStress } from './inpca'
import { checkSquare } from './stress'
import { EMBEDDING_DIMS, type EmbeddingMethod } from './types'

export interface PlaceOptions {
  /**
   * How D becomes the squared distances Gower's formula needs: 'square' (D is Euclidean-like,
   * the default) or a factor for a D that is already squared-distance-like (InPCA's
   * Bhattacharyya distances: 1; κ distances of one-hot classes for PCA: 2·P, as the squared
   * Euclidean distance of one-hot rows is twice the number of images that differ).
   */
  squared?: 'square' | number
  /** SMACOF: maximum majorisation passes (default 300). */
  maxIter?: number
  /** SMACOF: stop when the added points' raw stress falls by less than eps (relative) per pass
   * on average over the last 10 passes (default 1e-6, as `smacof`). */
  eps?: number
  /** inpca: the signs of the reference's axes (+1 space-like, −1 time-like); default: the
   * signs whose Minkowski interval fits the reference's D best. */
  axisSigns?: number[]
  /** Called after every SMACOF pass with (pass, added stress-1). */
  onIteration?: (iteration: number, stress: number) => void
}

export interface Placement {
  /** All n points, n×2: the reference points' coordinates unchanged, then the placed ones. */
  coords: Float64Array
  /** Stress-1 over the pairs with at least one added point (Minkowski stress for inpca). */
  addedStress: number
  /** Stress-1 over the reference pairs, measured the same way. */
  referenceStress: number
  /** SMACOF passes made (0 for the projections). */
  iterations: number
  /** The axis signs the placement used (inpca; [1, 1] otherwise). */
  axisSigns: number[]
}

/** Added points whose stress exceeds the reference's by this factor are "badly represented". */
export const BAD_PLACEMENT_RATIO = 2

export function placeIntoFrozen(
  method: EmbeddingMethod,
  D: Float64Array,
  n: number,
  m: number,
  refCoords: Float64Array,
  opts: PlaceOptions = {},
): Placement {
  checkSquare(D, n, 'placeIntoFrozen')
  if (!Number.isInteger(m) || m < 1 || m > n) throw new Error(`placeIntoFrozen: m must be in 1..n (got ${m}, n = ${n})`)
  if (refCoords.length !== m * EMBEDDING_DIMS) {
    throw new Error(`placeIntoFrozen: refCoords has ${refCoords.length} values, expected m·2 = ${m * EMBEDDING_DIMS}`)
  }
  const minkowski = method === 'inpca'
  const squared = opts.squared ?? (minkowski ? 1 : 'square')
  const coords = new Float64Array(n * EMBEDDING_DIMS)
  coords.set(refCoords)
  const signs = minkowski ? (opts.axisSigns ?? axisSignsOf(D, n, m, coords)) : [1, 1]
  gowerPlace(D, n, m, coords, squared, signs)
  let iterations = 0
  if (method === 'smacof' && n > m) iterations = smacofPlace(D, n, m, coords, opts)
  const s = minkowski ? splitMinkowskiStress(D, n, m, coords, signs) : splitStress(D, n, m, coords)
  return { coords, ...s, iterations, axisSigns: signs }
}

/** Writes Gower's placement of points m..n−1 into coords (whose first m rows are the reference). */
function gowerPlace(
  D: Float64Array,
  n: number,
  m: number,
  coords: Float64Array,
  squared: 'square' | number,
  signs: number[],
): void {
  const sq = squared === 'square' ? (v: number) => v * v : (v: number) => v * squared
  // δ̄: mean squared distance of each reference point to the reference points.
  const meanSq = new Float64Array(m)
  for (let i = 0; i < m; i++) {
    let s = 0
    for (let j = 0; j < m; j++) s += sq(D[i * n + j]!)
    meanSq[i] = s / m
  }
  let cx = 0
  let cy = 0
  for (let i = 0; i < m; i++) {
    cx += coords[2 * i]!
    cy += coords[2 * i + 1]!
  }
  cx /= m
  cy /= m
  // G = XcᵀXc (2×2).
  let g00 = 0
  let g01 = 0
  let g11 = 0
  for (let i = 0; i < m; i++) {
    const x = coords[2 * i]! - cx
    const y = coords[2 * i + 1]! - cy
    g00 += x * x
    g01 += x * y
    g11 += y * y
  }
  // Inverse of G on the axes that carry something (a degenerate axis stays at the centre).
  let i00 = 0
  let i01 = 0
  let i11 = 0
  const det = g00 * g11 - g01 * g01
  const scale = Math.max(g00, g11)
  if (scale > 0 && Math.abs(det) > 1e-12 * scale * scale) {
    i00 = g11 / det
    i01 = -g01 / det
    i11 = g00 / det
  } else if (scale > 0) {
    // Rank one: project on the one axis.
    if (g00 >= g11) i00 = 1 / g00
    else i11 = 1 / g11
  }
  for (let p = m; p < n; p++) {
    let ux = 0
    let uy = 0
    const row = p * n
    for (let i = 0; i < m; i++) {
      const r = meanSq[i]! - sq(D[row + i]!)
      ux += (coords[2 * i]! - cx) * r
      uy += (coords[2 * i + 1]! - cy) * r
    }
    coords[2 * p] = cx + 0.5 * signs[0]! * (i00 * ux + i01 * uy)
    coords[2 * p + 1] = cy + 0.5 * signs[1]! * (i01 * ux + i11 * uy)
  }
}

/**
 * The sign of each InPCA axis, recovered from the reference alone: an axis is time-like when
 * the Minkowski interval fits the reference's D better with it counted negative. (The cached
 * coordinates do not keep the eigenvalues' signs.)
 */
function axisSignsOf(D: Float64Array, n: number, m: number, coords: Float64Array): number[] {
  const candidates = [
    [1, 1],
    [1, -1],
    [-1, 1],
    [-1, -1],
  ]
  let best = candidates[0]!
  let bestErr = Infinity
  const step = Math.max(1, Math.floor(m / 400)) // a sample of the pairs is enough to tell
  for (const s of candidates) {
    let err = 0
    for (let i = 0; i < m; i += step) {
      for (let j = i + 1; j < m; j += step) {
        const dx = coords[2 * i]! - coords[2 * j]!
        const dy = coords[2 * i + 1]! - coords[2 * j + 1]!
        err += (D[i * n + j]! - s[0]! * dx * dx - s[1]! * dy * dy) ** 2
      }
    }
    if (err < bestErr) {
      bestErr = err
      best = s
    }
  }
  return best
}

/**
 * SMACOF over the new points Y with the reference X fixed, unit weights on all pairs. The
 * majoriser's stationarity condition is V₁₁Y = (B(W)W)₁ − V₁₂X with V₁₁ = nI − 11ᵀ (k×k) and
 * V₁₂ = −1 (k×m), and V₁₁⁻¹ = (1/n)(I + 11ᵀ/m) (Sherman–Morrison). Pairs among reference
 * points are constant and left out. Returns the passes made.
 */
function smacofPlace(D: Float64Array, n: number, m: number, coords: Float64Array, opts: PlaceOptions): number {
  const maxIter = opts.maxIter ?? 300
  const eps = opts.eps ?? 1e-6
  const k = n - m
  let sx = 0
  let sy = 0
  for (let i = 0; i < m; i++) {
    sx += coords[2 * i]!
    sy += coords[2 * i + 1]!
  }
  let norm = 0
  for (let p = m; p < n; p++) for (let j = 0; j < p; j++) norm += D[p * n + j]! ** 2
  if (norm === 0) return 0
  const R = new Float64Array(2 * k)
  const history: number[] = []
  let passes = 0
  let sigma = addedRaw(D, n, m, coords)
  history.push(sigma)
  opts.onIteration?.(0, Math.sqrt(sigma / norm))
  const next = new Float64Array(2 * k)
  while (passes < maxIter && sigma > 0) {
    // R = (B(W)W)_new + ΣX: Σⱼ rₚⱼ(yₚ − zⱼ) over every other point j, plus the reference sum.
    R.fill(0)
    for (let p = m; p < n; p++) {
      const q = p - m
      const yx = coords[2 * p]!
      const yy = coords[2 * p + 1]!
      const row = p * n
      let ax = sx
      let ay = sy
      for (let j = 0; j < n; j++) {
        if (j === p) continue
        const dx = yx - coords[2 * j]!
        const dy = yy - coords[2 * j + 1]!
        const dh = Math.sqrt(dx * dx + dy * dy)
        if (dh > 0) {
          const r = D[row + j]! / dh
          ax += r * dx
          ay += r * dy
        }
      }
      R[2 * q] = ax
      R[2 * q + 1] = ay
    }
    let tx = 0
    let ty = 0
    for (let q = 0; q < k; q++) {
      tx += R[2 * q]!
      ty += R[2 * q + 1]!
    }
    for (let q = 0; q < k; q++) {
      next[2 * q] = (R[2 * q]! + tx / m) / n
      next[2 * q + 1] = (R[2 * q + 1]! + ty / m) / n
    }
    const old = coords.slice(2 * m)
    coords.set(next, 2 * m)
    const s = addedRaw(D, n, m, coords)
    passes++
    if (s > sigma) {
      coords.set(old, 2 * m) // round-off at convergence: keep the better configuration
      break
    }
    sigma = s
    history.push(sigma)
    opts.onIteration?.(passes, Math.sqrt(sigma / norm))
    const h = history.length - 1
    if (h >= 10 && history[h - 10]! - sigma < 10 * eps * history[h - 10]!) break
  }
  return passes
}

/** Raw stress over the pairs with at least one new point. */
function addedRaw(D: Float64Array, n: number, m: number, coords: Float64Array): number {
  let s = 0
  for (let p = m; p < n; p++) {
    const row = p * n
    for (let j = 0; j < p; j++) {
      const dx = coords[2 * p]! - coords[2 * j]!
      const dy = coords[2 * p + 1]! - coords[2 * j + 1]!
      const e = D[row + j]! - Math.sqrt(dx * dx + dy * dy)
      s += e * e
    }
  }
  return s
}

function splitStress(D: Float64Array, n: number, m: number, coords: Float64Array) {
  let refNum = 0
  let refDen = 0
  let addNum = 0
  let addDen = 0
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = coords[2 * i]! - coords[2 * j]!
      const dy = coords[2 * i + 1]! - coords[2 * j + 1]!
      const dij = D[i * n + j]!
      const e = (dij - Math.sqrt(dx * dx + dy * dy)) ** 2
      if (j < m) {
        refNum += e
        refDen += dij * dij
      } else {
        addNum += e
        addDen += dij * dij
      }
    }
  }
  return {
    addedStress: addDen > 0 ? Math.sqrt(addNum / addDen) : 0,
    referenceStress: refDen > 0 ? Math.sqrt(refNum / refDen) : 0,
  }
}

function splitMinkowskiStress(D: Float64Array, n: number, m: number, coords: Float64Array, signs: number[]) {
  // The reference's own Minkowski stress, and the added pairs' (all pairs minus the reference's).
  const ref = new Float64Array(m * m)
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) ref[i * m + j] = D[i * n + j]!
  const referenceStress = minkowskiStress(ref, coords.subarray(0, 2 * m), signs, m)
  let num = 0
  let den = 0
  for (let p = m; p < n; p++) {
    for (let j = 0; j < p; j++) {
      const dx = coords[2 * p]! - coords[2 * j]!
      const dy = coords[2 * p + 1]! - coords[2 * j + 1]!
      const dij = D[p * n + j]!
      num += (dij - signs[0]! * dx * dx - signs[1]! * dy * dy) ** 2
      den += dij * dij
    }
  }
  return { addedStress: den > 0 ? Math.sqrt(num / den) : 0, referenceStress }
}
