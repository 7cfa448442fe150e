/** `sgdscope import FILE`: saved outputs (.npz, .npy, HDF5, Zarr) become a run of the project. */
import cliProgress from 'cli-progress'
import { projectDir as projectDirOf, projectOption, UsageError, type Command } from '../command'
import {
  IMPORTERS,
  ImportCancelled,
  importRun,
  OUTPUTS_KINDS,
  parseMeta,
  type ImportResult,
  type OutputsKind,
} from '../../importers'
import type { ReadProgress } from '../../importers/source'

/** Shows a bar only once an import has taken half a second (big files), plain lines when not on a terminal. */
export function importProgress(stream: NodeJS.WriteStream = process.stderr, delayMs = 500) {
  const started = Date.now()
  let bar: cliProgress.SingleBar | null = null
  let stage = ''
  let lastLine = 0
  return {
    update(p: ReadProgress) {
      const now = Date.now()
      if (now - started < delayMs) return
      const pct = p.total > 0 ? Math.min(1, p.done / p.total) : 1
      if (!stream.isTTY) {
        if (p.stage !== stage || now - lastLine > 5000) stream.write(`${p.stage}: ${(100 * pct).toFixed(0)}%\n`)
        stage = p.stage
        lastLine = now
        return
      }
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { format: '{stage} [{bar}] {percentage}%', barsize: 30, hideCursor: true, stream },
          cliProgress.Presets.shades_classic,
        )
        bar.start(1000, 0, { stage: p.stage.padEnd(24) })
      }
      bar.update(Math.round(1000 * pct), { stage: p.stage.padEnd(24) })
    },
    stop() {
      bar?.stop()
      bar = null
    },
  }
}

export function describeImport(r: ImportResult, projectDir: string): string[] {
  const lines = [
    `imported ${r.name} (${r.format}) as run ${r.runId} in ${projectDir}`,
    `  ${r.nets} network(s) × ${r.snapshots} snapshot(s), probe set of ${r.probe}, ${r.classes === null ? 'values (no classes)' : `${r.classes} classes`}`,
    `  outputs: ${r.outputs} (${r.outputsReason}${r.outputsReason === 'given' ? '' : '; --outputs overrides'})`,
    `  metrics: ${r.metrics.length ? r.metrics.join(', ') : 'none'}; weights: ${r.weights ? 'yes' : 'no'}; probe inputs: ${r.probeInputs ? 'yes' : 'no'}`,
  ]
  if (r.ignored.length) lines.push(`  not imported (unknown arrays): ${r.ignored.join(', ')}`)
  return lines
}

export const importCommand: Command = {
  summary: 'import saved outputs (.npz, .npy, HDF5, Zarr) as a run of the project',
  usage: `sgdscope import FILE [--project DIR] [--outputs probabilities|logits|values] [--name NAME] [--meta key=value]...
             [--labels labels.npy] [--epochs 0,1,2,5 | first:last | epochs.npy] [--json]
  FILE holds outputs[nets, snapshots, probe, classes] (or [nets, snapshots, probe] for values), epochs[snapshots],
  labels[probe], optional metrics/NAME[nets, snapshots], weights[nets, snapshots, params] and probe_inputs[probe, ...].
  Formats: ${IMPORTERS.map((i) => i.label).join('; ')}.`,
  options: {
    ...projectOption,
    outputs: { type: 'string' },
    name: { type: 'string' },
    meta: { type: 'string', multiple: true },
    labels: { type: 'string' },
    epochs: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(positionals, v, io) {
    if (positionals.length !== 1)
      throw new UsageError(
        positionals.length
          ? `import takes one file, not ${positionals.length}`
          : 'import needs a file (.npz, .npy, .h5 or a Zarr folder)',
      )
    const outputs = v.outputs === undefined ? undefined : String(v.outputs)
    if (outputs !== undefined && !OUTPUTS_KINDS.includes(outputs as OutputsKind))
      throw new UsageError(`--outputs is ${OUTPUTS_KINDS.join(', ')}, not "${outputs}"`)
    let meta: Record<string, unknown>
    try {
      meta = parseMeta((v.meta as string[] | undefined) ?? [])
    } catch (e) {
      throw new UsageError((e as Error).message)
    }
    const projectDir = projectDirOf(v)
    const bar = importProgress()
    let r: ImportResult
    try {
      r = await importRun(projectDir, positionals[0], {
        outputs: outputs as OutputsKind | undefined,
        name: v.name === undefined ? undefined : String(v.name),
        meta,
        labels: v.labels === undefined ? undefined : String(v.labels),
        epochs: v.epochs === undefined ? undefined : String(v.epochs),
        signal: io.signal,
        onProgress: (p) => bar.update(p),
      })
    } catch (e) {
      if (e instanceof ImportCancelled) {
        bar.stop()
        io.err('import cancelled; nothing was written')
        return 130
      }
      throw e
    } finally {
      bar.stop()
    }
    if (v.json) io.out(JSON.stringify(r, null, 2))
    else for (const line of describeImport(r, projectDir)) io.out(line)
    return 0
  },
}
