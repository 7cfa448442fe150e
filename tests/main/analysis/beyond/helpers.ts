/** Small synthetic networks and data for the beyond-the-paper tests. */
import { FusedMlp, initParams, type MlpShape } from '../../../../src/main/engine/mlp'
import { Rng } from '../../../../src/main/engine/rng'
import { toSparse, type SparseImages } from '../../../../src/main/engine/sparse'

/** A random permutation of 0..n−1. */
export function randomPermutation(n: number, rng: Rng): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[p[i], p[j]] = [p[j], p[i]]
  }
  return p
}

/** `count` images of `inputs` pixels in `classes` classes: each class lights its own
 * band of pixels (with noise), so a small network learns it in a few hundred steps. */
export function syntheticData(
  count: number,
  inputs: number,
  classes: number,
  seed = 7,
): { images: SparseImages; labels: Uint8Array } {
  const rng = new Rng(seed)
  const pixels = new Float32Array(count * inputs)
  const labels = new Uint8Array(count)
  const band = Math.floor(inputs / classes)
  for (let i = 0; i < count; i++) {
    const c = i % classes
    labels[i] = c
    for (let p = 0; p < inputs; p++) {
      const on = p >= c * band && p < (c + 1) * band
      const v = (on ? 0.8 : 0) + (rng.next() < 0.15 ? rng.uniform(0, 0.6) : 0)
      pixels[i * inputs + p] = Math.min(1, v)
    }
  }
  return { images: toSparse(pixels, count, inputs, false), labels }
}

/** A network of `shape` trained by SGD (batch 1) for `steps` steps on the data. */
export function trainedNetwork(
  shape: MlpShape,
  data: { images: SparseImages; labels: Uint8Array },
  steps: number,
  seed = 3,
  lr = 1,
): Float32Array {
  const params = initParams(shape, 'torch7', 0, new Rng(seed))
  const net = new FusedMlp(shape, 'mse', params)
  const rng = new Rng(seed + 1000)
  for (let s = 0; s < steps; s++) net.step(data.images, data.labels, [rng.int(data.images.count)], lr)
  return net.readParams()
}
