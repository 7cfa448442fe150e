/**
 * Matrix products A·Bᵀ for Gram matrices, on the fastest backend available.
 *
 * Order of preference (`'auto'`):
 *  1. `tensorflow` — `@tensorflow/tfjs-node` (native libtensorflow, multi-threaded), loaded by
 *     dynamic import only if it is installed and its native addon loads;
 *  2. `wasm` — `@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD; no threads under Node);
 *  3. `js` — the register-blocked Float32 kernel below (accumulates in float64).
 * `cpu` (tfjs' pure-JS backend) can be requested explicitly but is never picked by `auto`:
 * measured on the 2-core dev machine for 512×10 000 · 10 000×512 it runs at ≈0.5 GFLOPS, the
 * `js` kernel at ≈1.5–3 GFLOPS and `wasm` at ≈30–35 GFLOPS (see bench/analysis.ts).
 *
 * The tfjs backends are loaded by the engine's loader (engine/tfjs/backend.ts). tfjs has one
 * global backend per process; choosing `wasm`/`tensorflow`/`cpu` here calls `tf.setBackend`
 * once. Anything else in the same process that uses tfjs shares that choice.
 */
import * as tf from '@tensorflow/tfjs-core'
import { activateTfjsBackend, isNotInstalled, loadTfjsBackend } from '../engine/tfjs/backend'

export type GemmName = 'tensorflow' | 'wasm' | 'cpu' | 'js'
export type GemmPreference = GemmName | 'auto'

/** An operand prepared for repeated products (uploaded to the backend once). */
export interface GemmOperand {
  readonly rows: number
  readonly cols: number
  dispose(): void
}

export interface Gemm {
  readonly name: GemmName
  /** Left and right operands are the same thing (a block prepared once serves as either). */
  readonly interchangeable: boolean
  /** Make this backend the current tfjs backend again (another module may have switched it). */
  activate(): Promise<void>
  /**
   * Prepare a row-major m×k block to be used as the left factor A. Operands copy their data, but
   * libtensorflow only when a product first uses them: reuse `data` only after a multiply.
   */
  left(data: Float32Array, rows: number, cols: number): GemmOperand
  /** Prepare a row-major p×k block to be used as the right factor B (the product uses Bᵀ). */
  right(data: Float32Array, rows: number, cols: number): GemmOperand
  /** A·Bᵀ, row-major m×p. */
  multiply(a: GemmOperand, b: GemmOperand): Float32Array
}

// ---------------------------------------------------------------------------------------------
// Plain JS kernel

/**
 * C (m×p) = A (m×k) · B (p×k)ᵀ for row-major Float32 A and B. 4×4 register blocks, k in chunks
 * that stay in L1; sums are formed in float64 (JS numbers), so the result is more accurate than
 * a float32 GEMM, though ~20× slower than XNNPACK.
 */
export function gemmABtJs(A: Float32Array, m: number, k: number, B: Float32Array, p: number): Float32Array {
  const C = new Float64Array(m * p)
  const KC = 512
  for (let k0 = 0; k0 < k; k0 += KC) {
    const k1 = Math.min(k, k0 + KC)
    for (let i = 0; i < m; i += 4) {
      const ni = Math.min(4, m - i)
      const a0 = i * k
      const a1 = (i + (ni > 1 ? 1 : 0)) * k
      const a2 = (i + (ni > 2 ? 2 : 0)) * k
      const a3 = (i + (ni > 3 ? 3 : 0)) * k
      for (let j = 0; j < p; j += 4) {
        const nj = Math.min(4, p - j)
        const b0 = j * k
        const b1 = (j + (nj > 1 ? 1 : 0)) * k
        const b2 = (j + (nj > 2 ? 2 : 0)) * k
        const b3 = (j + (nj > 3 ? 3 : 0)) * k
        let c00 = 0,
          c01 = 0,
          c02 = 0,
          c03 = 0,
          c10 = 0,
          c11 = 0,
          c12 = 0,
          c13 = 0
        let c20 = 0,
          c21 = 0,
          c22 = 0,
          c23 = 0,
          c30 = 0,
          c31 = 0,
          c32 = 0,
          c33 = 0
        for (let t = k0; t < k1; t++) {
          const x0 = A[a0 + t]!,
            x1 = A[a1 + t]!,
            x2 = A[a2 + t]!,
            x3 = A[a3 + t]!
          const y0 = B[b0 + t]!,
            y1 = B[b1 + t]!,
            y2 = B[b2 + t]!,
            y3 = B[b3 + t]!
          c00 += x0 * y0
          c01 += x0 * y1
          c02 += x0 * y2
          c03 += x0 * y3
          c10 += x1 * y0
          c11 += x1 * y1
          c12 += x1 * y2
          c13 += x1 * y3
          c20 += x2 * y0
          c21 += x2 * y1
          c22 += x2 * y2
          c23 += x2 * y3
          c30 += x3 * y0
          c31 += x3 * y1
          c32 += x3 * y2
          c33 += x3 * y3
        }
        const r0 = i * p + j
        C[r0] += c00
        if (nj > 1) C[r0 + 1] += c01
        if (nj > 2) C[r0 + 2] += c02
        if (nj > 3) C[r0 + 3] += c03
        if (ni > 1) {
          const r1 = r0 + p
          C[r1] += c10
          if (nj > 1) C[r1 + 1] += c11
          if (nj > 2) C[r1 + 2] += c12
          if (nj > 3) C[r1 + 3] += c13
        }
        if (ni > 2) {
          const r2 = r0 + 2 * p
          C[r2] += c20
          if (nj > 1) C[r2 + 1] += c21
          if (nj > 2) C[r2 + 2] += c22
          if (nj > 3) C[r2 + 3] += c23
        }
        if (ni > 3) {
          const r3 = r0 + 3 * p
          C[r3] += c30
          if (nj > 1) C[r3 + 1] += c31
          if (nj > 2) C[r3 + 2] += c32
          if (nj > 3) C[r3 + 3] += c33
        }
      }
    }
  }
  return Float32Array.from(C)
}

interface JsOperand extends GemmOperand {
  readonly data: Float32Array
}

const jsGemm: Gemm = {
  name: 'js',
  interchangeable: true,
  async activate() {},
  left: (data, rows, cols) => jsOperand(data, rows, cols),
  right: (data, rows, cols) => jsOperand(data, rows, cols),
  multiply(a, b) {
    const A = a as JsOperand
    const B = b as JsOperand
    if (A.cols !== B.cols) throw new Error(`gemm: inner dimensions differ (${A.cols} vs ${B.cols})`)
    return gemmABtJs(A.data, A.rows, A.cols, B.data, B.rows)
  },
}

function jsOperand(data: Float32Array, rows: number, cols: number): JsOperand {
  checkShape(data, rows, cols)
  return { data: data.slice(), rows, cols, dispose() {} }
}

// ---------------------------------------------------------------------------------------------
// tfjs backends

interface TfOperand extends GemmOperand {
  readonly tensor: tf.Tensor2D
}

/**
 * XNNPACK (wasm) multiplies A·B fast when B is stored k×p; asking for transposeB makes it ~10×
 * slower, so its right operands are transposed in JS once when they are prepared. libtensorflow
 * (oneDNN) takes transposeB at full speed: there the JS transpose, which cost about a third of
 * fig1's distance matrix (1 s CPU of 3), is skipped.
 */
function tfGemm(name: GemmName): Gemm {
  const nativeTranspose = name === 'tensorflow'
  return {
    name,
    interchangeable: nativeTranspose,
    async activate() {
      if (tf.getBackend() !== name && !(await tf.setBackend(name))) {
        throw new Error(`gemm: could not switch tfjs back to '${name}'`)
      }
    },
    left(data, rows, cols) {
      checkShape(data, rows, cols)
      return tfOperand(tf.tensor2d(data, [rows, cols]), rows, cols)
    },
    right(data, rows, cols) {
      checkShape(data, rows, cols)
      if (nativeTranspose) return tfOperand(tf.tensor2d(data, [rows, cols]), rows, cols)
      return tfOperand(tf.tensor2d(transpose(data, rows, cols), [cols, rows]), rows, cols)
    },
    multiply(a, b) {
      const A = a as TfOperand
      const B = b as TfOperand
      if (A.cols !== B.cols) throw new Error(`gemm: inner dimensions differ (${A.cols} vs ${B.cols})`)
      const C = tf.matMul(A.tensor, B.tensor, false, nativeTranspose)
      try {
        return C.dataSync() as Float32Array
      } finally {
        C.dispose()
      }
    },
  }
}

function tfOperand(tensor: tf.Tensor2D, rows: number, cols: number): TfOperand {
  return { tensor, rows, cols, dispose: () => tensor.dispose() }
}

/**
 * Aᵀ·B (k×p, row-major) for row-major A (m×k) and B (m×p): what a streamed PCA accumulates block
 * by block (Xᵀ·(X·Q)). On a tfjs backend one product with transposeA (no JS transpose of A); on the
 * JS kernel a float64 loop.
 */
export function multiplyTransposedA(
  gemm: Gemm,
  A: Float32Array,
  m: number,
  k: number,
  B: Float32Array,
  p: number,
): Float32Array {
  checkShape(A, m, k)
  checkShape(B, m, p)
  if (gemm.name !== 'js') {
    const C = tf.tidy(() => tf.matMul(tf.tensor2d(A, [m, k]), tf.tensor2d(B, [m, p]), true, false))
    try {
      return C.dataSync() as Float32Array
    } finally {
      C.dispose()
    }
  }
  const C = new Float64Array(k * p)
  for (let i = 0; i < m; i++) {
    const a = i * k
    const b = i * p
    for (let t = 0; t < k; t++) {
      const x = A[a + t]!
      if (x === 0) continue
      const c = t * p
      for (let j = 0; j < p; j++) C[c + j] += x * B[b + j]!
    }
  }
  return Float32Array.from(C)
}

/** Row-major r×c → row-major c×r, in cache-friendly tiles. */
export function transpose(data: Float32Array, r: number, c: number): Float32Array {
  const out = new Float32Array(r * c)
  const T = 32
  for (let i0 = 0; i0 < r; i0 += T) {
    const i1 = Math.min(r, i0 + T)
    for (let j0 = 0; j0 < c; j0 += T) {
      const j1 = Math.min(c, j0 + T)
      for (let i = i0; i < i1; i++) {
        const src = i * c
        for (let j = j0; j < j1; j++) out[j * r + i] = data[src + j]!
      }
    }
  }
  return out
}

function checkShape(data: Float32Array, rows: number, cols: number): void {
  if (data.length !== rows * cols) {
    throw new Error(`gemm: operand has ${data.length} values, expected ${rows}×${cols}`)
  }
}

// ---------------------------------------------------------------------------------------------
// Backend selection

/**
 * Loads and activates a tfjs backend through the engine's one loader; false if it is not
 * available. One that is installed but broken is not skipped in silence: its reason is logged.
 */
async function available(name: Exclude<GemmName, 'js'>, log = true): Promise<boolean> {
  try {
    await loadTfjsBackend(name)
    await activateTfjsBackend(name)
    return true
  } catch (e) {
    if (log && !isNotInstalled(e))
      console.warn(
        `sgdscope: matrix products: the ${name} backend failed (${(e as Error).message?.split('\n')[0] ?? String(e)}); falling back`,
      )
    return false
  }
}

const cache = new Map<GemmPreference, Promise<Gemm>>()

/**
 * The GEMM backend for `preference` (default `'auto'`: tensorflow → wasm → js). A named
 * preference that cannot be loaded rejects. The choice is memoised for the process.
 */
export function getGemm(preference: GemmPreference = 'auto'): Promise<Gemm> {
  let p = cache.get(preference)
  if (!p) {
    p = selectGemm(preference)
    cache.set(preference, p)
    p.catch(() => cache.delete(preference))
  }
  return p
}

async function selectGemm(preference: GemmPreference): Promise<Gemm> {
  if (preference === 'js') return jsGemm
  if (preference !== 'auto') {
    if (await available(preference, false)) return tfGemm(preference)
    throw new Error(`gemm: the tfjs backend '${preference}' is not available`)
  }
  for (const name of ['tensorflow', 'wasm'] as const) {
    if (await available(name)) return tfGemm(name)
  }
  return jsGemm
}
