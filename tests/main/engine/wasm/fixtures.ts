/** Small synthetic training data and spec shared by the kernel-selection tests and their child process. */
import { Rng } from '../../../../src/main/engine/rng'
import { toSparse } from '../../../../src/main/engine/sparse'
import type { TrainData } from '../../../../src/main/engine/train'
import { parseSpec, type MlpSpec } from '../../../../src/shared/spec'

/** 600 training and 200 test images of 64 pixels, 4 classes, each class a fixed pixel pattern plus noise. */
export function syntheticTrainData(): TrainData {
  const rng = new Rng(12)
  const dim = 64
  const templates = Array.from({ length: 4 }, () => Array.from({ length: dim }, () => rng.next() < 0.3))
  const make = (n: number) => {
    const x = new Float32Array(n * dim)
    const labels = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      const c = rng.int(4)
      labels[i] = c
      for (let p = 0; p < dim; p++)
        if (templates[c]![p] ? rng.next() < 0.8 : rng.next() < 0.05)
          x[i * dim + p] = rng.next() < 0.5 ? 1 : Math.fround(rng.next())
    }
    return { images: toSparse(x, n, dim), labels }
  }
  const train = make(600)
  const test = make(200)
  return { train: train.images, trainLabels: train.labels, test: test.images, testLabels: test.labels, classes: 4 }
}

export const SMALL_SPEC = parseSpec({ hidden: 12, lr: 0.5, probe: 100, trainSubset: 300, epochs: 1 }) as MlpSpec
