/**
 * How a probe item is fed to a model: the model's input metadata says its shape with
 * a batch axis first, e.g. ["batch", 1, 28, 28] or [1, 784] (exported without a dynamic
 * batch axis). The probe's items are reshaped to the model's per-item shape when the
 * number of values agrees; a fixed batch axis is honoured by padding the last batch.
 */

import { ModelShapeError } from './errors'

export { ModelShapeError }

export type Dim = number | string

export interface InputPlan {
  /** Per-item shape the model expects (its input shape without the batch axis). */
  itemShape: number[]
  /** The model's batch size when fixed, else null (any batch size). */
  fixedBatch: number | null
}

const product = (a: number[]) => a.reduce((x, y) => x * y, 1)
const fmt = (shape: readonly Dim[]) =>
  `[${shape.map((d) => (typeof d === 'string' ? JSON.stringify(d) : d)).join(', ')}]`

/** A dimension the exporter left symbolic ("batch", "N") or as -1/0. */
const isFree = (d: Dim) => typeof d === 'string' || d < 1

/**
 * Plans the input of a model with input `name` of shape `shape` for probe items of
 * `itemValues` values (`probeShape` only names them in messages).
 */
export function planInput(
  name: string,
  shape: readonly Dim[],
  itemValues: number,
  probeShape: readonly number[],
): InputPlan {
  if (shape.length < 2) {
    throw new ModelShapeError(
      `model input "${name}" has shape ${fmt(shape)}: expected a batch axis followed by the item's shape, ` +
        `e.g. [batch, ${probeShape.join(', ')}]`,
    )
  }
  const [batch, ...rest] = shape
  const free = rest.filter(isFree)
  let itemShape: number[]
  if (free.length === 0) itemShape = rest as number[]
  else if (free.length === 1) {
    // One free axis besides the batch: it takes what the probe items leave for it.
    const known = product(rest.filter((d) => !isFree(d)) as number[])
    if (itemValues % known !== 0) throw mismatch(name, shape, itemValues, probeShape)
    itemShape = rest.map((d) => (isFree(d) ? itemValues / known : (d as number)))
  } else {
    throw new ModelShapeError(
      `model input "${name}" has shape ${fmt(shape)}: more than one axis besides the batch axis is symbolic, ` +
        `so the shape of an item is unknown; export the model with a fixed item shape`,
    )
  }
  if (product(itemShape) !== itemValues) throw mismatch(name, shape, itemValues, probeShape)
  return { itemShape, fixedBatch: isFree(batch!) ? null : (batch as number) }
}

function mismatch(
  name: string,
  shape: readonly Dim[],
  itemValues: number,
  probeShape: readonly number[],
): ModelShapeError {
  return new ModelShapeError(
    `model input "${name}" has shape ${fmt(shape)} but the probe items have shape [${probeShape.join(', ')}] ` +
      `(${itemValues} values each): the probe set does not fit this model`,
  )
}

/** The batches that cover P items: [start, count] with count ≤ size. */
export function batches(P: number, size: number): [number, number][] {
  const out: [number, number][] = []
  for (let s = 0; s < P; s += size) out.push([s, Math.min(size, P - s)])
  return out
}
