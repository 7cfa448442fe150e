/**
 * Subproblems of a classifier, read off its outputs: the error on each class (true
 * class c misclassified) and on each confusion pair (true class c predicted as d ≠ c),
 * as fractions of the images of class c.
 *
 * The source is the probe set τ the archive records at every snapshot (the first P test
 * images): κ = argmax τ per image (the first maximum on ties, as FusedMlp.evaluate
 * counts errors), compared with the labels of those P test images.
 */

export interface SubproblemDef {
  /** "class 3" or "4→9". */
  id: string
  kind: 'class' | 'pair'
  trueClass: number
  /** The predicted class of a confusion pair; null for a class. */
  predicted: number | null
}

/** The C classes, then the C(C−1) confusion pairs (true-major, predicted ascending). */
export function subproblemDefs(C: number): SubproblemDef[] {
  const defs: SubproblemDef[] = []
  for (let c = 0; c < C; c++) defs.push({ id: `class ${c}`, kind: 'class', trueClass: c, predicted: null })
  for (let c = 0; c < C; c++)
    for (let d = 0; d < C; d++) if (d !== c) defs.push({ id: `${c}→${d}`, kind: 'pair', trueClass: c, predicted: d })
  return defs
}

/** κ: the argmax class of each of the P rows of τ (P×C, row-major); first maximum on ties. */
export function predictions(tau: ArrayLike<number>, P: number, C: number): Uint8Array {
  if (tau.length < P * C) throw new RangeError(`predictions: τ holds ${tau.length} values, needs ${P * C}`)
  const k = new Uint8Array(P)
  for (let i = 0; i < P; i++) {
    const o = i * C
    let best = 0
    for (let c = 1; c < C; c++) if (tau[o + c] > tau[o + best]) best = c
    k[i] = best
  }
  return k
}

/** Confusion counts [true][predicted] (C×C, row-major) of predictions against labels. */
export function confusionCounts(pred: ArrayLike<number>, labels: ArrayLike<number>, C: number): Int32Array {
  const n = pred.length
  if (labels.length < n) throw new RangeError(`confusionCounts: ${labels.length} labels for ${n} predictions`)
  const m = new Int32Array(C * C)
  for (let i = 0; i < n; i++) {
    const t = labels[i]
    if (t >= C) throw new RangeError(`confusionCounts: label ${t} is not below ${C}`)
    m[t * C + pred[i]]++
  }
  return m
}

/** Images per class among the labels. */
export function classCounts(labels: ArrayLike<number>, C: number, n = labels.length): Int32Array {
  const c = new Int32Array(C)
  for (let i = 0; i < n; i++) c[labels[i]]++
  return c
}

/**
 * The error of every subproblem of `subproblemDefs(C)` (in that order), as fractions of
 * the images of the true class; NaN for a class without images.
 */
export function subproblemErrors(counts: Int32Array, perClass: Int32Array, C: number): Float64Array {
  const out = new Float64Array(C * C)
  let j = 0
  for (let c = 0; c < C; c++) out[j++] = perClass[c] > 0 ? 1 - counts[c * C + c] / perClass[c] : NaN
  for (let c = 0; c < C; c++)
    for (let d = 0; d < C; d++) if (d !== c) out[j++] = perClass[c] > 0 ? counts[c * C + d] / perClass[c] : NaN
  return out
}
