/**
 * Probe fingerprints (docs/run-format.md): two runs are comparable only when their τ is
 * measured on the same probe set, which is checked by hashing its labels and inputs.
 */
import { createHash } from 'node:crypto'
import { leBytes } from './bytes'
import type { ProbeInfo } from './run'

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** SHA-256 of the labels as little-endian int32. */
export function labelsSha256(labels: ArrayLike<number>): string {
  return sha256(leBytes(labels instanceof Int32Array ? labels : Int32Array.from(labels)))
}

/** SHA-256 of the probe inputs as little-endian float32 in C order (images: pixel / 255). */
export function inputsSha256(inputs: Float32Array): string {
  return sha256(leBytes(inputs))
}

export function probeInfo(labels: ArrayLike<number>, inputs?: Float32Array | null, id?: string): ProbeInfo {
  return {
    size: labels.length,
    labelsSha256: labelsSha256(labels),
    ...(inputs ? { inputsSha256: inputsSha256(inputs) } : {}),
    ...(id ? { id } : {}),
  }
}

/** Why two probe sets differ, or null when runs on them may be compared: labels must
 * agree and, where both know them, inputs too. */
export function probeMismatch(a: ProbeInfo, b: ProbeInfo): string | null {
  if (a.size !== b.size) return `the probe sets have ${a.size} and ${b.size} items`
  if (a.labelsSha256 !== b.labelsSha256) return 'the probe sets have different labels (labelsSha256 differs)'
  if (a.inputsSha256 && b.inputsSha256 && a.inputsSha256 !== b.inputsSha256)
    return 'the probe sets have the same labels but different inputs (inputsSha256 differs)'
  return null
}
