/**
 * Which kernel the fused engine uses: the WebAssembly SIMD kernel (WasmMlp) wherever
 * WebAssembly SIMD is available, else the TypeScript reference (FusedMlp). The
 * environment variable SGDSCOPE_KERNEL=ts|wasm forces one (worker threads inherit the
 * environment, so every worker of a run uses the same kernel, which keeps runs
 * bit-identical across worker counts). Forcing `wasm` where it is unavailable is an
 * error, not a silent fallback.
 */
import { DeepMlp } from '../deep-mlp'
import { FusedMlp, isDeep, type Loss, type MlpKernel, type MlpShape, type TrainOptions } from '../mlp'
import { kernelModule } from './runtime'
import { WasmMlp } from './wasm-mlp'

export { WasmMlp } from './wasm-mlp'

export type KernelName = 'wasm' | 'ts'

export const KERNEL_ENV = 'SGDSCOPE_KERNEL'

/** Whether this runtime can run the WebAssembly SIMD kernel, and why (not). */
export function wasmKernelStatus(): { available: boolean; reason: string } {
  const { module, reason } = kernelModule()
  return { available: module !== null, reason }
}

/** The kernel to use here, and why (suitable for a run's engine record). */
export function chooseKernel(env: Record<string, string | undefined> = process.env): {
  kernel: KernelName
  reason: string
} {
  const raw = env[KERNEL_ENV]?.trim().toLowerCase()
  const status = wasmKernelStatus()
  if (raw === undefined || raw === '' || raw === 'auto') {
    return status.available
      ? { kernel: 'wasm', reason: 'WebAssembly SIMD kernel (available here)' }
      : { kernel: 'ts', reason: `TypeScript kernel: ${status.reason}` }
  }
  if (raw === 'ts') return { kernel: 'ts', reason: `TypeScript kernel (${KERNEL_ENV}=ts)` }
  if (raw === 'wasm') {
    if (!status.available)
      throw new Error(`${KERNEL_ENV}=wasm, but the WebAssembly SIMD kernel is unavailable: ${status.reason}`)
    return { kernel: 'wasm', reason: `WebAssembly SIMD kernel (${KERNEL_ENV}=wasm)` }
  }
  throw new RangeError(`${KERNEL_ENV} must be "ts", "wasm" or "auto" (got "${env[KERNEL_ENV]}")`)
}

/** A network with the given (or the chosen) kernel; arguments as for FusedMlp. */
export function createMlp(
  shape: MlpShape,
  loss: Loss,
  params: Float32Array,
  momentum = 0,
  velocity?: Float32Array,
  kernel: KernelName = chooseKernel().kernel,
  options?: TrainOptions,
): MlpKernel {
  if (kernel === 'wasm') return new WasmMlp(shape, loss, params, momentum, velocity, options)
  // The TypeScript kernels: FusedMlp for one hidden layer, DeepMlp for 2–4.
  return isDeep(shape)
    ? new DeepMlp(shape, loss, params, momentum, velocity, options)
    : new FusedMlp(shape, loss, params, momentum, velocity, options)
}
