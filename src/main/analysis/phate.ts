/**
 * PHATE (Moon et al., Nature Biotechnology 2019) from a precomputed distance matrix, following
 * the reference implementation (KrishnaswamyLab/PHATE phate/phate.py, vne.py, mds.py, and
 * graphtools' TraditionalGraph for `knn_dist="precomputed_distance"`):
 *
 * - Kernel: each point's bandwidth εᵢ is its distance to its knn-th nearest other point
 *   (graphtools takes the largest of the knn + 1 smallest entries of the row, the point itself
 *   included); Kᵢⱼ = exp(−(dᵢⱼ/εᵢ)^decay), entries below thresh = 1e-4 dropped, then
 *   symmetrised K ← (K + Kᵀ)/2. knn is at most n − 2, as graphtools clamps it.
 * - Diffusion operator: P = K row-normalised (row-stochastic).
 * - t: the knee of the von Neumann entropy H(t) of P's singular values σ, for t = 0 … tMax − 1
 *   (default 100): H(t) = −Σ pᵢ log pᵢ with pᵢ = σᵢ^(t+1)/Σσ^(t+1) + eps (vne.py raises σ to
 *   t + 1 at index t, and phate.py then uses P^t with t the knee's index; we do the same). The
 *   knee is vne.find_knee_point: the break point of the best two-line fit.
 * - Potential: Uᵢ = −log(Pᵗᵢ + 1e-7) (gamma = 1, PHATE's log potential), potential distances
 *   the Euclidean distances between the rows Uᵢ.
 * - Metric MDS of the potential distances: classical MDS, then SMACOF started from it (PHATE's
 *   `mds_solver="smacof"`, which its paper's figures used; its default is s_gd2's SGD).
 *
 * Differences, all documented in docs/method.md: coincident points (distance 0) are embedded
 * once and share their place (distinct.ts; graphtools only warns about them); above
 * EXACT_ENTROPY_LIMIT distinct points the entropy curve is estimated by stochastic Lanczos
 * quadrature (seeded) instead of a full SVD; PHATE's landmarks (n_landmark = 2000) are not
 * used, the diffusion is exact; the result is rescaled by the least-squares factor onto D (as
 * t-SNE's and UMAP's) so that the axes are in distance units, not re-oriented by Procrustes
 * onto the classical start.
 */
import { Rng } from '../engine/rng'
import { classicalMds } from './classical'
import { distinctPoints, spread } from './distinct'
import { dot, tridiagonalEigen } from './eigen'
import { nearest } from './neighbourhood'
import { smacof } from './smacof'
import { checkSquare, kruskalStress } from './stress'
import { fitScale } from './tsne'
import { EMBEDDING_DIMS, type EmbeddingResult } from './types'

export interface PhateOptions {
  /** Neighbours that set each point's bandwidth (default 5, PHATE's knn; at most n − 2). */
  knn?: number
  /** The alpha-decaying kernel's exponent (default 40, PHATE's decay). */
  decay?: number
  /** Diffusion time; default 'auto', the knee of the von Neumann entropy. */
  t?: number | 'auto'
  /** Largest t tried by 'auto' (default 100, PHATE's t_max). */
  tMax?: number
  /** SMACOF passes on the potential distances (default 300). */
  maxIter?: number
  /** Seed of the entropy estimate's probe vectors (large n only). */
  seed?: number
  /** Called after every SMACOF pass. */
  onIteration?: (iteration: number) => void
}

/** graphtools' default: affinities below this are dropped. */
export const KERNEL_THRESHOLD = 1e-4
/** PHATE's offset inside the log potential. */
export const POTENTIAL_EPS = 1e-7
/** Up to this many distinct points the entropy uses every singular value (O(n³)). */
export const EXACT_ENTROPY_LIMIT = 400

/** A sparse n×n matrix in CSR form: row i is indices/values[indptr[i]..indptr[i+1]), columns ascending. */
export interface Csr {
  n: number
  indptr: Int32Array
  indices: Int32Array
  values: Float64Array
}

function checkParams(knn: number, decay: number): void {
  if (!Number.isInteger(knn) || knn < 1) throw new Error(`phate: knn must be a whole number ≥ 1, not ${knn}`)
  if (!(decay > 0) || !Number.isFinite(decay)) throw new Error(`phate: decay must be a positive number, not ${decay}`)
}

/** The symmetrised alpha-decaying kernel K of the n×n distances D (see the header). */
export function phateKernel(D: Float64Array, n: number, knn = 5, decay = 40): Csr {
  checkSquare(D, n, 'phate')
  checkParams(knn, decay)
  const k = Math.max(1, Math.min(knn, n - 2))
  const nb = new Int32Array(k)
  // dᵢⱼ/εᵢ beyond this gives exp(−(d/ε)^decay) < thresh: such entries are dropped.
  const reach = Math.pow(-Math.log(KERNEL_THRESHOLD), 1 / decay)
  const rows: number[] = []
  const cols: number[] = []
  const vals: number[] = []
  for (let i = 0; i < n; i++) {
    const row = D.subarray(i * n, (i + 1) * n)
    let bw = 0
    if (n > 1) {
      nearest(row, n, i, k, nb)
      bw = row[nb[k - 1]!]!
    }
    for (let j = 0; j < n; j++) {
      const d = row[j]!
      // 0/0 is NaN in NumPy, which graphtools turns into affinity 1.
      const v = bw > 0 ? (d / bw <= reach ? Math.exp(-Math.pow(d / bw, decay)) : 0) : d === 0 ? 1 : 0
      if (v < KERNEL_THRESHOLD) continue
      rows.push(i, j)
      cols.push(j, i)
      vals.push(v / 2, v / 2)
    }
  }
  return toCsr(n, rows, cols, vals)
}

/** A CSR matrix from (row, col, value) triples; duplicate (row, col) entries are summed. */
export function toCsr(n: number, rows: number[], cols: number[], vals: number[]): Csr {
  const order = Array.from(rows, (_, e) => e).sort((a, b) => rows[a]! - rows[b]! || cols[a]! - cols[b]!)
  const indptr = new Int32Array(n + 1)
  const indices: number[] = []
  const values: number[] = []
  let last = -1
  let lastCol = -1
  for (const e of order) {
    const r = rows[e]!
    const c = cols[e]!
    if (r === last && c === lastCol) values[values.length - 1]! += vals[e]!
    else {
      indices.push(c)
      values.push(vals[e]!)
      indptr[r + 1]!++
    }
    last = r
    lastCol = c
  }
  for (let i = 0; i < n; i++) indptr[i + 1]! += indptr[i]!
  return { n, indptr, indices: Int32Array.from(indices), values: Float64Array.from(values) }
}

/** P = K with each row divided by its sum: row-stochastic. */
export function diffusionOperator(K: Csr): Csr {
  const values = Float64Array.from(K.values)
  for (let i = 0; i < K.n; i++) {
    let s = 0
    for (let e = K.indptr[i]!; e < K.indptr[i + 1]!; e++) s += values[e]!
    if (s > 0) for (let e = K.indptr[i]!; e < K.indptr[i + 1]!; e++) values[e] = values[e]! / s
  }
  return { ...K, values }
}

/** Dense row-major copy. */
export function toDense(A: Csr): Float64Array {
  const out = new Float64Array(A.n * A.n)
  for (let i = 0; i < A.n; i++)
    for (let e = A.indptr[i]!; e < A.indptr[i + 1]!; e++) out[i * A.n + A.indices[e]!] = A.values[e]!
  return out
}

/** y = A·x */
function mulVec(A: Csr, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < A.n; i++) {
    let s = 0
    for (let e = A.indptr[i]!; e < A.indptr[i + 1]!; e++) s += A.values[e]! * x[A.indices[e]!]!
    y[i] = s
  }
}

/** y = Aᵀ·x */
function mulVecT(A: Csr, x: Float64Array, y: Float64Array): void {
  y.fill(0)
  for (let i = 0; i < A.n; i++) {
    const xi = x[i]!
    if (xi !== 0) for (let e = A.indptr[i]!; e < A.indptr[i + 1]!; e++) y[A.indices[e]!]! += A.values[e]! * xi
  }
}

/**
 * All eigenvalues of a dense symmetric matrix (row-major, overwritten): Householder reduction
 * to tridiagonal form (EISPACK tred1), then the QL algorithm.
 */
function symmetricEigenvalues(a: Float64Array, n: number): number[] {
  const d = new Float64Array(n)
  const e = new Float64Array(n)
  const u = new Float64Array(n)
  const p = new Float64Array(n)
  for (let i = n - 1; i > 0; i--) {
    const row = i * n
    let scale = 0
    for (let k = 0; k < i; k++) scale += Math.abs(a[row + k]!)
    if (scale === 0) {
      e[i] = a[row + i - 1]!
      d[i] = a[row + i]!
      continue
    }
    let h = 0
    for (let k = 0; k < i; k++) {
      u[k] = a[row + k]! / scale
      h += u[k]! * u[k]!
    }
    const f = u[i - 1]!
    const g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h)
    e[i] = scale * g
    h -= f * g
    u[i - 1] = f - g
    // p = A·u / h over the leading i×i block, then K = uᵀp / 2h, q = p − K·u, A ← A − u qᵀ − q uᵀ.
    let kk = 0
    for (let j = 0; j < i; j++) {
      let s = 0
      const rj = j * n
      for (let k = 0; k < i; k++) s += a[rj + k]! * u[k]!
      p[j] = s / h
      kk += u[j]! * p[j]!
    }
    kk /= 2 * h
    for (let j = 0; j < i; j++) p[j] = p[j]! - kk * u[j]!
    for (let j = 0; j < i; j++) {
      const rj = j * n
      const uj = u[j]!
      const pj = p[j]!
      for (let k = 0; k < i; k++) a[rj + k]! -= uj * p[k]! + pj * u[k]!
    }
    d[i] = a[row + i]!
  }
  d[0] = a[0]!
  const off: number[] = []
  for (let i = 1; i < n; i++) off.push(e[i]!)
  // Values only: the vector part of tridiagonalEigen is O(n³), run it on blocks of one.
  return tridiagonalValues(Array.from(d), off)
}

/** Eigenvalues of a symmetric tridiagonal matrix by implicit QL (tql1). */
function tridiagonalValues(diag: number[], off: number[]): number[] {
  const n = diag.length
  const d = Float64Array.from(diag)
  const e = new Float64Array(n)
  for (let i = 0; i < n - 1; i++) e[i] = off[i]!
  let f = 0
  let tst1 = 0
  const eps = 2 ** -52
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!))
    let m = l
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break
      m++
    }
    if (m === n) m = n - 1
    if (m > l) {
      let iter = 0
      do {
        if (++iter > 200) throw new Error('phate: the eigenvalues did not converge')
        let g = d[l]!
        let q = (d[l + 1]! - g) / (2 * e[l]!)
        let r = Math.hypot(q, 1)
        if (q < 0) r = -r
        d[l] = e[l]! / (q + r)
        d[l + 1] = e[l]! * (q + r)
        const dl1 = d[l + 1]!
        let h = g - d[l]!
        for (let i = l + 2; i < n; i++) d[i]! -= h
        f += h
        q = d[m]!
        let c = 1
        let c2 = c
        let c3 = c
        const el1 = e[l + 1]!
        let s = 0
        let s2 = 0
        for (let i = m - 1; i >= l; i--) {
          c3 = c2
          c2 = c
          s2 = s
          g = c * e[i]!
          h = c * q
          r = Math.hypot(q, e[i]!)
          e[i + 1] = s * r
          s = e[i]! / r
          c = q / r
          q = c * d[i]! - s * g
          d[i + 1] = h + s * (c * g + s * d[i]!)
        }
        q = (-s * s2 * c3 * el1 * e[l]!) / dl1
        e[l] = s * q
        d[l] = c * q
      } while (Math.abs(e[l]!) > eps * tst1)
    }
    d[l] = d[l]! + f
    e[l] = 0
  }
  return Array.from(d).sort((x, y) => y - x)
}

/** The singular values of P (all of them), largest first. */
export function singularValues(P: Csr): number[] {
  const n = P.n
  // σ² are the eigenvalues of PᵀP: column j of PᵀP is Pᵀ(P eⱼ).
  const M = new Float64Array(n * n)
  const Pd = toDense(P)
  for (let r = 0; r < n; r++) {
    const row = r * n
    for (let i = 0; i < n; i++) {
      const pri = Pd[row + i]!
      if (pri === 0) continue
      const mi = i * n
      for (let e = P.indptr[r]!; e < P.indptr[r + 1]!; e++) M[mi + P.indices[e]!]! += pri * P.values[e]!
    }
  }
  return symmetricEigenvalues(M, n).map((l) => Math.sqrt(Math.max(0, l)))
}

/** vne.compute_von_neumann_entropy: H at index t from σ^(t + 1), t = 0 … tMax − 1. */
export function entropyFromSingularValues(sigma: number[], tMax = 100): number[] {
  const H: number[] = []
  const st = sigma.slice()
  const eps = 2 ** -52
  for (let t = 0; t < tMax; t++) {
    let sum = 0
    for (const s of st) sum += s
    let h = 0
    for (const s of st) {
      const p = s / sum + eps
      h -= p * Math.log(p)
    }
    H.push(h)
    for (let i = 0; i < st.length; i++) st[i] = st[i]! * sigma[i]!
  }
  return H
}

/**
 * The same curve estimated by stochastic Lanczos quadrature on PᵀP (Ubaru, Chen & Saad 2017):
 * tr f(PᵀP) ≈ (n/probes)·Σ_v Σⱼ (e₁ᵀyⱼ)² f(θⱼ) over Rademacher probes v and the Ritz pairs
 * (θⱼ, yⱼ) of `steps` Lanczos steps from v, with f(μ) = μ^((t+1)/2) and μ^((t+1)/2)·log of it;
 * H = log S − (Σ s log s)/S. (PHATE's eps inside the log changes H by < 1e-10 at these sizes.)
 */
export function entropyEstimate(
  P: Csr,
  tMax = 100,
  opts: { probes?: number; steps?: number; seed?: number } = {},
): number[] {
  const n = P.n
  const probes = opts.probes ?? 16
  const steps = Math.min(n, opts.steps ?? 40)
  const rng = new Rng((opts.seed ?? 0) >>> 0)
  const S = new Float64Array(tMax)
  const L = new Float64Array(tMax)
  const tmp = new Float64Array(n)
  const w = new Float64Array(n)
  for (let v = 0; v < probes; v++) {
    const Q: Float64Array[] = []
    let q = new Float64Array(n)
    for (let i = 0; i < n; i++) q[i] = (rng.next() < 0.5 ? -1 : 1) / Math.sqrt(n)
    const alpha: number[] = []
    const beta: number[] = []
    for (let s = 0; s < steps; s++) {
      Q.push(q)
      mulVec(P, q, tmp)
      mulVecT(P, tmp, w)
      const a = dot(w, q)
      alpha.push(a)
      // Full reorthogonalisation (one pass is enough for 40 steps on these spectra).
      for (const u of Q) {
        const c = dot(w, u)
        for (let i = 0; i < n; i++) w[i]! -= c * u[i]!
      }
      const b = Math.sqrt(dot(w, w))
      if (s === steps - 1 || b < 1e-12) break
      beta.push(b)
      q = new Float64Array(n)
      for (let i = 0; i < n; i++) q[i] = w[i]! / b
    }
    const { values, vectors } = tridiagonalEigen(alpha, beta.slice(0, alpha.length - 1))
    values.forEach((theta, j) => {
      const weight = (n * vectors[j]![0]! ** 2) / probes
      const mu = Math.max(0, theta)
      if (mu === 0) return
      const logSigma = 0.5 * Math.log(mu)
      for (let t = 0; t < tMax; t++) {
        const s = Math.exp((t + 1) * logSigma)
        S[t]! += weight * s
        L[t]! += weight * s * (t + 1) * logSigma
      }
    })
  }
  return Array.from(S, (s, t) => Math.log(s) - L[t]! / s)
}

/** vne.find_knee_point with x = 0 … len − 1: the break point of the best two-line fit (L1 error). */
export function kneePoint(y: number[]): number {
  const m = y.length
  if (m < 3) throw new Error('phate: the knee needs at least 3 values of t')
  const x = Array.from(y, (_, i) => i)
  const fit = (xs: number[], ys: number[]) => {
    // Least-squares line through the first c points, for c = 2 … m.
    const mm: number[] = []
    const bb: number[] = []
    let sxy = xs[0]! * ys[0]!
    let sx = xs[0]!
    let sy = ys[0]!
    let sxx = xs[0]! * xs[0]!
    for (let c = 1; c < m; c++) {
      sxy += xs[c]! * ys[c]!
      sx += xs[c]!
      sy += ys[c]!
      sxx += xs[c]! * xs[c]!
      const cnt = c + 1
      const det = cnt * sxx - sx * sx
      mm.push((cnt * sxy - sx * sy) / det)
      bb.push(-(sx * sxy - sxx * sy) / det)
    }
    return { mm, bb }
  }
  const fwd = fit(x, y)
  const bck = fit(x.slice().reverse(), y.slice().reverse())
  bck.mm.reverse()
  bck.bb.reverse()
  let best = Infinity
  let loc = 1
  for (let b = 1; b < m - 1; b++) {
    let err = 0
    for (let i = 0; i <= b; i++) err += Math.abs(fwd.mm[b - 1]! * x[i]! + fwd.bb[b - 1]! - y[i]!)
    for (let i = b; i < m; i++) err += Math.abs(bck.mm[b - 1]! * x[i]! + bck.bb[b - 1]! - y[i]!)
    if (err < best) {
      best = err
      loc = b
    }
  }
  return x[loc]!
}

/**
 * The potential of Pᵗ, dense n×n row-major (Pᵗ by t sparse products from I), as phate.py's
 * `_calculate_potential`: gamma = 1 (PHATE's default) −log(Pᵗ + 1e-7), gamma = −1 Pᵗ itself, else
 * (Pᵗ)^c / c with c = (1 − gamma)/2 (gamma = 0, M-PHATE's default: 2·√Pᵗ). `onStep` after each product.
 */
export function diffusionPotential(
  P: Csr,
  t: number,
  gamma = 1,
  onStep?: (step: number, total: number) => void,
): Float64Array {
  if (!(gamma >= -1 && gamma <= 1)) throw new Error(`phate: gamma must be between −1 and 1, not ${gamma}`)
  const n = P.n
  let cur = new Float64Array(n * n)
  for (let i = 0; i < n; i++) cur[i * n + i] = 1
  let next = new Float64Array(n * n)
  for (let s = 0; s < t; s++) {
    next.fill(0)
    for (let i = 0; i < n; i++) {
      const out = i * n
      for (let e = P.indptr[i]!; e < P.indptr[i + 1]!; e++) {
        const v = P.values[e]!
        const src = P.indices[e]! * n
        for (let j = 0; j < n; j++) next[out + j]! += v * cur[src + j]!
      }
    }
    ;[cur, next] = [next, cur]
    onStep?.(s + 1, t)
  }
  if (gamma === 1) for (let q = 0; q < n * n; q++) cur[q] = -Math.log(cur[q]! + POTENTIAL_EPS)
  else if (gamma !== -1) {
    const c = (1 - gamma) / 2
    for (let q = 0; q < n * n; q++) cur[q] = Math.pow(cur[q]!, c) / c
  }
  return cur
}

/** Euclidean distances between the rows of the n×d matrix U, in float64 (small n, tests). */
export function rowDistances(U: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      let s = 0
      for (let k = 0; k < d; k++) {
        const e = U[i * d + k]! - U[j * d + k]!
        s += e * e
      }
      out[i * n + j] = out[j * n + i] = Math.sqrt(s)
    }
  return out
}

/** What PHATE computed before the MDS step: on the distinct points. */
export interface PhatePrepared {
  /** The distinct points (coincident ones share one). */
  m: number
  of: Int32Array
  P: Csr
  /** The diffusion time used. */
  t: number
  /** The von Neumann entropy curve ('auto' only). */
  entropy?: number[]
  /** The potential, m×m. */
  potential: Float64Array
}

export function phatePrepare(D: Float64Array, n: number, opts: PhateOptions = {}): PhatePrepared {
  checkSquare(D, n, 'phate')
  const knn = opts.knn ?? 5
  const decay = opts.decay ?? 40
  checkParams(knn, decay)
  const tMax = opts.tMax ?? 100
  if (opts.t !== undefined && opts.t !== 'auto' && (!Number.isInteger(opts.t) || opts.t < 1))
    throw new Error(`phate: t must be 'auto' or a whole number ≥ 1, not ${opts.t}`)
  if (!Number.isInteger(tMax) || tMax < 3) throw new Error(`phate: tMax must be a whole number ≥ 3, not ${tMax}`)
  const u = distinctPoints(D, n)
  const P = diffusionOperator(phateKernel(u.D, u.m, knn, decay))
  let t: number
  let entropy: number[] | undefined
  if (opts.t === undefined || opts.t === 'auto') {
    entropy =
      u.m <= EXACT_ENTROPY_LIMIT
        ? entropyFromSingularValues(singularValues(P), tMax)
        : entropyEstimate(P, tMax, { seed: opts.seed })
    t = kneePoint(entropy)
  } else t = opts.t
  return { m: u.m, of: u.of, P, t, entropy, potential: diffusionPotential(P, t) }
}

/** Metric MDS of the potential distances (m×m), spread back to the n points and scaled onto D. */
export function phateFinish(
  D: Float64Array,
  n: number,
  prep: PhatePrepared,
  Dpot: Float64Array,
  opts: PhateOptions = {},
): EmbeddingResult & { diffusionTime: number } {
  const m = prep.m
  let Y: Float64Array
  let iterations = 0
  if (m < 3) {
    Y = new Float64Array(m * EMBEDDING_DIMS)
    if (m === 2) Y[2] = Dpot[1]!
  } else {
    const init = classicalMds(Dpot, m).coords
    const r = smacof(Dpot, m, {
      init,
      maxIter: opts.maxIter ?? 300,
      onIteration: opts.onIteration ? (i) => opts.onIteration!(i) : undefined,
    })
    Y = r.coords
    iterations = r.iterations ?? 0
  }
  const coords = m < n ? spread(Y, prep.of) : Y
  fitScale(D, coords, n)
  return {
    method: 'phate',
    coords,
    stress: kruskalStress(D, coords, n),
    iterations,
    diffusionTime: prep.t,
  }
}

export function phate(
  D: Float64Array,
  n: number,
  opts: PhateOptions = {},
): EmbeddingResult & { diffusionTime: number } {
  if (opts.maxIter !== undefined && (!Number.isInteger(opts.maxIter) || opts.maxIter < 1))
    throw new Error(`phate: maxIter must be a whole number ≥ 1, not ${opts.maxIter}`)
  const prep = phatePrepare(D, n, opts)
  return phateFinish(D, n, prep, rowDistances(prep.potential, prep.m, prep.m), opts)
}
