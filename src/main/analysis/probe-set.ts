/**
 * What the analyses need to know about a run's probe set: whether τ holds class outputs
 * (κ, InPCA, errors), the probe error from recorded labels, and whether two runs were
 * measured on the same probe set (compare).
 */
import { ApiError } from '../../shared/api/contract'
import { probeMismatch } from '../archive/probe'
import type { RunArchive } from '../archive/run'
import { runProbe } from '../experiments/probe'

/** Refuses, with the reason, an analysis that needs classes on a run without them. */
export function requireClasses(run: RunArchive, what: string): void {
  const s = run.attrs.spec
  if (s.kind === 'external' && s.classes === null)
    throw new ApiError('conflict', `${what} needs class outputs; run ${run.id} records values (outputs "values", no classes), so only the τ view with smacof, classical, landmark or pca applies`)
  if (run.attrs.pointShape.length < 2) throw new ApiError('conflict', `${what} needs class outputs; run ${run.id} (the stochastic model) has only τ`)
}

/** The recorded labels of an external run with classes (−1 = unknown), else null. */
export async function externalLabels(run: RunArchive): Promise<Int32Array | null> {
  const s = run.attrs.spec
  if (s.kind !== 'external' || s.classes === null) return null
  const labels = await run.readLabels()
  return labels && labels.some((y) => y >= 0) ? labels : null
}

/** Fraction of the labelled probe items whose argmax class differs from the label
 * (items labelled −1 are left out). */
export function probeError(tau: ArrayLike<number>, labels: ArrayLike<number>, P: number, C: number): number {
  let wrong = 0
  let known = 0
  for (let i = 0; i < P; i++) {
    const y = labels[i]
    if (y < 0) continue
    let best = 0
    for (let c = 1; c < C; c++) if (tau[i * C + c] > tau[i * C + best]) best = c
    known++
    if (best !== y) wrong++
  }
  return known ? wrong / known : NaN
}

/** Refuses to compare runs measured on different probe sets (by fingerprint). */
export async function requireSameProbe(runs: RunArchive[], cacheDir?: string): Promise<void> {
  if (runs.length < 2) return
  const first = await runProbe(runs[0], cacheDir)
  for (const run of runs.slice(1)) {
    const p = await runProbe(run, cacheDir)
    if (!first !== !p) {
      const [without, other] = first ? [run, runs[0]] : [runs[0], run]
      throw new ApiError('conflict', `runs ${runs[0].id} and ${run.id} cannot be compared: run ${without.id} has no probe set (the stochastic model), run ${other.id} has one`)
    }
    const why = first && p ? probeMismatch(first, p) : null
    if (why)
      throw new ApiError(
        'conflict',
        `runs ${runs[0].id} and ${run.id} cannot be compared: ${why} (${first!.id ?? 'unnamed'} vs ${p!.id ?? 'unnamed'}); compare needs runs measured on the same probe set`,
      )
  }
}
