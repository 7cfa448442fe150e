/**
 * Deskewing by the moment method (docs/method.md, the paper's variant of MNIST): per
 * image compute the intensity-weighted centre (r̄, c̄) and second moments,
 * α = cov(r,c)/var(r); output pixel (r, c) samples the input at
 *   (r + r̄ − R/2,  c + α(r − R/2) + c̄ − C/2)
 * with bilinear interpolation, zero outside, clipped to [0,1]. This shears the slant
 * away and moves the centre of mass to (R/2, C/2) (= (14, 14) for 28×28).
 */

/** Bump when the algorithm's output changes, so cached deskewed pixels are recomputed. */
export const DESKEW_VERSION = 1

/** Deskews one rows×cols image of floats in [0,1] into `out` (must not alias `src`). */
export function deskewImage(src: Float32Array, rows: number, cols: number, out: Float32Array): void {
  let total = 0
  let sr = 0
  let sc = 0
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++, i++) {
      const w = src[i]!
      total += w
      sr += w * r
      sc += w * c
    }
  }
  if (total <= 0) {
    // Nothing to centre: an empty image stays empty.
    out.fill(0, 0, rows * cols)
    return
  }
  const mr = sr / total
  const mc = sc / total
  let vr = 0
  let crc = 0
  for (let r = 0, i = 0; r < rows; r++) {
    const dr = r - mr
    for (let c = 0; c < cols; c++, i++) {
      const w = src[i]!
      if (w === 0) continue
      vr += w * dr * dr
      crc += w * dr * (c - mc)
    }
  }
  // A single-row image has no vertical extent, so there is no slant to measure.
  const alpha = vr > 0 ? crc / vr : 0
  const hr = rows / 2
  const hc = cols / 2
  for (let r = 0, i = 0; r < rows; r++) {
    const y = r + mr - hr
    const y0 = Math.floor(y)
    const fy = y - y0
    const rowOk0 = y0 >= 0 && y0 < rows
    const rowOk1 = y0 + 1 >= 0 && y0 + 1 < rows
    const base0 = y0 * cols
    const base1 = base0 + cols
    // The column offset depends only on the row: a shear.
    const shift = alpha * (r - hr) + mc - hc
    for (let c = 0; c < cols; c++, i++) {
      const x = c + shift
      const x0 = Math.floor(x)
      const fx = x - x0
      const colOk0 = x0 >= 0 && x0 < cols
      const colOk1 = x0 + 1 >= 0 && x0 + 1 < cols
      let v = 0
      if (rowOk0) {
        if (colOk0) v += (1 - fy) * (1 - fx) * src[base0 + x0]!
        if (colOk1) v += (1 - fy) * fx * src[base0 + x0 + 1]!
      }
      if (rowOk1) {
        if (colOk0) v += fy * (1 - fx) * src[base1 + x0]!
        if (colOk1) v += fy * fx * src[base1 + x0 + 1]!
      }
      out[i] = v < 0 ? 0 : v > 1 ? 1 : v
    }
  }
}

/**
 * Deskews `count` consecutive images. Bytes are scaled by 1/255 on the way (so raw IDX
 * data needs no float copy first); floats are taken as they are. Each image is copied
 * to a scratch buffer first, so `out` may be `src` itself. Returns `out`.
 */
export function deskewAll(
  src: Uint8Array | Float32Array,
  count: number,
  rows: number,
  cols: number,
  out: Float32Array = new Float32Array(count * rows * cols),
): Float32Array {
  const n = rows * cols
  if (src.length < count * n || out.length < count * n)
    throw new RangeError(`deskewAll: buffers hold fewer than ${count} images of ${rows}×${cols}`)
  const scratch = new Float32Array(n)
  for (let k = 0; k < count; k++) {
    const off = k * n
    if (src instanceof Float32Array) scratch.set(src.subarray(off, off + n))
    else for (let i = 0; i < n; i++) scratch[i] = src[off + i]! / 255
    deskewImage(scratch, rows, cols, out.subarray(off, off + n))
  }
  return out
}
