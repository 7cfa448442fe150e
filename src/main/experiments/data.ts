/** A spec's dataset in the form the engine trains on, loaded once per process. */
import type { DatasetSpec } from '../../shared/spec'
import { loadDataset } from '../datasets/registry'
import type { Dataset } from '../datasets/types'
import { toSparse } from '../engine/sparse'
import type { TrainData } from '../engine/train'
import { intoKernelMemory } from '../engine/wasm/runtime'

export interface LoadedData {
  data: TrainData
  dataset: Dataset
}

/** How a host loads a dataset: in this thread (the default), or in a worker thread (the
 * hosts: reading, deskewing and converting 70,000 images takes seconds, and every array is
 * a SharedArrayBuffer, so the result crosses threads without a copy). */
export type TrainDataLoader = (spec: DatasetSpec, cacheDir?: string) => Promise<LoadedData>

const memo = new Map<string, Promise<LoadedData>>()

export function loadTrainData(
  spec: DatasetSpec,
  cacheDir?: string,
  load: TrainDataLoader = readTrainData,
): Promise<LoadedData> {
  const key = JSON.stringify([spec, cacheDir ?? null])
  let p = memo.get(key)
  if (!p) {
    p = load(spec, cacheDir)
    p.catch(() => memo.delete(key))
    memo.set(key, p)
  }
  return p
}

/** Reads (and deskews) a dataset and converts it to the engine's sparse form, in this thread. */
export async function readTrainData(spec: DatasetSpec, cacheDir?: string): Promise<LoadedData> {
  const dataset = await loadDataset(spec, { cacheDir })
  const { train, test } = dataset
  // The pixels in the WebAssembly kernel's shared memory: read in place by every worker's kernel.
  const data: TrainData = {
    train: intoKernelMemory(toSparse(train.pixels, train.count, train.rows * train.cols)),
    trainLabels: train.labels,
    test: intoKernelMemory(toSparse(test.pixels, test.count, test.rows * test.cols)),
    testLabels: test.labels,
    classes: Math.max(train.classes, test.classes),
  }
  return { data, dataset }
}
