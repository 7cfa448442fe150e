/** A spec's dataset in the form the engine trains on, loaded once per process. */
import type { DatasetSpec } from '../../shared/spec'
import { loadDataset } from '../datasets/registry'
import type { Dataset } from '../datasets/types'
import { toSparse } from '../engine/sparse'
import type { TrainData } from '../engine/train'

const memo = new Map<string, Promise<{ data: TrainData; dataset: Dataset }>>()

export function loadTrainData(spec: DatasetSpec, cacheDir?: string): Promise<{ data: TrainData; dataset: Dataset }> {
  const key = JSON.stringify([spec, cacheDir ?? null])
  let p = memo.get(key)
  if (!p) {
    p = (async () => {
      const dataset = await loadDataset(spec, { cacheDir })
      const { train, test } = dataset
      const data: TrainData = {
        train: toSparse(train.pixels, train.count, train.rows * train.cols),
        trainLabels: train.labels,
        test: toSparse(test.pixels, test.count, test.rows * test.cols),
        testLabels: test.labels,
        classes: Math.max(train.classes, test.classes),
      }
      return { data, dataset }
    })()
    p.catch(() => memo.delete(key))
    memo.set(key, p)
  }
  return p
}
