/** What a run is and how it stands, as the CLI prints it and the app lists it. */
import type { RunSpec } from '../../shared/spec'
import type { RunDetails, RunSummary } from '../../shared/api/contract'
import type { RunArchive } from '../archive/run'
import { preferredRunColor, runLegend } from '../../shared/run-display'
import { countDone, latestSnapshot } from '../../shared/progress'
import { liveStatus } from './runner'

export function describeSpec(s: RunSpec): string {
  if (s.kind === 'external') {
    const what = s.outputs === 'values' ? `${s.outputs}` : `${s.outputs} over ${s.classes} classes`
    return `recorded externally (${s.source}): ${s.nets} nets, probe ${s.probe}, ${what}`
  }
  if (s.kind === 'stochastic')
    return `stochastic model ${s.nets}×${s.dim}, ε=${s.epsilon}, ${s.picking}${s.picking === 'zipf' ? ` s=${s.zipfS}` : ''}, ${s.steps} steps`
  const extras = [
    s.activation && s.activation !== 'sigmoid' ? s.activation : '',
    s.momentum ? `μ=${s.momentum}${s.nesterov ? ' (Nesterov)' : ''}` : '',
    s.weightDecay ? `wd=${s.weightDecay}` : '',
    s.lrSchedule.kind !== 'constant' ? `${s.lrSchedule.kind} schedule` : '',
    s.lrWarmup?.epochs ? `warm-up ${s.lrWarmup.epochs} ep` : '',
  ].filter(Boolean)
  const hidden = typeof s.hidden === 'number' ? `${s.hidden}` : s.hidden.join('-')
  return `${s.nets} nets ${hidden} hidden, ${s.epochs} ep, η=${s.lr}, batch ${s.batch}, ${s.loss}${extras.map((e) => `, ${e}`).join('')}`
}

export type FinalMetrics = Record<string, { mean: number; min: number; max: number }>

/** Mean, min and max of each metric at the latest snapshot any network has recorded,
 * over the networks that recorded it (src/shared/progress.ts `latestSnapshot`, as the run
 * header shows it live): never an older snapshot's value standing in for "now". */
export function finalMetrics(run: RunArchive, metrics: Float32Array, done: Uint8Array): FinalMetrics {
  const { nets, snapshots: S, metrics: names } = run.attrs
  const out: FinalMetrics = {}
  names.forEach((name, c) => {
    const rows = Array.from({ length: nets }, (_, k) =>
      Array.from({ length: S }, (_, j) => (done[k * S + j] ? metrics[(k * S + j) * names.length + c]! : null)),
    )
    const at = latestSnapshot(rows)
    if (at) out[name] = { mean: at.mean, min: at.min, max: at.max }
  })
  return out
}

export async function runSummary(run: RunArchive): Promise<RunSummary> {
  const a = run.attrs
  // The status first: a writer marks a run finished after its last snapshot, so counts read
  // after a final status are final (read before it, they could be older than the status).
  const status = await liveStatus(run)
  const done = await run.readDone()
  const metrics = await run.readMetrics()
  const counts = countDone(done, a.nets, a.snapshots)
  return {
    id: a.id,
    name: a.display?.name ?? a.spec.name ?? a.id,
    label: runLegend(a.id, a.spec.name, a.display),
    color: preferredRunColor(a.id, a.display),
    ...(a.spec.preset ? { preset: a.spec.preset } : {}),
    status,
    kind: a.spec.kind,
    summary: describeSpec(a.spec),
    nets: a.nets,
    snapshots: a.snapshots,
    done: counts.done,
    total: counts.total,
    netsDone: counts.netsDone!,
    created: a.created,
    final: finalMetrics(run, metrics, done),
    ...(a.error ? { error: a.error } : {}),
    ...(a.spec.kind === 'external' ? { external: { source: a.spec.source, meta: a.spec.meta } } : {}),
    ...(a.spec.kind === 'mlp' && a.spec.spawn
      ? {
          spawn: {
            parent: a.spec.spawn.parent,
            at: a.spec.spawn.at,
            children: a.spec.spawn.children,
            parentNets: a.spec.spawn.parentNets.length,
          },
        }
      : {}),
  }
}

export async function runDetails(run: RunArchive): Promise<RunDetails> {
  const a = run.attrs
  const metrics = await run.readMetrics()
  const { epochs, samples } = await run.readTimes()
  const S = a.snapshots
  const M = a.metrics.length
  // Ensemble mean of each metric per snapshot, over the networks that recorded it.
  const perSnapshot: Record<string, (number | null)[]> = {}
  a.metrics.forEach((name, c) => {
    perSnapshot[name] = Array.from({ length: S }, (_, j) => {
      let s = 0
      let n = 0
      for (let k = 0; k < a.nets; k++) {
        const x = metrics[(k * S + j) * M + c]
        if (!Number.isNaN(x)) {
          s += x
          n++
        }
      }
      return n ? s / n : null
    })
  })
  return {
    ...(await runSummary(run)),
    spec: a.spec,
    ...(a.engine ? { engine: a.engine } : {}),
    versions: a.versions,
    trainSeconds: a.trainSeconds ?? 0,
    ...(a.dataset ? { dataset: a.dataset } : {}),
    ...(a.spec.kind === 'external' ? { recorded: await externalFacts(run) } : {}),
    epochs: Array.from(epochs),
    samples: Array.from(samples),
    metricNames: a.metrics,
    metricsPerSnapshot: perSnapshot,
  }
}

/** What there is to know about a run recorded outside sgdscope, as (label, value) facts. */
export async function externalFacts(run: RunArchive): Promise<{ label: string; value: string }[]> {
  const s = run.attrs.spec
  if (s.kind !== 'external') return []
  const meta = Object.entries(s.meta).map(([k, v]) => `${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`)
  const facts = [{ label: 'recorded', value: `externally (${s.source})` }]
  if (meta.length) facts.push({ label: 'meta', value: meta.join('; ') })
  const what = {
    probabilities: 'probabilities',
    logits: 'logits, stored after a softmax',
    values: 'values (no classes: τ only)',
  }[s.outputs]
  facts.push({ label: 'outputs', value: `${what}${s.classes !== null ? `, ${s.classes} classes` : ''}` })
  const p = run.attrs.probe
  const short = (h?: string) => (h ? `${h.slice(0, 12)}…` : 'not recorded')
  facts.push({
    label: 'probe',
    value: `${s.probe} items${p?.id ? ` (${p.id})` : ''}; labels sha256 ${short(p?.labelsSha256)}, inputs sha256 ${short(p?.inputsSha256)}`,
  })
  const w = await run.weightsAttributes()
  if (!w)
    facts.push({
      label: 'weights',
      value: 'none recorded (barriers, weight matching and weight vs function need them)',
    })
  else {
    const a = w.architecture as { inputs?: number; hidden?: number; outputs?: number; output?: string } | undefined
    const at = (await run.weightSnapshotsAvailable()).length
    const arch = a
      ? `MLP ${a.inputs}-${a.hidden}-${a.outputs} (${a.output} output)`
      : `${run.attrs.paramCount} parameters, no architecture`
    facts.push({
      label: 'weights',
      value: `${arch}, recorded for every network at ${at} of ${run.attrs.snapshots} snapshots`,
    })
  }
  return facts
}

/** What `sgdscope info` says about a run recorded outside sgdscope, one line each. */
export async function externalLines(run: RunArchive): Promise<string[]> {
  return (await externalFacts(run)).map((f) => `${f.label.padEnd(9)} ${f.value}`)
}
