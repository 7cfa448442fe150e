/** Builders and measurements shared by the dataset tests. */

/** An IDX file in memory: magic (0, 0, type, ndims), big-endian dims, data. */
export function idxBytes(dims: number[], data: ArrayLike<number>, type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length)
  out[2] = type
  out[3] = dims.length
  const view = new DataView(out.buffer)
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false))
  out.set(data, 4 + 4 * dims.length)
  return out
}

export interface Moments {
  total: number
  /** Intensity-weighted centre (row, column). */
  mr: number
  mc: number
  varR: number
  varC: number
  cov: number
}

export function moments(img: ArrayLike<number>, rows: number, cols: number, offset = 0): Moments {
  let total = 0
  let sr = 0
  let sc = 0
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const w = img[offset + r * cols + c]!
      total += w
      sr += w * r
      sc += w * c
    }
  const mr = sr / total
  const mc = sc / total
  let varR = 0
  let varC = 0
  let cov = 0
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const w = img[offset + r * cols + c]!
      varR += w * (r - mr) ** 2
      varC += w * (c - mc) ** 2
      cov += w * (r - mr) * (c - mc)
    }
  return { total, mr, mc, varR: varR / total, varC: varC / total, cov: cov / total }
}
