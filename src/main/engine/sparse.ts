/**
 * Images in compressed sparse row (CSR) form: only the non-zero pixels. MNIST digits
 * are ~80 % zeros, and the fused engine's first layer works only on the non-zeros.
 *
 * Image i's non-zero pixels are `indices[indptr[i] .. indptr[i+1])` (ascending pixel
 * index) with values `values[...]` at the same positions.
 */
export interface SparseImages {
  count: number
  dim: number
  indptr: Int32Array
  indices: Int32Array
  values: Float32Array
  /** Set when indices and values are views of a shared WebAssembly kernel memory (this one:
   * wasm/runtime.ts, intoKernelMemory), so that the kernel reads them in place. */
  memory?: object
}

function buffer(bytes: number, shared: boolean): ArrayBufferLike {
  return shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)
}

/**
 * CSR of the non-zero pixels of `count` dense images of `dim` pixels each
 * (`pixels` is count×dim, row-major). With `shared` (default) the arrays are backed by
 * SharedArrayBuffers, so posting the result to worker_threads shares it instead of
 * copying it.
 */
export function toSparse(pixels: Float32Array, count: number, dim: number, shared = true): SparseImages {
  if (!Number.isInteger(count) || count < 0 || !Number.isInteger(dim) || dim < 0) {
    throw new RangeError(`toSparse: count and dim must be non-negative integers (got ${count}, ${dim})`)
  }
  if (pixels.length < count * dim) {
    throw new RangeError(`toSparse: ${pixels.length} pixels cannot hold ${count} images of ${dim} pixels`)
  }
  const n = count * dim
  let nnz = 0
  for (let j = 0; j < n; j++) if (pixels[j] !== 0) nnz++
  const indptr = new Int32Array(buffer(4 * (count + 1), shared))
  const indices = new Int32Array(buffer(4 * nnz, shared))
  const values = new Float32Array(buffer(4 * nnz, shared))
  let q = 0
  for (let i = 0; i < count; i++) {
    indptr[i] = q
    const base = i * dim
    for (let p = 0; p < dim; p++) {
      const v = pixels[base + p]!
      if (v !== 0) {
        indices[q] = p
        values[q] = v
        q++
      }
    }
  }
  indptr[count] = q
  return { count, dim, indptr, indices, values }
}

/** Dense count×dim copy of sparse images (for tests, cross-checks and other engines). */
export function toDense(images: SparseImages, from = 0, to = images.count): Float32Array {
  const { dim, indptr, indices, values } = images
  const out = new Float32Array((to - from) * dim)
  for (let i = from; i < to; i++) {
    const base = (i - from) * dim
    for (let q = indptr[i]!; q < indptr[i + 1]!; q++) out[base + indices[q]!] = values[q]!
  }
  return out
}

/** Mean number of non-zero pixels per image. */
export function meanNonZeros(images: SparseImages): number {
  return images.count === 0 ? 0 : images.indptr[images.count]! / images.count
}
