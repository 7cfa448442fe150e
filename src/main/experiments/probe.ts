/** The probe set a run was measured on, as a fingerprint (stored, or computed for old runs). */
import type { RunArchive, ProbeInfo } from '../archive/run'
import { probeInfo } from '../archive/probe'
import type { Dataset } from '../datasets/types'
import { loadTrainData } from './data'

/** The fingerprint of the first `probe` test images of a dataset (deskewed if it is). */
export function datasetProbe(dataset: Dataset, probe: number): ProbeInfo {
  const { test } = dataset
  const P = Math.min(probe, test.count)
  const pixels = test.pixels.subarray(0, P * test.rows * test.cols)
  return probeInfo(test.labels.subarray(0, P), pixels, `${dataset.id}:test[0:${P}]`)
}

/** The probe set's fingerprint: stored in the run (external runs, newer engine runs),
 * else computed from the dataset of an MLP run; null for the stochastic model. */
export async function runProbe(run: RunArchive, cacheDir?: string): Promise<ProbeInfo | null> {
  if (run.attrs.probe) return run.attrs.probe
  const spec = run.attrs.spec
  if (spec.kind !== 'mlp') return null
  const { dataset } = await loadTrainData(spec.dataset, cacheDir)
  return datasetProbe(dataset, run.attrs.pointShape[0])
}
