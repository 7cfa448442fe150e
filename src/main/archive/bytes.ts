/** Typed arrays as the little-endian bytes Zarr's `bytes` codec stores (and back). */
import { endianness } from 'node:os'

type Numeric = Float32Array | Float64Array | Int32Array | Uint8Array

const LITTLE = endianness() === 'LE'

/** The little-endian bytes of a typed array (a view when the machine is little-endian). */
export function leBytes(a: Numeric): Uint8Array {
  const view = new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
  if (LITTLE || a.BYTES_PER_ELEMENT === 1) return view
  const out = new Uint8Array(view.length)
  const w = a.BYTES_PER_ELEMENT
  for (let i = 0; i < view.length; i += w) for (let b = 0; b < w; b++) out[i + b] = view[i + w - 1 - b]
  return out
}
