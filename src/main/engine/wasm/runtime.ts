/**
 * The WebAssembly SIMD kernel's runtime: one compiled module per process, one instance
 * (one linear memory) per thread, shared by all the networks that thread trains. The
 * module's bytes are embedded in generated/kernel.js (built by build.mjs from
 * assembly/kernel.ts), so loading needs no file path: the same code works from the
 * TypeScript sources, from the electron-vite bundle in out/main, in worker threads and
 * inside Electron's asar archive.
 */
import type { SparseImages } from '../sparse'
import { wasmBase64 } from './generated/kernel.js'

// The project compiles without the DOM lib, which declares the WebAssembly JS API; this
// is the part of it used here.
interface WasmModule {
  readonly __wasmModule?: never
}
/** A shared WebAssembly.Memory (structured-cloneable: posted to a worker, it is the same memory). */
export interface KernelMemory {
  readonly buffer: SharedArrayBuffer
  grow(pages: number): number
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean
  Module: new (bytes: Uint8Array) => WasmModule
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> }
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => KernelMemory
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly

/** The kernel's exports (see assembly/kernel.ts). Addresses are byte offsets into memory. */
export interface KernelExports {
  heapBase(): number
  lastErrors(): number
  forward(net: number, xi: number, xv: number, nnz: number): void
  stepOne(net: number, xi: number, xv: number, nnz: number, t: number, lr: number): number
  accumulate(net: number, xi: number, xv: number, nnz: number, t: number, scale: number): number
  apply(net: number, lr: number, mu: number, wd: number, nesterov: number): void
  clearAccumulators(net: number): void
  evaluate(net: number, xi: number, xv: number, ptr: number, labels: number, count: number, out: number): number
}

let compiled: { module: WasmModule | null; reason: string } | null = null

/** The compiled kernel, or null (with the reason) where WebAssembly or its SIMD extension is unavailable. */
export function kernelModule(): { module: WasmModule | null; reason: string } {
  if (compiled === null) compiled = compile()
  return compiled
}

function compile(): { module: WasmModule | null; reason: string } {
  if (typeof wasm !== 'object' || wasm === null) return { module: null, reason: 'WebAssembly is not available' }
  let bytes: Uint8Array
  try {
    bytes = base64Bytes(wasmBase64)
  } catch (e) {
    return { module: null, reason: `the embedded kernel is unreadable (${(e as Error).message})` }
  }
  if (!wasm.validate(bytes)) return { module: null, reason: 'this runtime does not support WebAssembly SIMD' }
  try {
    // Synchronous compilation is fine in Node and Electron's main process and workers
    // (only browser main threads limit it), and the module is small (~14 KB).
    return { module: new wasm.Module(bytes), reason: 'WebAssembly SIMD available' }
  } catch (e) {
    return { module: null, reason: `WebAssembly compilation failed (${(e as Error).message})` }
  }
}

function base64Bytes(b64: string): Uint8Array {
  if (typeof Buffer === 'function') return new Uint8Array(Buffer.from(b64, 'base64'))
  const s = atob(b64)
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

/** Pages of 64 KiB; the module declares at most 65 536 (4 GiB, wasm32's whole range). */
const PAGE = 65536
const MAX_PAGES = 65536

/**
 * A new kernel memory, shared (a SharedArrayBuffer underneath), so that worker threads can
 * instantiate the kernel on it: what one thread stores there (the dataset) the others read in place.
 */
export function newKernelMemory(): KernelMemory {
  if (!wasm) throw new Error('WebAssembly is not available')
  return new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true })
}

/**
 * This thread's instance of the kernel, with typed-array views of its memory. The memory
 * may be shared with other threads (each with its own instance): allocation is done here,
 * not by the module, from a bump pointer in the memory itself (an i32 at the module's heap
 * base, advanced with Atomics, so threads never hand out the same bytes); freed blocks go
 * to this thread's free lists by size and are reused first.
 */
export class KernelRuntime {
  readonly ex: KernelExports
  readonly memory: KernelMemory
  private buffer: SharedArrayBuffer
  u8: Uint8Array
  i32: Int32Array
  f32: Float32Array
  f64: Float64Array
  /** byte address of the shared bump pointer */
  private readonly top: number
  private readonly freeBlocks = new Map<number, number[]>()
  private readonly sizes = new Map<number, number>()

  constructor(module: WasmModule, memory: KernelMemory = newKernelMemory()) {
    this.memory = memory
    this.ex = new wasm!.Instance(module, { env: { memory } }).exports as unknown as KernelExports
    this.buffer = memory.buffer
    this.u8 = new Uint8Array(this.buffer)
    this.i32 = new Int32Array(this.buffer)
    this.f32 = new Float32Array(this.buffer)
    this.f64 = new Float64Array(this.buffer)
    this.top = (this.ex.heapBase() + 15) & ~15
    // The first thread on this memory starts the bump pointer just above it.
    Atomics.compareExchange(this.i32, this.top >> 2, 0, this.top + 16)
  }

  /** Re-creates the views if the memory has grown (any thread may grow it). */
  refresh(): void {
    const b = this.memory.buffer
    if (b.byteLength !== this.buffer.byteLength) {
      this.buffer = b
      this.u8 = new Uint8Array(b)
      this.i32 = new Int32Array(b)
      this.f32 = new Float32Array(b)
      this.f64 = new Float64Array(b)
    }
  }

  /**
   * A block of at least `bytes` bytes, 16-byte aligned (f32x4 rows), zero-filled.
   * Returns [address, address to free] (the same address: the pair is kept for the callers).
   */
  alloc(bytes: number): [number, number] {
    const size = Math.max(16, (bytes + 15) & ~15)
    let ptr = this.freeBlocks.get(size)?.pop()
    if (ptr === undefined) {
      ptr = Atomics.add(this.i32, this.top >> 2, size)
      const end = ptr + size
      if (end > 2 ** 32 - PAGE)
        throw new RangeError(`WebAssembly kernel: out of memory allocating ${bytes} bytes (4 GiB in use)`)
      const have = this.memory.buffer.byteLength
      // Another thread may grow at the same time: then the memory grows a little more than needed.
      if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE))
      this.sizes.set(ptr, size)
    }
    this.refresh()
    this.u8.fill(0, ptr, ptr + bytes)
    return [ptr, ptr]
  }

  free(ptr: number): void {
    const size = this.sizes.get(ptr)
    if (size === undefined) return
    let list = this.freeBlocks.get(size)
    if (!list) this.freeBlocks.set(size, (list = []))
    list.push(ptr)
  }

  // Scratch shared by every network of this thread: the current sample's pixels, and a
  // chunk of images for evaluate() and minibatches.
  private sampleCap = 0
  private sampleRaw = [0, 0]
  /** i32 pixel indices and f32 values of one sample (capacity ≥ the image dimension). */
  sampleXi = 0
  sampleXv = 0

  /** Ensures the sample buffers hold `dim` pixels. */
  ensureSample(dim: number): void {
    if (dim <= this.sampleCap) return
    const cap = Math.max(dim, 1024)
    if (this.sampleCap > 0) for (const r of this.sampleRaw) this.free(r)
    const [xi, rxi] = this.alloc(4 * cap)
    const [xv, rxv] = this.alloc(4 * cap)
    this.sampleXi = xi
    this.sampleXv = xv
    this.sampleRaw = [rxi, rxv]
    this.sampleCap = cap
  }

  private chunkRaw: number[] = []
  /** Chunk of images in CSR form: pixels (xi, xv; chunkNnz), offsets (ptr; chunkImages + 1),
   * labels (u8), outputs (f32; chunkImages × chunkOutputs). */
  chunk = { xi: 0, xv: 0, ptr: 0, labels: 0, out: 0, nnz: 0, images: 0, outputs: 0 }

  ensureChunk(dim: number, outputs: number): void {
    const c = this.chunk
    const nnz = Math.max(dim, 1 << 16)
    if (c.nnz >= nnz && c.outputs >= outputs) return
    for (const r of this.chunkRaw) this.free(r)
    const images = 512
    const [xi, r1] = this.alloc(4 * nnz)
    const [xv, r2] = this.alloc(4 * nnz)
    const [ptr, r3] = this.alloc(4 * (images + 1))
    const [labels, r4] = this.alloc(images)
    const [out, r5] = this.alloc(4 * images * outputs)
    this.chunkRaw = [r1, r2, r3, r4, r5]
    this.chunk = { xi, xv, ptr, labels, out, nnz, images, outputs }
  }
}

let runtime: KernelRuntime | null = null

/**
 * This thread's kernel runtime (created on first use, on `memory` if given: a worker thread
 * passes the memory its dataset lives in); throws if WebAssembly SIMD is unavailable.
 */
export function kernelRuntime(memory?: KernelMemory): KernelRuntime {
  if (runtime === null) {
    const { module, reason } = kernelModule()
    if (module === null) throw new Error(`the WebAssembly kernel is unavailable: ${reason}`)
    runtime = new KernelRuntime(module, memory)
  }
  return runtime
}

/**
 * Sparse images with their pixels (indices, values) moved into this thread's kernel memory,
 * marked with it (`memory`): the WebAssembly kernel then reads a sample where it lies, and
 * worker threads given these arrays instantiate their kernels on the same memory, so the
 * dataset exists once, not once per worker. Unchanged where WebAssembly SIMD is unavailable.
 */
export function intoKernelMemory(images: SparseImages): SparseImages {
  if (kernelModule().module === null) return images
  const rt = kernelRuntime()
  if (images.memory === rt.memory) return images
  const n = images.indptr[images.count]!
  const [xi] = rt.alloc(4 * n)
  const [xv] = rt.alloc(4 * n)
  rt.refresh()
  const indices = new Int32Array(rt.memory.buffer, xi, n)
  const values = new Float32Array(rt.memory.buffer, xv, n)
  indices.set(images.indices.subarray(0, n))
  values.set(images.values.subarray(0, n))
  return { ...images, indices, values, memory: rt.memory }
}
