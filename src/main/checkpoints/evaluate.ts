/**
 * A folder of ONNX checkpoints becomes a run: every checkpoint is evaluated on the
 * probe set in worker threads, its outputs recorded as τ of (net, epoch) with the probe
 * error and loss as metrics. The run is written at the end with writeExternalRun, which
 * builds it out of sight and renames it into place: a cancelled or failed evaluation
 * leaves nothing in the project.
 */
import * as path from 'node:path'
import type { ExternalSpec } from '../../shared/spec'
import { writeExternalRun } from '../archive/external-run'
import { probeInfo } from '../archive/probe'
import type { ProbeInfo } from '../archive/run'
import { Project } from '../archive/project'
import { describeGaps, findCheckpoints, CheckpointError, type CheckpointLayout } from './pattern'
import type { ProbeSet } from './probe'
import { evaluateFiles, CancelledError, type EvaluatedCheckpoint } from './pool'
import { PROBE_METRICS, probeMetrics } from './outputs'

export { CancelledError }

export type OutputKind = ExternalSpec['outputs']

export interface EvaluateOptions {
  /** The checkpoint folder. */
  dir: string
  /** A pattern with {net} and {epoch}; default: both layouts of DEFAULT_PATTERNS. */
  pattern?: string
  probe: ProbeSet
  /** What the models emit (default logits: τ is their softmax). */
  outputs?: OutputKind
  projectDir: string
  /** The run's name (spec.name); default the folder's name. */
  name?: string
  /** The run id; default a new one from the name. */
  runId?: string
  /** Record a run even if some nets lack some epochs (those stay unrecorded). */
  allowGaps?: boolean
  workers?: number
  /** Probe items per model call (models with a fixed batch axis use theirs). */
  batch?: number
  signal?: AbortSignal
  /** Called after each checkpoint is evaluated, then while the run is written. */
  onProgress?: (p: CheckpointProgress) => void
  /** Called once the checkpoints are found, before any is evaluated. */
  onLayout?: (layout: CheckpointLayout) => void
  /** Notes for the user (files no pattern matched, gaps allowed). */
  onLog?: (line: string) => void
}

export interface CheckpointProgress {
  stage: 'evaluating' | 'writing'
  done: number
  total: number
  /** The checkpoint just evaluated (relative to the folder). */
  file?: string
  seconds: number
  etaSeconds: number | null
}

export interface EvaluateResult {
  runId: string
  runDir: string
  layout: CheckpointLayout
  probe: ProbeInfo
  outputs: OutputKind
  /** Values per probe item the models output (the classes, for class outputs). */
  outputSize: number
  /** Mean probe error over the nets at each epoch (null where none recorded, or for values). */
  meanProbeError: (number | null)[]
  seconds: number
}

const DEFAULT_BATCH = 256

/** Files no pattern matched, for the log; null when there are none. */
export function describeUnmatched(layout: CheckpointLayout, limit = 10): string | null {
  const u = layout.unmatched
  if (u.length === 0) return null
  const onnx = u.filter((f) => f.endsWith('.onnx'))
  const shown = onnx.length ? onnx : u
  return (
    `${u.length} file(s) in ${layout.dir} match no pattern (${layout.patterns.join(' or ')}) and are left out` +
    (onnx.length ? `, ${onnx.length} of them .onnx` : '') +
    `: ${shown.slice(0, limit).join(', ')}${shown.length > limit ? ', …' : ''}`
  )
}

/** Raw outputs of every (net, snapshot), filled as checkpoints finish. */
interface Collected {
  first: EvaluatedCheckpoint & { file: string }
  per: number
  outputs: Float32Array
  metrics: Float32Array[]
}

export async function evaluateCheckpoints(o: EvaluateOptions): Promise<EvaluateResult> {
  const started = Date.now()
  const seconds = () => (Date.now() - started) / 1000
  const outputs = o.outputs ?? 'logits'
  const layout = await findCheckpoints(o.dir, o.pattern)
  o.onLayout?.(layout)
  const unmatched = describeUnmatched(layout)
  if (unmatched) o.onLog?.(unmatched)
  if (layout.gaps.length) {
    const what = `${layout.gaps.length} checkpoint(s) missing: ${describeGaps(layout.gaps)}`
    if (!o.allowGaps) {
      throw new CheckpointError(
        `${what} (every net needs a checkpoint at every epoch found: ${layout.epochs.join(', ')}); ` +
          'add them, or pass --allow-gaps to record the run with those left unrecorded',
      )
    }
    o.onLog?.(`${what}; left unrecorded (--allow-gaps)`)
  }
  const probe = o.probe
  const N = layout.nets.length
  const S = layout.epochs.length
  const netIndex = new Map(layout.nets.map((n, k) => [n, k]))
  const snapIndex = new Map(layout.epochs.map((e, j) => [e, j]))
  const files = layout.checkpoints.map((c) => path.join(layout.dir, c.file))
  const total = files.length
  const done = new Uint8Array(N * S)
  const metricNames = outputs === 'values' ? [] : [...PROBE_METRICS]
  let got: Collected | null = null
  let evaluated = 0

  await evaluateFiles(
    files,
    { inputs: probe.inputs, count: probe.count, probeShape: probe.shape, batch: o.batch ?? DEFAULT_BATCH },
    (r) => {
      const c = layout.checkpoints[r.index]!
      const per = r.outputShape.reduce((a, b) => a * b, 1)
      if (!got) {
        const first = { ...r, file: c.file }
        checkOutputs(first, outputs, probe)
        // Everything is kept until the run is written in one go: N·S·P·outputs floats.
        got = {
          first,
          per,
          outputs: new Float32Array(N * S * probe.count * per),
          metrics: metricNames.map(() => new Float32Array(N * S).fill(NaN)),
        }
      } else if (r.outputShape.join() !== got.first.outputShape.join()) {
        throw new CheckpointError(
          `${c.file} outputs [${r.outputShape.join(', ')}] per probe item but ${got.first.file} outputs ` +
            `[${got.first.outputShape.join(', ')}]: every checkpoint must have the same outputs`,
        )
      }
      const bad = r.outputs.findIndex((x) => !Number.isFinite(x))
      if (bad >= 0) {
        throw new CheckpointError(
          `${c.file} outputs ${r.outputs[bad]} for probe item ${Math.floor(bad / per)} (output ${bad % per}): ` +
            'a diverged checkpoint cannot be recorded; move it out of the folder',
        )
      }
      const i = netIndex.get(c.net)! * S + snapIndex.get(c.epoch)!
      got.outputs.set(r.outputs, i * probe.count * per)
      if (outputs !== 'values') {
        const m = probeMetrics(r.outputs, per, probe.labels, outputs)
        m.forEach((v, k) => (got!.metrics[k]![i] = v))
      }
      done[i] = 1
      evaluated++
      o.onProgress?.({
        stage: 'evaluating',
        done: evaluated,
        total,
        file: c.file,
        seconds: seconds(),
        etaSeconds: (seconds() / evaluated) * (total - evaluated),
      })
    },
    { workers: o.workers, signal: o.signal },
  )
  if (o.signal?.aborted) throw new CancelledError()
  const g = got as Collected | null
  if (!g) throw new CheckpointError('no checkpoint was evaluated')

  const name = o.name ?? path.basename(path.resolve(o.dir))
  const runId = o.runId ?? (await Project.openOrCreate(o.projectDir)).newRunId(`ckpt-${name}`)
  // A copy in ordinary memory: the shared buffer was for the workers.
  const probeInputs = { data: probe.inputs.slice(), shape: [probe.count, ...probe.shape] }
  const fingerprint = probeInfo(probe.labels, probeInputs.data, probe.id)
  const writeStart = Date.now()
  try {
    const run = await writeExternalRun(
      o.projectDir,
      {
        id: runId,
        spec: {
          name,
          source: 'checkpoints',
          nets: N,
          classes: outputs === 'values' ? null : g.per,
          outputs,
          probe: probe.count,
          meta: {
            folder: path.resolve(o.dir),
            pattern: layout.patterns.join(' | '),
            netNumbers: layout.nets,
            input: { name: g.first.inputName, shape: g.first.modelInput },
            output: { name: g.first.outputName, shape: g.first.outputShape },
            probe: probe.id,
          },
        },
        labels: probe.labels,
        pointShape: [probe.count, g.per],
        metrics: metricNames,
        probeInputs,
        probeId: probe.id,
        versions: { 'onnxruntime-web': g.first.runtime },
        epochs: layout.epochs,
        outputs: g.outputs,
        metricValues: Object.fromEntries(metricNames.map((n, k) => [n, g.metrics[k]!])),
        ...(layout.gaps.length ? { done } : {}),
      },
      {
        signal: o.signal,
        onProgress: (d, t) =>
          o.onProgress?.({
            stage: 'writing',
            done: d,
            total: t,
            seconds: seconds(),
            etaSeconds: ((Date.now() - writeStart) / 1000 / d) * (t - d),
          }),
      },
    )
    await run.update({ trainSeconds: seconds() })
    return {
      runId,
      runDir: run.dir,
      layout,
      probe: fingerprint,
      outputs,
      outputSize: g.per,
      meanProbeError: layout.epochs.map((_, j) => meanOver(g.metrics[0], N, S, j)),
      seconds: seconds(),
    }
  } catch (e) {
    if (o.signal?.aborted) throw new CancelledError()
    throw e
  }
}

function meanOver(m: Float32Array | undefined, N: number, S: number, j: number): number | null {
  if (!m) return null
  let sum = 0
  let n = 0
  for (let k = 0; k < N; k++) {
    const v = m[k * S + j]!
    if (Number.isFinite(v)) {
      sum += v
      n++
    }
  }
  return n ? sum / n : null
}

/** The first checkpoint's outputs decide the run's shape; they must suit `outputs` and the labels. */
function checkOutputs(first: EvaluatedCheckpoint & { file: string }, outputs: OutputKind, probe: ProbeSet): void {
  const per = first.outputShape.reduce((a, b) => a * b, 1)
  if (per === 0)
    throw new CheckpointError(`${first.file} outputs nothing per probe item (shape [${first.outputShape.join(', ')}])`)
  if (outputs === 'values') return
  if (first.outputShape.length !== 1) {
    throw new CheckpointError(
      `${first.file} outputs [${first.outputShape.join(', ')}] per probe item; --outputs ${outputs} needs one vector ` +
        'of class scores per item (use --outputs values for other outputs)',
    )
  }
  if (probe.classes !== null && probe.classes !== per) {
    throw new CheckpointError(
      `${first.file} outputs ${per} values per item but the probe set ${probe.id} has ${probe.classes} classes`,
    )
  }
  let max = -1
  for (const y of probe.labels) if (y > max) max = y
  if (max >= per)
    throw new CheckpointError(
      `the probe set ${probe.id} has label ${max} but ${first.file} outputs only ${per} classes`,
    )
}
