/**
 * Aligning two networks' hidden units by permutation: weight matching (Git Re-Basin,
 * Ainsworth et al. 2022). Permuting the hidden units of a one-hidden-layer MLP (the
 * columns of A, the entries of a, the columns of B, with the parameter layout of
 * engine/mlp.ts) leaves its function unchanged; the permutation of b that makes its
 * weights most similar to a's maximises
 *
 *   Σ_h  ⟨A_a[·,h], A_b[·,π(h)]⟩ + a_a[h]·a_b[π(h)] + ⟨B_a[·,h], B_b[·,π(h)]⟩,
 *
 * a linear assignment problem (with one hidden layer the matching is exact in one
 * step; deeper networks need the paper's coordinate descent). It is solved with the
 * `linear-sum-assignment` package (Jonker–Volgenant shortest augmenting paths) on the
 * cost −similarity.
 */
import { linearSumAssignment } from 'linear-sum-assignment'
import { paramCount, paramOffsets, type MlpShape } from '../../engine/mlp'

/**
 * The assignment maximising Σ_h S[h, perm[h]] for an n×n similarity S (row-major):
 * perm[h] is the column matched to row h. Throws if the solver returns no permutation.
 */
export function maxSimilarityAssignment(S: ArrayLike<number>, n: number): Int32Array {
  if (S.length !== n * n) throw new RangeError(`assignment: expected an ${n}×${n} matrix, got ${S.length} values`)
  if (n === 0) return new Int32Array(0)
  const cost: number[][] = Array.from({ length: n }, (_, h) => Array.from({ length: n }, (_, g) => -S[h * n + g]))
  const { rowAssignments } = linearSumAssignment(cost, { maximaze: false })
  const perm = Int32Array.from(rowAssignments)
  const seen = new Uint8Array(n)
  for (const g of perm) {
    if (!(g >= 0 && g < n) || seen[g])
      throw new Error('assignment: the solver returned no permutation (non-finite weights?)')
    seen[g] = 1
  }
  return perm
}

function checkParams(w: ArrayLike<number>, shape: MlpShape, name: string): void {
  const n = paramCount(shape)
  if (w.length !== n)
    throw new RangeError(
      `${name}: expected ${n} parameters for ${shape.inputs}→${shape.hidden}→${shape.outputs}, got ${w.length}`,
    )
}

/** S[h, g]: similarity of a's hidden unit h and b's unit g (H×H, row-major): the dot
 * product of everything attached to them (incoming weights and bias, outgoing weights). */
export function unitSimilarity(wa: ArrayLike<number>, wb: ArrayLike<number>, shape: MlpShape): Float64Array {
  checkParams(wa, shape, 'unitSimilarity (a)')
  checkParams(wb, shape, 'unitSimilarity (b)')
  const { inputs: I, hidden: H, outputs: K } = shape
  const off = paramOffsets(shape)
  const S = new Float64Array(H * H)
  // A is input-major: A[i][h] at i·H + h, so row i of A holds one input's H weights.
  const rowA = new Float64Array(H)
  for (let i = 0; i < I; i++) {
    const o = off.A + i * H
    for (let g = 0; g < H; g++) rowA[g] = wb[o + g]
    for (let h = 0; h < H; h++) {
      const x = wa[o + h]
      if (x === 0) continue
      const r = h * H
      for (let g = 0; g < H; g++) S[r + g] += x * rowA[g]
    }
  }
  for (let h = 0; h < H; h++) for (let g = 0; g < H; g++) S[h * H + g] += wa[off.a + h] * wb[off.a + g]
  for (let k = 0; k < K; k++) {
    const o = off.B + k * H
    for (let h = 0; h < H; h++) {
      const x = wa[o + h]
      const r = h * H
      for (let g = 0; g < H; g++) S[r + g] += x * wb[o + g]
    }
  }
  return S
}

/** b's parameters with its hidden units reordered: unit h of the result is b's unit
 * perm[h] (columns of A and B, entries of a); b (output biases) is unchanged. The
 * result computes the same function as b. */
export function permuteHidden(w: ArrayLike<number>, shape: MlpShape, perm: ArrayLike<number>): Float32Array {
  checkParams(w, shape, 'permuteHidden')
  const { inputs: I, hidden: H, outputs: K } = shape
  if (perm.length !== H)
    throw new RangeError(`permuteHidden: a permutation of ${H} units has ${H} entries, got ${perm.length}`)
  const off = paramOffsets(shape)
  const out = new Float32Array(w.length)
  for (let i = 0; i < I; i++) {
    const o = off.A + i * H
    for (let h = 0; h < H; h++) out[o + h] = w[o + perm[h]]
  }
  for (let h = 0; h < H; h++) out[off.a + h] = w[off.a + perm[h]]
  for (let k = 0; k < K; k++) {
    const o = off.B + k * H
    for (let h = 0; h < H; h++) out[o + h] = w[o + perm[h]]
  }
  for (let k = 0; k < K; k++) out[off.b + k] = w[off.b + k]
  return out
}

/** Weight matching: the permutation of b's hidden units onto a's, and b so permuted. */
export function alignHidden(
  wa: ArrayLike<number>,
  wb: ArrayLike<number>,
  shape: MlpShape,
): { perm: Int32Array; aligned: Float32Array } {
  const perm = maxSimilarityAssignment(unitSimilarity(wa, wb, shape), shape.hidden)
  return { perm, aligned: permuteHidden(wb, shape, perm) }
}

/** Euclidean distance between two parameter vectors. */
export function weightDistance(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new RangeError(`weightDistance: lengths differ (${x.length} vs ${y.length})`)
  let s = 0
  for (let i = 0; i < x.length; i++) s += (x[i] - y[i]) ** 2
  return Math.sqrt(s)
}
