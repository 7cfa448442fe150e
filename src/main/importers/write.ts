/**
 * Writes a validated import with the format-2 writer's one-shot atomic write
 * (archive/external-run.ts): the whole run is built in a hidden folder and renamed into
 * place, so a failed or cancelled import leaves nothing behind.
 */
import * as path from 'node:path'
import { writeExternalRun } from '../archive/external-run'
import type { RunArchive } from '../archive/run'
import { ImportCancelled, type ReadProgress } from './source'
import type { ImportedRun } from './validate'

export interface WriteOptions {
  id: string
  name: string
  meta: Record<string, unknown>
  signal?: AbortSignal
  onProgress?: (p: ReadProgress) => void
}

/** Writes the run into the project (created if missing) and returns it. */
export async function writeImportedRun(projectDir: string, run: ImportedRun, o: WriteOptions): Promise<RunArchive> {
  let archive: RunArchive
  try {
    archive = await writeExternalRun(
      projectDir,
      {
        id: o.id,
        spec: {
          name: o.name,
          source: 'import',
          nets: run.nets,
          classes: run.classes,
          outputs: run.outputs,
          probe: run.probe,
          meta: o.meta,
        },
        labels: run.labels,
        pointShape: run.pointShape,
        metrics: run.metricNames,
        metricValues: Object.fromEntries(run.metricNames.map((m) => [m, run.metrics[m]])),
        ...(run.probeInputs ? { probeInputs: { data: run.probeInputs.values, shape: run.probeInputs.shape } } : {}),
        ...(run.weights
          ? {
              weights: { paramCount: run.weights.paramCount, layout: 'flat, as imported' },
              weightValues: run.weights.values,
            }
          : {}),
        epochs: run.epochs,
        outputs: run.raw,
      },
      { signal: o.signal, onProgress: (done, total) => o.onProgress?.({ stage: 'writing the run', done, total }) },
    )
  } catch (e) {
    if (o.signal?.aborted) throw new ImportCancelled()
    throw e
  }
  // Where the run came from, beside the attributes every run has.
  await archive.update({ imported: { file: path.resolve(run.file), format: run.format, outputs: run.outputsReason } })
  return archive
}
