/**
 * The metrics of a checkpoint on the probe set, from its raw outputs: error and
 * cross-entropy (τ itself is made by the run writer: softmax of logits, or as given).
 */

/** Metric columns of a checkpoint run: class outputs get both, values get none. */
export const PROBE_METRICS = ['probe_error', 'probe_loss'] as const

/**
 * Probe error (fraction of labelled items whose argmax is not the label) and mean
 * cross-entropy, from the raw outputs: −log softmax for logits, −log p for
 * probabilities. Items labelled −1 are left out; NaN when no item is labelled.
 */
export function probeMetrics(
  raw: Float32Array,
  C: number,
  labels: Int32Array,
  kind: 'logits' | 'probabilities',
): [number, number] {
  let wrong = 0
  let loss = 0
  let known = 0
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!
    if (y < 0) continue
    known++
    const r = i * C
    let arg = 0
    for (let c = 1; c < C; c++) if (raw[r + c]! > raw[r + arg]!) arg = c
    if (arg !== y) wrong++
    if (kind === 'logits') {
      const max = raw[r + arg]!
      let sum = 0
      for (let c = 0; c < C; c++) sum += Math.exp(raw[r + c]! - max)
      loss += Math.log(sum) + max - raw[r + y]!
    } else loss -= Math.log(raw[r + y]!)
  }
  return known ? [wrong / known, loss / known] : [NaN, NaN]
}
