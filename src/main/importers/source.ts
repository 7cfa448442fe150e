/**
 * What every importer offers: the arrays of one file, by the names the import format
 * uses (`outputs`, `epochs`, `labels`, `metrics/NAME`, `weights`, `probe_inputs`),
 * with their headers readable before their data so that shapes are checked first.
 */
import type { ArrayInfo, NdArray } from './ndarray'

/** Bytes (or elements) read so far of the whole import, for a progress bar. */
export interface ReadProgress {
  stage: string
  done: number
  total: number
}

export interface ReadOptions {
  signal?: AbortSignal
  /** Called as an array's data arrives, with the fraction of that array read. */
  onFraction?: (fraction: number) => void
}

export interface ArraySource {
  /** The file or folder, as given. */
  readonly file: string
  /** Human name of the container: "NumPy .npz", "HDF5", "Zarr v2", … */
  readonly format: string
  /** Array names present (normalised: `metrics/NAME` however the file spells it). */
  names(): string[]
  info(name: string): ArrayInfo
  read(name: string, opts?: ReadOptions): Promise<NdArray>
  close(): Promise<void>
}

/** A bad file, array or option: the message names the file, the array, its shape and what was expected. */
export class ImportError extends Error {
  override name = 'ImportError'
  constructor(
    message: string,
    /** The argument at fault: the imported `file`, or an option (`labels`, `epochs`, `outputs`, `meta`). */
    readonly field: 'file' | 'labels' | 'epochs' | 'outputs' | 'meta' = 'file',
  ) {
    super(message)
  }
}

/** Raised when the user cancels; nothing is left behind. */
export class ImportCancelled extends Error {
  override name = 'ImportCancelled'
  constructor() {
    super('import cancelled')
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new ImportCancelled()
}

/** Lets the event loop run (signals, progress output) during long synchronous work. */
export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** `metrics/NAME` and `metrics_NAME` both mean the metric NAME. */
export function normaliseName(name: string): string {
  const m = /^metrics[/_](.+)$/.exec(name)
  return m ? `metrics/${m[1]}` : name
}
