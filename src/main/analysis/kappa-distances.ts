/**
 * κ distances: the Hamming fraction between points' predicted classes (argmax per probe
 * image), by packed-class XOR/popcount, as a full symmetric matrix or rows on demand.
 */
import { checkRows, yieldToEventLoop, type DistanceOptions, type DistanceRows } from './pairwise-distances'

/**
 * Argmax class per image. `tau` holds consecutive images of C outputs each (one point's P×C
 * block, or many points' blocks back to back); the result has one class per image. Ties go to
 * the lowest class, NaN never wins.
 */
export function classesOf(tau: Float32Array, P: number, C: number): Uint8Array {
  if (C < 1 || C > 256) throw new Error(`classesOf: C must be in 1..256, got ${C}`)
  if (tau.length % (P * C) !== 0) {
    throw new Error(`classesOf: length ${tau.length} is not a multiple of P·C = ${P * C}`)
  }
  const images = tau.length / C
  const out = new Uint8Array(images)
  for (let i = 0; i < images; i++) {
    const o = i * C
    let best = 0
    let bv = -Infinity
    for (let c = 0; c < C; c++) {
      const v = tau[o + c]!
      if (v > bv) {
        bv = v
        best = c
      }
    }
    out[i] = best
  }
  return out
}

/**
 * Classes packed into 32-bit words, 8 per word (4 bits) when C ≤ 16, else 4 per word (8 bits).
 * Two points disagree on an image iff its field of a XOR b is non-zero.
 */
interface PackedClasses {
  words: Int32Array
  /** words per point */
  W: number
  /** bits per class field */
  bits: 4 | 8
}

function packClasses(K: Uint8Array, n: number, P: number, C: number): PackedClasses {
  if (K.length !== n * P) throw new Error(`hamming: K has ${K.length} values, expected n·P = ${n * P}`)
  if (C < 1 || C > 256) throw new Error(`hamming: C must be in 1..256, got ${C}`)
  const bits = C <= 16 ? 4 : 8
  const per = 32 / bits
  const W = Math.ceil(P / per)
  const words = new Int32Array(n * W)
  for (let i = 0; i < n; i++) {
    const o = i * P
    for (let p = 0; p < P; p++) {
      const c = K[o + p]!
      if (c >= C) throw new Error(`hamming: class ${c} at point ${i}, image ${p} is not below C = ${C}`)
      words[i * W + Math.floor(p / per)]! |= c << ((p % per) * bits)
    }
  }
  return { words, W, bits }
}

/** Number of images on which packed points a and b (word offsets) disagree. */
function disagreements(pk: PackedClasses, a: number, b: number): number {
  const { words, W } = pk
  let cnt = 0
  if (pk.bits === 4) {
    for (let w = 0; w < W; w++) {
      let x = words[a + w]! ^ words[b + w]!
      x |= x >>> 1
      x |= x >>> 2
      x &= 0x11111111
      cnt += Math.imul(x, 0x11111111) >>> 28
    }
  } else {
    for (let w = 0; w < W; w++) {
      let x = words[a + w]! ^ words[b + w]!
      x |= x >>> 1
      x |= x >>> 2
      x |= x >>> 4
      x &= 0x01010101
      cnt += Math.imul(x, 0x01010101) >>> 24
    }
  }
  return cnt
}

/**
 * Hamming distance fractions between n points of P predicted classes each (K row-major n×P,
 * values 0..C−1): Dᵢⱼ = #{p : Kᵢₚ ≠ Kⱼₚ} / P. Exact. (Equivalent to P − the one-hot Gram,
 * but the packed XOR/popcount kernel is faster than a P·C-wide GEMM: 1.3 s vs ~2.7 s on wasm
 * for 3 100 points, P = 1000, C = 10.)
 */
export async function hammingDistances(
  K: Uint8Array,
  n: number,
  P: number,
  C: number,
  opts: DistanceOptions = {},
): Promise<Float64Array> {
  const pk = packClasses(K, n, P, C)
  const D = new Float64Array(n * n)
  const BS = 256
  const blocks = Math.ceil(n / BS)
  for (let J = 0; J < blocks; J++) {
    const j0 = J * BS
    const j1 = Math.min(n, j0 + BS)
    for (let i = 0; i < j1; i++) {
      const a = i * pk.W
      for (let j = Math.max(j0, i + 1); j < j1; j++) {
        const v = disagreements(pk, a, j * pk.W) / P
        D[i * n + j] = v
        D[j * n + i] = v
      }
    }
    opts.onProgress?.(J + 1, blocks)
    await yieldToEventLoop()
  }
  return D
}

/** Hamming distance rows (see DistanceRows). */
export function hammingRows(K: Uint8Array, n: number, P: number, C: number): DistanceRows {
  const pk = packClasses(K, n, P, C)
  return {
    n,
    rows(rows) {
      checkRows(rows, n)
      const out = new Float64Array(rows.length * n)
      rows.forEach((r, k) => {
        const a = r * pk.W
        for (let j = 0; j < n; j++) out[k * n + j] = disagreements(pk, a, j * pk.W) / P
      })
      return out
    },
    dispose() {},
  }
}
