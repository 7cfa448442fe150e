/**
 * t-SNE (van der Maaten & Hinton 2008) from a precomputed distance matrix, with the Barnes-Hut
 * gradient (van der Maaten 2014), following scikit-learn's `TSNE(method="barnes_hut")`:
 *
 * - Affinities: each point's k = min(n − 1, ⌊3·perplexity⌋ + 1) nearest neighbours, a Gaussian
 *   kernel on the squared distances whose precision is found by bisection so that the conditional
 *   distribution's perplexity is the one asked for (scikit-learn's `_binary_search_perplexity`),
 *   then P = (P_cond + P_condᵀ) / Σ. The distances are squared because τ distances are Euclidean
 *   (scikit-learn squares them itself for metric="euclidean", not for "precomputed").
 * - Gradient: 4·(α·Σⱼ pᵢⱼ wᵢⱼ (yᵢ − yⱼ) − Σⱼ wᵢⱼ² (yᵢ − yⱼ) / Z), wᵢⱼ = 1/(1 + ‖yᵢ − yⱼ‖²),
 *   Z = Σ_{k≠l} w_kl; the repulsion summarised over quadtree cells that look small from yᵢ
 *   (cell width < θ·distance to the cell's centre of mass). `gradient: 'exact'` sums every pair.
 * - Optimisation: scikit-learn's gradient descent with momentum (0.5 during the early
 *   exaggeration α = 12 of the first 250 iterations, then 0.8) and per-coordinate gains
 *   (+0.2 / ×0.8, at least 0.01); learning rate "auto" = max(n / α / 4, 50).
 * - Start: classical MDS scaled so the first axis has standard deviation 1e-4 (scikit-learn's
 *   init="pca" — PCA of the points is classical MDS of their Euclidean distances), or seeded
 *   random normal with that standard deviation. Everything is deterministic.
 *
 * t-SNE's distances are not metric: the result is rescaled by the least-squares factor onto D,
 * so that the axes are in distance units and stress-1 is as fair to it as one number can be.
 * Coincident points (distance 0) are embedded once and share their place (distinct.ts).
 */
import { Rng } from '../engine/rng'
import { classicalMds } from './classical'
import { distinctPoints, spread } from './distinct'
import { nearest } from './neighbourhood'
import { checkSquare, kruskalStress } from './stress'
import { EMBEDDING_DIMS, type EmbeddingResult } from './types'

export interface TsneOptions {
  /** Effective number of neighbours (default 30; at most (n − 1)/3). */
  perplexity?: number
  /** Iterations in all, the exaggeration phase included (default 1000, scikit-learn's max_iter). */
  maxIter?: number
  earlyExaggeration?: number
  /** Iterations with early exaggeration (default 250, or maxIter / 4 when maxIter < 1000). */
  exaggerationIter?: number
  /** Default "auto": max(n / earlyExaggeration / 4, 50). */
  learningRate?: number
  /** Barnes-Hut opening angle (default 0.5; 0 = every cell opened, the exact sum). */
  theta?: number
  /** 'bh' (default) or 'exact' (every pair, O(n²) per iteration: a reference for small n). */
  gradient?: 'bh' | 'exact'
  /** 'classical' (default) or 'random' (seeded). */
  init?: 'classical' | 'random'
  seed?: number
  /** Called after every iteration (1-based). */
  onIteration?: (iteration: number) => void
}

/** Symmetric sparse affinities in CSR form: row i's entries are indices/values[indptr[i]..indptr[i+1]). */
export interface Affinities {
  indptr: Int32Array
  indices: Int32Array
  values: Float64Array
}

/** The perplexity actually used: scikit-learn refuses perplexity ≥ n; we clamp to keep 3·perp + 1 ≤ n. */
export function effectivePerplexity(n: number, perplexity = 30): number {
  if (!(perplexity > 0)) throw new Error(`tsne: perplexity must be > 0, not ${perplexity}`)
  return Math.max(1, Math.min(perplexity, (n - 1) / 3))
}

/**
 * Conditional probabilities of one point's neighbours (squared distances sq[0..k)) with the
 * given perplexity, by bisection on the precision β as scikit-learn does (100 steps, entropy
 * tolerance 1e-5, natural logarithms).
 */
function conditional(sq: Float64Array, k: number, perplexity: number, out: Float64Array): void {
  const desired = Math.log(perplexity)
  let beta = 1
  let lo = -Infinity
  let hi = Infinity
  // Shifting by the smallest squared distance changes no probability and keeps exp() finite.
  let min = Infinity
  for (let j = 0; j < k; j++) min = Math.min(min, sq[j]!)
  for (let step = 0; step < 100; step++) {
    let sum = 0
    for (let j = 0; j < k; j++) sum += out[j] = Math.exp(-(sq[j]! - min) * beta)
    if (sum === 0) sum = 1e-8
    let sdp = 0
    for (let j = 0; j < k; j++) {
      out[j] = out[j]! / sum
      sdp += (sq[j]! - min) * out[j]!
    }
    const entropy = Math.log(sum) + beta * sdp
    const diff = entropy - desired
    if (Math.abs(diff) <= 1e-5) break
    if (diff > 0) {
      lo = beta
      beta = hi === Infinity ? beta * 2 : (beta + hi) / 2
    } else {
      hi = beta
      beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2
    }
  }
}

/** t-SNE's joint probabilities from the n×n distances D (see the header). */
export function tsneAffinities(D: Float64Array, n: number, perplexity = 30): Affinities {
  checkSquare(D, n, 'tsne')
  const perp = effectivePerplexity(n, perplexity)
  const k = Math.min(n - 1, Math.floor(3 * perp + 1))
  const nb = new Int32Array(k)
  const sq = new Float64Array(k)
  const p = new Float64Array(k)
  // Both directions of every conditional entry, then merged per row.
  const rows = new Int32Array(2 * n * k)
  const cols = new Int32Array(2 * n * k)
  const vals = new Float64Array(2 * n * k)
  let m = 0
  for (let i = 0; i < n; i++) {
    nearest(D.subarray(i * n, (i + 1) * n), n, i, k, nb)
    for (let j = 0; j < k; j++) sq[j] = D[i * n + nb[j]!]! ** 2
    conditional(sq, k, perp, p)
    for (let j = 0; j < k; j++) {
      rows[m] = i
      cols[m] = nb[j]!
      vals[m++] = p[j]!
      rows[m] = nb[j]!
      cols[m] = i
      vals[m++] = p[j]!
    }
  }
  const count = new Int32Array(n + 1)
  for (let e = 0; e < m; e++) count[rows[e]! + 1]!++
  for (let i = 0; i < n; i++) count[i + 1]! += count[i]!
  const fill = count.slice()
  const byRow = new Int32Array(m)
  for (let e = 0; e < m; e++) byRow[fill[rows[e]!]!++] = e
  const indptr = new Int32Array(n + 1)
  const indices: number[] = []
  const values: number[] = []
  let total = 0
  for (let i = 0; i < n; i++) {
    const es = Array.from(byRow.subarray(count[i]!, count[i + 1]!)).sort((a, b) => cols[a]! - cols[b]!)
    for (let t = 0; t < es.length; t++) {
      const c = cols[es[t]!]!
      const v = vals[es[t]!]!
      if (indices.length > indptr[i]! && indices[indices.length - 1] === c) values[values.length - 1]! += v
      else {
        indices.push(c)
        values.push(v)
      }
      total += v
    }
    indptr[i + 1] = indices.length
  }
  const P = Float64Array.from(values)
  const scale = 1 / Math.max(total, Number.EPSILON)
  for (let e = 0; e < P.length; e++) P[e] = P[e]! * scale
  return { indptr, indices: Int32Array.from(indices), values: P }
}

/** A quadtree over the points, rebuilt each iteration: flat arrays, children contiguous. */
class QuadTree {
  cx = new Float64Array(0)
  cy = new Float64Array(0)
  count = new Int32Array(0)
  width = new Float64Array(0)
  /** First child's index, −1 for a leaf; children are child..child+nChild−1. */
  child = new Int32Array(0)
  nChild = new Uint8Array(0)
  /** The node's points are perm[start..end). */
  start = new Int32Array(0)
  end = new Int32Array(0)
  perm: Int32Array
  /** pos[i]: where point i is in perm. */
  pos: Int32Array
  private tmp: Int32Array
  private quad: Uint8Array
  size = 0

  constructor(private n: number) {
    this.perm = new Int32Array(n)
    this.pos = new Int32Array(n)
    this.tmp = new Int32Array(n)
    this.quad = new Uint8Array(n)
    this.grow(Math.max(16, 2 * n))
  }

  private grow(cap: number): void {
    const up = <T extends Float64Array | Int32Array | Uint8Array>(a: T, C: new (len: number) => T): T => {
      const b = new C(cap)
      b.set(a)
      return b
    }
    this.cx = up(this.cx, Float64Array)
    this.cy = up(this.cy, Float64Array)
    this.width = up(this.width, Float64Array)
    this.count = up(this.count, Int32Array)
    this.child = up(this.child, Int32Array)
    this.start = up(this.start, Int32Array)
    this.end = up(this.end, Int32Array)
    this.nChild = up(this.nChild, Uint8Array)
  }

  private reserve(m: number): number {
    if (this.size + m > this.cx.length) this.grow(2 * (this.size + m))
    const at = this.size
    this.size += m
    return at
  }

  build(Y: Float64Array): void {
    const n = this.n
    let x0 = Infinity
    let y0 = Infinity
    let x1 = -Infinity
    let y1 = -Infinity
    for (let i = 0; i < n; i++) {
      this.perm[i] = i
      x0 = Math.min(x0, Y[2 * i]!)
      x1 = Math.max(x1, Y[2 * i]!)
      y0 = Math.min(y0, Y[2 * i + 1]!)
      y1 = Math.max(y1, Y[2 * i + 1]!)
    }
    const side = Math.max(x1 - x0, y1 - y0) * (1 + 1e-9) || 1
    this.size = 0
    this.node(this.reserve(1), Y, 0, n, x0, y0, side, 0)
    for (let q = 0; q < n; q++) this.pos[this.perm[q]!] = q
  }

  private node(
    at: number,
    Y: Float64Array,
    lo: number,
    hi: number,
    x0: number,
    y0: number,
    side: number,
    depth: number,
  ) {
    let sx = 0
    let sy = 0
    for (let q = lo; q < hi; q++) {
      sx += Y[2 * this.perm[q]!]!
      sy += Y[2 * this.perm[q]! + 1]!
    }
    const c = hi - lo
    this.cx[at] = sx / c
    this.cy[at] = sy / c
    this.count[at] = c
    this.width[at] = side
    this.start[at] = lo
    this.end[at] = hi
    // A leaf: one point, or (coincident or nearly so) points below the depth limit.
    if (c === 1 || depth >= 40) {
      this.child[at] = -1
      this.nChild[at] = 0
      return
    }
    const h = side / 2
    const mx = x0 + h
    const my = y0 + h
    const per = [0, 0, 0, 0]
    for (let q = lo; q < hi; q++) {
      const i = this.perm[q]!
      const k = (Y[2 * i]! >= mx ? 1 : 0) + (Y[2 * i + 1]! >= my ? 2 : 0)
      this.quad[q] = k
      per[k]!++
    }
    const off = [lo, lo + per[0]!, lo + per[0]! + per[1]!, lo + per[0]! + per[1]! + per[2]!]
    const next = off.slice()
    for (let q = lo; q < hi; q++) this.tmp[next[this.quad[q]!]!++] = this.perm[q]!
    this.perm.set(this.tmp.subarray(lo, hi), lo)
    const filled = per.filter((v) => v > 0).length
    const first = this.reserve(filled)
    this.child[at] = first
    this.nChild[at] = filled
    let slot = first
    for (let k = 0; k < 4; k++) {
      if (per[k] === 0) continue
      const nx0 = k & 1 ? mx : x0
      const ny0 = k & 2 ? my : y0
      this.node(slot++, Y, off[k]!, off[k]! + per[k]!, nx0, ny0, h, depth + 1)
    }
  }
}

/**
 * The KL gradient of t-SNE at Y (n×2) into grad; returns Z = Σ_{k≠l} wₖₗ (estimated when 'bh').
 * Exported for the tests, which compare the Barnes-Hut sum with the exact one.
 */
export function tsneGradient(
  P: Affinities,
  Y: Float64Array,
  n: number,
  grad: Float64Array,
  opts: { exaggeration?: number; theta?: number; gradient?: 'bh' | 'exact'; tree?: QuadTree } = {},
): number {
  const exag = opts.exaggeration ?? 1
  const rep = new Float64Array(2 * n)
  let Z = 0
  if (opts.gradient === 'exact') {
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const dx = Y[2 * i]! - Y[2 * j]!
        const dy = Y[2 * i + 1]! - Y[2 * j + 1]!
        const w = 1 / (1 + dx * dx + dy * dy)
        Z += 2 * w
        const w2 = w * w
        rep[2 * i] += w2 * dx
        rep[2 * i + 1] += w2 * dy
        rep[2 * j] -= w2 * dx
        rep[2 * j + 1] -= w2 * dy
      }
  } else {
    const t = opts.tree ?? new QuadTree(n)
    t.build(Y)
    const theta2 = (opts.theta ?? 0.5) ** 2
    const stack = new Int32Array(Math.max(64, 4 * 41 + 8))
    for (let i = 0; i < n; i++) {
      const yx = Y[2 * i]!
      const yy = Y[2 * i + 1]!
      const pi = t.pos[i]!
      let sp = 0
      stack[sp++] = 0
      let rx = 0
      let ry = 0
      while (sp > 0) {
        const nd = stack[--sp]!
        const inside = t.start[nd]! <= pi && pi < t.end[nd]!
        let c = t.count[nd]!
        let cx = t.cx[nd]!
        let cy = t.cy[nd]!
        if (t.child[nd]! >= 0) {
          const dx = yx - cx
          const dy = yy - cy
          const d2 = dx * dx + dy * dy
          if (inside || t.width[nd]! ** 2 >= theta2 * d2) {
            const f = t.child[nd]!
            for (let q = 0; q < t.nChild[nd]!; q++) stack[sp++] = f + q
            continue
          }
        } else if (inside) {
          // A leaf holding i (alone, or with points at the depth limit): the others' centre.
          if (c === 1) continue
          cx = (cx * c - yx) / (c - 1)
          cy = (cy * c - yy) / (c - 1)
          c -= 1
        }
        const dx = yx - cx
        const dy = yy - cy
        const w = 1 / (1 + dx * dx + dy * dy)
        Z += c * w
        const cw2 = c * w * w
        rx += cw2 * dx
        ry += cw2 * dy
      }
      rep[2 * i] = rx
      rep[2 * i + 1] = ry
    }
  }
  const { indptr, indices, values } = P
  const invZ = Z > 0 ? 1 / Z : 0
  for (let i = 0; i < n; i++) {
    let ax = 0
    let ay = 0
    const yx = Y[2 * i]!
    const yy = Y[2 * i + 1]!
    for (let e = indptr[i]!; e < indptr[i + 1]!; e++) {
      const j = indices[e]!
      const dx = yx - Y[2 * j]!
      const dy = yy - Y[2 * j + 1]!
      const pw = values[e]! / (1 + dx * dx + dy * dy)
      ax += pw * dx
      ay += pw * dy
    }
    grad[2 * i] = 4 * (exag * ax - rep[2 * i]! * invZ)
    grad[2 * i + 1] = 4 * (exag * ay - rep[2 * i + 1]! * invZ)
  }
  return Z
}

/** KL(P‖Q) over P's entries, qᵢⱼ = wᵢⱼ / Z (what scikit-learn reports as kl_divergence_). */
export function tsneKl(P: Affinities, Y: Float64Array, n: number, Z: number): number {
  let kl = 0
  for (let i = 0; i < n; i++)
    for (let e = P.indptr[i]!; e < P.indptr[i + 1]!; e++) {
      const j = P.indices[e]!
      const dx = Y[2 * i]! - Y[2 * j]!
      const dy = Y[2 * i + 1]! - Y[2 * j + 1]!
      const q = 1 / (1 + dx * dx + dy * dy) / Z
      const p = P.values[e]!
      if (p > 0) kl += p * Math.log(Math.max(p, 1e-12) / Math.max(q, 1e-12))
    }
  return kl
}

/** Least-squares scale of the configuration onto D, applied in place (centred first). */
export function fitScale(D: Float64Array, Y: Float64Array, n: number): void {
  let mx = 0
  let my = 0
  for (let i = 0; i < n; i++) {
    mx += Y[2 * i]! / n
    my += Y[2 * i + 1]! / n
  }
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    Y[2 * i] -= mx
    Y[2 * i + 1] -= my
  }
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const e = Math.hypot(Y[2 * i]! - Y[2 * j]!, Y[2 * i + 1]! - Y[2 * j + 1]!)
      num += D[i * n + j]! * e
      den += e * e
    }
  const s = den > 0 ? num / den : 1
  for (let q = 0; q < 2 * n; q++) Y[q] = Y[q]! * s
}

export function tsne(D: Float64Array, n: number, opts: TsneOptions = {}): EmbeddingResult & { klDivergence: number } {
  checkSquare(D, n, 'tsne')
  const u = distinctPoints(D, n)
  if (u.m < n) {
    // Copies share their point's place (distinct.ts).
    const r = tsne(u.D, u.m, opts)
    const all = spread(r.coords, u.of)
    fitScale(D, all, n)
    return { ...r, coords: all, stress: kruskalStress(D, all, n) }
  }
  const coords = new Float64Array(n * EMBEDDING_DIMS)
  if (n < 3) {
    // Too few points for a neighbourhood: the distances themselves (at most one pair).
    if (n === 2) coords[2] = D[1]!
    return { method: 'tsne', coords, stress: 0, iterations: 0, klDivergence: 0 }
  }
  const maxIter = opts.maxIter ?? 1000
  if (!Number.isInteger(maxIter) || maxIter < 1)
    throw new Error(`tsne: maxIter must be a whole number ≥ 1, not ${maxIter}`)
  const exagIter = Math.min(maxIter, opts.exaggerationIter ?? Math.min(250, Math.floor(maxIter / 4)))
  const alpha = opts.earlyExaggeration ?? 12
  const lr = opts.learningRate ?? Math.max(n / alpha / 4, 50)
  const P = tsneAffinities(D, n, opts.perplexity ?? 30)

  const Y = coords
  if ((opts.init ?? 'classical') === 'classical') {
    Y.set(classicalMds(D, n).coords)
    let m = 0
    for (let i = 0; i < n; i++) m += Y[2 * i]! / n
    let v = 0
    for (let i = 0; i < n; i++) v += (Y[2 * i]! - m) ** 2 / n
    const s = v > 0 ? 1e-4 / Math.sqrt(v) : 0
    for (let q = 0; q < 2 * n; q++) Y[q] = Y[q]! * s
    if (s === 0) randomStart(Y, opts.seed ?? 0) // every point alike: nothing to scale
  } else randomStart(Y, opts.seed ?? 0)

  const grad = new Float64Array(2 * n)
  const update = new Float64Array(2 * n)
  const gains = new Float64Array(2 * n).fill(1)
  const tree = new QuadTree(n)
  const gopts = { theta: opts.theta ?? 0.5, gradient: opts.gradient ?? 'bh', tree }
  let it = 0
  for (; it < maxIter; it++) {
    const early = it < exagIter
    tsneGradient(P, Y, n, grad, { ...gopts, exaggeration: early ? alpha : 1 })
    const momentum = early ? 0.5 : 0.8
    let norm = 0
    for (let q = 0; q < 2 * n; q++) {
      const g = grad[q]!
      norm += g * g
      const gain = update[q]! * g < 0 ? gains[q]! + 0.2 : Math.max(0.01, gains[q]! * 0.8)
      gains[q] = gain
      update[q] = momentum * update[q]! - lr * gain * g
      Y[q] = Y[q]! + update[q]!
    }
    opts.onIteration?.(it + 1)
    // scikit-learn's min_grad_norm: nothing is moving any more.
    if (!early && Math.sqrt(norm) < 1e-7) {
      it++
      break
    }
  }
  const kl = tsneKl(P, Y, n, tsneGradient(P, Y, n, grad, gopts))
  fitScale(D, Y, n)
  return { method: 'tsne', coords: Y, stress: kruskalStress(D, Y, n), iterations: it, klDivergence: kl }
}

function randomStart(Y: Float64Array, seed: number): void {
  const rng = new Rng(seed >>> 0)
  for (let q = 0; q < Y.length; q++) Y[q] = 1e-4 * rng.normal()
}
