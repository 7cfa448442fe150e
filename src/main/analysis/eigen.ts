/**
 * A few extreme eigenpairs of a large symmetric operator, without forming or decomposing the
 * full matrix: Lanczos with full reorthogonalisation, Ritz values from the symmetric QL
 * algorithm on the small tridiagonal matrix.
 */

/** y ← A·x for a symmetric n×n operator A (y is zeroed by the caller's contract: overwrite it). */
export type SymmetricOperator = (x: Float64Array, y: Float64Array) => void

export interface EigenOptions {
  /** 'largest': algebraically largest (default); 'magnitude': largest |λ| (both ends). */
  which?: 'largest' | 'magnitude'
  /** Residual tolerance relative to the largest |Ritz value| (default 1e-8). */
  tol?: number
  /** Krylov dimension limit (default min(n, 500)). */
  maxSteps?: number
  /** Seed of the deterministic start vector. */
  seed?: number
}

export interface EigenResult {
  /** The k wanted eigenvalues, ordered as requested (largest first / largest |λ| first). */
  values: number[]
  /** Unit eigenvectors, vectors[i] for values[i]. */
  vectors: Float64Array[]
  /** Lanczos steps taken (operator applications). */
  steps: number
  /** ‖A v − λ v‖ of each returned pair. */
  residuals: number[]
}

/**
 * The k wanted eigenpairs of the n×n symmetric operator `op`. Converged when every wanted Ritz
 * pair has residual ≤ tol·max|θ|. Full reorthogonalisation keeps the basis orthogonal (memory
 * steps·n doubles); if the Krylov space becomes invariant (e.g. a rank-2 matrix) it continues
 * from a fresh vector orthogonal to the basis, so low-rank operators are handled exactly.
 */
export function lanczosEigen(n: number, op: SymmetricOperator, k: number, opts: EigenOptions = {}): EigenResult {
  if (k < 1 || k > n) throw new Error(`lanczosEigen: need 1 ≤ k ≤ n (k = ${k}, n = ${n})`)
  const which = opts.which ?? 'largest'
  const tol = opts.tol ?? 1e-8
  const maxSteps = Math.min(n, opts.maxSteps ?? 500)
  const minSteps = Math.min(maxSteps, Math.max(2 * k + 8, 20))
  const rand = xorshift(opts.seed ?? 0x9e3779b9)

  const Q: Float64Array[] = []
  const alpha: number[] = []
  const beta: number[] = [] // beta[j] couples q_j and q_{j+1}
  let q = randomUnit(n, rand, Q)
  const w = new Float64Array(n)
  let lastCheck = 0
  let ritz: { values: number[]; vecs: Float64Array[]; res: number[] } | undefined

  for (let j = 0; j < maxSteps; j++) {
    if (!q) break
    Q.push(q)
    op(q, w)
    const a = dot(w, q)
    alpha.push(a)
    axpy(-a, q, w)
    if (j > 0) axpy(-beta[j - 1]!, Q[j - 1]!, w)
    // Full reorthogonalisation, twice ("twice is enough").
    for (let pass = 0; pass < 2; pass++) {
      for (const v of Q) axpy(-dot(w, v), v, w)
    }
    let b = Math.sqrt(dot(w, w))
    const steps = j + 1
    const scale = Math.max(...alpha.map(Math.abs), ...beta.map(Math.abs), 1e-300)
    const invariant = b <= 1e-12 * scale
    const last = steps === maxSteps
    if (invariant || last || (steps >= minSteps && steps - lastCheck >= Math.max(5, Math.floor(steps / 10)))) {
      lastCheck = steps
      ritz = ritzPairs(alpha, beta, invariant ? 0 : b, k, which)
      const top = Math.max(...ritz.values.map(Math.abs), 1e-300)
      const converged = ritz.res.every((r) => r <= tol * top)
      if (steps >= minSteps && converged) {
        return finish(Q, ritz, steps, n, op)
      }
    }
    if (last) break
    if (invariant) {
      b = 0
      q = randomUnit(n, rand, Q)
    } else {
      q = new Float64Array(n)
      for (let i = 0; i < n; i++) q[i] = w[i]! / b
    }
    beta.push(b)
  }
  // Krylov space exhausted (or step limit): return the best Ritz pairs.
  ritz = ritzPairs(alpha, beta.slice(0, alpha.length - 1), 0, k, which)
  return finish(Q, ritz, Q.length, n, op)
}

function finish(
  Q: Float64Array[],
  ritz: { values: number[]; vecs: Float64Array[] },
  steps: number,
  n: number,
  op: SymmetricOperator,
): EigenResult {
  const vectors = ritz.vecs.map((s) => {
    const v = new Float64Array(n)
    for (let j = 0; j < Q.length; j++) axpy(s[j]!, Q[j]!, v)
    const norm = Math.sqrt(dot(v, v))
    for (let i = 0; i < n; i++) v[i]! /= norm
    return canonicalSign(v)
  })
  const y = new Float64Array(n)
  const residuals = vectors.map((v, t) => {
    op(v, y)
    axpy(-ritz.values[t]!, v, y)
    return Math.sqrt(dot(y, y))
  })
  return { values: ritz.values, vectors, steps, residuals }
}

/** Flip v so that its largest-magnitude entry is positive (deterministic output signs). */
function canonicalSign(v: Float64Array): Float64Array {
  let m = 0
  for (let i = 1; i < v.length; i++) if (Math.abs(v[i]!) > Math.abs(v[m]!)) m = i
  if (v[m]! < 0) for (let i = 0; i < v.length; i++) v[i] = -v[i]!
  return v
}

/** Wanted Ritz pairs of the tridiagonal T (alpha on the diagonal, beta off it). */
function ritzPairs(
  alpha: number[],
  beta: number[],
  bNext: number,
  k: number,
  which: 'largest' | 'magnitude',
): { values: number[]; vecs: Float64Array[]; res: number[] } {
  const m = alpha.length
  const { values, vectors } = tridiagonalEigen(alpha, beta.slice(0, m - 1))
  const order = values.map((_, i) => i)
  order.sort((a, b) => (which === 'largest' ? values[b]! - values[a]! : Math.abs(values[b]!) - Math.abs(values[a]!)))
  const pick = order.slice(0, Math.min(k, m))
  return {
    values: pick.map((i) => values[i]!),
    vecs: pick.map((i) => vectors[i]!),
    // ‖A y − θ y‖ = |β_m · s_m| for the Ritz vector y = Q s.
    res: pick.map((i) => Math.abs(bNext * vectors[i]![m - 1]!)),
  }
}

/**
 * Eigen-decomposition of a symmetric tridiagonal matrix (diagonal d, off-diagonal e of length
 * m−1) by the implicit QL algorithm (EISPACK tql2 / JAMA). Returns eigenvalues ascending and
 * eigenvectors as arrays of length m.
 */
export function tridiagonalEigen(diag: number[], off: number[]): { values: number[]; vectors: Float64Array[] } {
  const n = diag.length
  const d = Float64Array.from(diag)
  const e = new Float64Array(n)
  for (let i = 0; i < n - 1; i++) e[i] = off[i]!
  // V[k][i] stored row-major in V[k * n + i]
  const V = new Float64Array(n * n)
  for (let i = 0; i < n; i++) V[i * n + i] = 1
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
        if (++iter > 100) throw new Error('tridiagonalEigen: no convergence')
        let g = d[l]!
        let p = (d[l + 1]! - g) / (2 * e[l]!)
        let r = Math.hypot(p, 1)
        if (p < 0) r = -r
        d[l] = e[l]! / (p + r)
        d[l + 1] = e[l]! * (p + r)
        const dl1 = d[l + 1]!
        let h = g - d[l]!
        for (let i = l + 2; i < n; i++) d[i]! -= h
        f += h
        p = d[m]!
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
          h = c * p
          r = Math.hypot(p, e[i]!)
          e[i + 1] = s * r
          s = e[i]! / r
          c = p / r
          p = c * d[i]! - s * g
          d[i + 1] = h + s * (c * g + s * d[i]!)
          for (let k = 0; k < n; k++) {
            const row = k * n
            h = V[row + i + 1]!
            V[row + i + 1] = s * V[row + i]! + c * h
            V[row + i] = c * V[row + i]! - s * h
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1
        e[l] = s * p
        d[l] = c * p
      } while (Math.abs(e[l]!) > eps * tst1)
    }
    d[l] = d[l]! + f
    e[l] = 0
  }
  const order = Array.from(d, (_, i) => i).sort((a, b) => d[a]! - d[b]!)
  return {
    values: order.map((i) => d[i]!),
    vectors: order.map((i) => {
      const v = new Float64Array(n)
      for (let k = 0; k < n; k++) v[k] = V[k * n + i]!
      return v
    }),
  }
}

/**
 * All eigenpairs of a small dense symmetric matrix (row-major m×m) by cyclic Jacobi rotations.
 * Eigenvalues ascending. For tests and small problems (landmark sets); O(m³) per sweep.
 */
export function symmetricEigen(A: Float64Array, m: number): { values: number[]; vectors: Float64Array[] } {
  const a = Float64Array.from(A)
  const V = new Float64Array(m * m)
  for (let i = 0; i < m; i++) V[i * m + i] = 1
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0
    let total = 0
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        const v = a[i * m + j]! ** 2
        total += v
        if (i !== j) off += v
      }
    }
    if (off <= 1e-30 * total || off === 0) break
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q]!
        if (apq === 0) continue
        const app = a[p * m + p]!
        const aqq = a[q * m + q]!
        const theta = (aqq - app) / (2 * apq)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < m; k++) {
          const akp = a[k * m + p]!
          const akq = a[k * m + q]!
          a[k * m + p] = c * akp - s * akq
          a[k * m + q] = s * akp + c * akq
        }
        for (let k = 0; k < m; k++) {
          const apk = a[p * m + k]!
          const aqk = a[q * m + k]!
          a[p * m + k] = c * apk - s * aqk
          a[q * m + k] = s * apk + c * aqk
        }
        for (let k = 0; k < m; k++) {
          const vkp = V[k * m + p]!
          const vkq = V[k * m + q]!
          V[k * m + p] = c * vkp - s * vkq
          V[k * m + q] = s * vkp + c * vkq
        }
      }
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => a[x * m + x]! - a[y * m + y]!)
  return {
    values: order.map((i) => a[i * m + i]!),
    vectors: order.map((i) => {
      const v = new Float64Array(m)
      for (let k = 0; k < m; k++) v[k] = V[k * m + i]!
      return v
    }),
  }
}

// ---------------------------------------------------------------------------------------------

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!
  return s
}

/** y ← y + a·x */
function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += a * x[i]!
}

/** A unit vector orthogonal to Q, or undefined if Q already spans the space. */
function randomUnit(n: number, rand: () => number, Q: Float64Array[]): Float64Array | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    const v = new Float64Array(n)
    for (let i = 0; i < n; i++) v[i] = rand() - 0.5
    const before = Math.sqrt(dot(v, v))
    for (let pass = 0; pass < 2; pass++) for (const u of Q) axpy(-dot(v, u), u, v)
    const norm = Math.sqrt(dot(v, v))
    if (norm > 1e-8 * before) {
      for (let i = 0; i < n; i++) v[i]! /= norm
      return v
    }
  }
  return undefined
}

/** Deterministic uniform [0, 1) generator (xorshift32). */
export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s / 4294967296
  }
}
