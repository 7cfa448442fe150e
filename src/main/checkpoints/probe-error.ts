/** Why a probe set cannot be used (names the --probe argument, the file or the array). */
export class ProbeError extends Error {
  override name = 'ProbeError'
}
