/** Why a probe set cannot be used (names the --probe argument, the file or the array):
 * the argument at fault is always the probe set. */
export class ProbeError extends Error {
  override name = 'ProbeError'
}
