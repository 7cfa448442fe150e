/**
 * Kruskal stress-1 of an embedding: sqrt(Σ_{i<j} (dᵢⱼ − d̂ᵢⱼ)² / Σ_{i<j} dᵢⱼ²), with d the given
 * distances and d̂ the Euclidean distances of the embedded points (normalised by the given
 * distances, as scikit-learn's `normalized_stress`).
 */
export function kruskalStress(D: Float64Array, coords: Float64Array, n: number, dims = 2): number {
  checkSquare(D, n, 'kruskalStress')
  if (coords.length !== n * dims) {
    throw new Error(`kruskalStress: coords has ${coords.length} values, expected n·dims = ${n * dims}`)
  }
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    const row = i * n
    for (let j = i + 1; j < n; j++) {
      let s = 0
      for (let k = 0; k < dims; k++) {
        const t = coords[i * dims + k]! - coords[j * dims + k]!
        s += t * t
      }
      const dij = D[row + j]!
      const e = dij - Math.sqrt(s)
      num += e * e
      den += dij * dij
    }
  }
  return den > 0 ? Math.sqrt(num / den) : 0
}

/**
 * Stress-1 of an embedding against distances known only to some points (landmark columns):
 * `rows` lists the points whose distance rows `R` (rows.length × n) holds. Each pair is counted
 * once.
 */
export function partialStress(
  R: Float64Array,
  rows: readonly number[],
  coords: Float64Array,
  n: number,
  dims = 2,
): number {
  const listed = new Map(rows.map((r, k) => [r, k]))
  let num = 0
  let den = 0
  rows.forEach((r, k) => {
    for (let j = 0; j < n; j++) {
      if (j === r) continue
      const other = listed.get(j)
      if (other !== undefined && other < k) continue // pair already counted from the other side
      let s = 0
      for (let t = 0; t < dims; t++) {
        const u = coords[r * dims + t]! - coords[j * dims + t]!
        s += u * u
      }
      const dij = R[k * n + j]!
      const e = dij - Math.sqrt(s)
      num += e * e
      den += dij * dij
    }
  })
  return den > 0 ? Math.sqrt(num / den) : 0
}

export function checkSquare(D: ArrayLike<number>, n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what}: n must be a non-negative integer (got ${n})`)
  if (D.length !== n * n) throw new Error(`${what}: D has ${D.length} values, expected n² = ${n * n}`)
}

/**
 * Each point's share of the stress: Σ_j (d̂ᵢⱼ − dᵢⱼ)² / Σ_i Σ_j (d̂ᵢⱼ − dᵢⱼ)², the numerator of
 * stress-1 (kruskalStress) split by point. Every pair is counted at both of its points, so the
 * shares sum to 1 (all zeros for a perfect embedding). Float32: it is a colouring, sent with
 * every embedding.
 */
export function pointStress(D: Float64Array, coords: Float64Array, n: number, dims = 2): Float32Array {
  checkSquare(D, n, 'pointStress')
  if (coords.length !== n * dims) {
    throw new Error(`pointStress: coords has ${coords.length} values, expected n·dims = ${n * dims}`)
  }
  const sums = new Float64Array(n)
  let total = 0
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0
      for (let k = 0; k < dims; k++) {
        const t = coords[i * dims + k]! - coords[j * dims + k]!
        s += t * t
      }
      const e = D[i * n + j]! - Math.sqrt(s)
      sums[i] += e * e
      sums[j] += e * e
      total += 2 * e * e
    }
  }
  const out = new Float32Array(n)
  if (total > 0) for (let i = 0; i < n; i++) out[i] = sums[i]! / total
  return out
}
