import { Rng } from '../../../../src/main/engine/rng'
import { toSparse, type SparseImages } from '../../../../src/main/engine/sparse'
import type { MlpShape } from '../../../../src/main/engine/mlp'

/** n random images with about `density` non-zero pixels (values in (0, 1], some exactly 1) and random labels. */
export function randomData(
  n: number,
  shape: MlpShape,
  density: number,
  seed: number,
): { x: Float32Array; images: SparseImages; labels: Uint8Array } {
  const rng = new Rng(seed)
  const x = new Float32Array(n * shape.inputs)
  for (let j = 0; j < x.length; j++) if (rng.next() < density) x[j] = rng.next() < 0.3 ? 1 : 1 - rng.next()
  const labels = Uint8Array.from({ length: n }, () => rng.int(shape.outputs))
  return { x, images: toSparse(x, n, shape.inputs), labels }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}
