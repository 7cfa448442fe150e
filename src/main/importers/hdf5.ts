/**
 * HDF5 files (h5py, MATLAB v7.3, loss-landscape trajectories) read with h5wasm's Node
 * build, which reads the real file system directly. Datasets are named as in the other
 * formats; the group `metrics/` (or datasets `metrics_NAME`) holds the metrics.
 *
 * Elements are read as raw bytes (HDF5 converts them to native little-endian order)
 * and decoded here, so float16 works too; big arrays are read one slab of the first
 * axis at a time, for progress and cancel.
 */
import nodeFs from 'node:fs'
import { fs } from '../archive/file-pool'
import * as path from 'node:path'
import { decodeElements, dtypeOf, elementCount, type ArrayInfo, type DType, type NdArray } from './ndarray'
import { ImportError, normaliseName, throwIfAborted, yieldToLoop, type ArraySource } from './source'

type H5 = typeof import('h5wasm/node')
let h5: Promise<H5> | null = null
/** h5wasm (4 MB of WebAssembly) is loaded on the first HDF5 import only. */
async function loadH5(): Promise<H5> {
  h5 ??= import('h5wasm/node').then(async (m) => {
    await m.ready
    return m
  })
  return h5
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a] // \x89HDF\r\n\x1a\n

/** HDF5's signature is at 0, or at 512, 1024, 2048, … after a user block. */
export async function hasHdf5Signature(file: string): Promise<boolean> {
  const fh = await fs.open(file, 'r')
  try {
    const size = (await fh.stat()).size
    const buf = new Uint8Array(8)
    for (let at = 0; at + 8 <= size; at = at === 0 ? 512 : at * 2) {
      await fh.read(buf, 0, 8, at)
      if (SIGNATURE.every((b, i) => buf[i] === b)) return true
      if (at > 1 << 26) break
    }
    return false
  } finally {
    await fh.close()
  }
}

/**
 * Runs a synchronous h5wasm call with HDF5's diagnostic dump (which the C library
 * writes straight to file descriptor 2) captured instead of shown. Returns the value
 * and the last "minor" line of the dump, the most specific reason HDF5 gives.
 */
function quietly<T>(fn: () => T): { value: T; reason: string | null } {
  const writeSync = nodeFs.writeSync
  let captured = ''
  nodeFs.writeSync = function (fd: number, buffer: unknown, ...rest: unknown[]) {
    if (fd !== 2) return (writeSync as (...a: unknown[]) => number).call(nodeFs, fd, buffer, ...rest)
    const [offset, length] = rest as [number | undefined, number | undefined]
    if (typeof buffer === 'string') {
      captured += buffer
      return buffer.length
    }
    const b = buffer as Uint8Array
    const bytes = b.subarray(offset ?? 0, (offset ?? 0) + (length ?? b.length - (offset ?? 0)))
    captured += Buffer.from(bytes).toString()
    return bytes.length
  } as typeof nodeFs.writeSync
  const reason = () => [...captured.matchAll(/minor: (.*)/g)].map((m) => m[1].trim().toLowerCase()).pop() ?? null
  try {
    return { value: fn(), reason: reason() }
  } catch (e) {
    throw Object.assign(e as Error, { hdf5Reason: reason() })
  } finally {
    nodeFs.writeSync = writeSync
  }
}

/** quietly(), with a failure turned into an ImportError saying `what` and HDF5's reason. */
function checked<T>(what: string, fn: () => T): T {
  try {
    return quietly(fn).value
  } catch (e) {
    const why = (e as { hdf5Reason?: string | null }).hdf5Reason
    throw new ImportError(`${what} (${why ? `HDF5: ${why}` : (e as Error).message})`)
  }
}

interface Meta {
  type: number
  size: number
  signed: boolean
  shape: number[] | null
}

function dtypeFromMeta(m: Meta, classes: { INTEGER: number; FLOAT: number }): DType {
  if (m.type === classes.INTEGER && [1, 2, 4, 8].includes(m.size)) return dtypeOf(m.signed ? 'int' : 'uint', m.size)
  if (m.type === classes.FLOAT && [2, 4, 8].includes(m.size)) return dtypeOf('float', m.size)
  const names: Record<number, string> = { 3: 'string', 6: 'compound', 8: 'enum', 9: 'variable-length', 10: 'array' }
  return dtypeOf('other', m.size, names[m.type] ?? `HDF5 type class ${m.type}`)
}

export async function openHdf5(file: string): Promise<ArraySource> {
  const abs = path.resolve(file)
  if (!(await hasHdf5Signature(abs))) throw new ImportError(`${file} is not an HDF5 file (no HDF5 signature)`)
  const h = await loadH5()
  const M = h.Module
  const classes = { INTEGER: M.H5T_class_t.H5T_INTEGER.value, FLOAT: M.H5T_class_t.H5T_FLOAT.value }
  const opened = quietly(() => new h.File(abs, 'r'))
  const f = opened.value
  if (f.file_id < 0n)
    throw new ImportError(
      `${file} is a corrupt or truncated HDF5 file (${opened.reason ? `HDF5: ${opened.reason}` : 'it cannot be opened'})`,
    )
  try {
    const datasets = new Map<string, { path: string; info: ArrayInfo }>()
    const walk = (group: InstanceType<H5['Group']>, prefix: string) => {
      for (const key of group.keys()) {
        const item = group.get(key)
        const full = prefix ? `${prefix}/${key}` : key
        if (item instanceof h.Group) walk(item, full)
        else if (item instanceof h.Dataset) {
          const meta = item.metadata as Meta
          const info = { dtype: dtypeFromMeta(meta, classes), shape: meta.shape ?? [] }
          datasets.set(normaliseName(full), { path: `/${full}`, info })
        }
      }
    }
    checked(`${file} is a corrupt or truncated HDF5 file`, () => walk(f, ''))
    return {
      file,
      format: 'HDF5',
      names: () => [...datasets.keys()],
      info: (name) => datasets.get(name)!.info,
      async read(name, opts = {}): Promise<NdArray> {
        const { path: p, info } = datasets.get(name)!
        const { dtype, shape } = info
        const where = `${file}: dataset ${p}`
        if (dtype.kind === 'other')
          throw new ImportError(
            `${where} has dtype ${dtype.name}, which is not a real number type (expected float32, float64, float16 or an integer type)`,
          )
        const n = elementCount(shape)
        const bytes = new Uint8Array(n * dtype.size)
        // One slab of the first axis at a time (all at once for small arrays).
        const rows = shape.length > 0 ? shape[0] : 1
        const rowBytes = rows > 0 ? bytes.length / rows : 0
        const step = Math.max(1, Math.floor((16 << 20) / Math.max(1, rowBytes)))
        for (let r = 0; r < rows; r += step) {
          throwIfAborted(opts.signal)
          const k = Math.min(step, rows - r)
          const nbytes = k * rowBytes
          if (nbytes === 0) continue
          const ptr = M._malloc(nbytes)
          if (!ptr) throw new ImportError(`${where}: out of WebAssembly memory reading ${nbytes} bytes`)
          try {
            const count = shape.length ? [BigInt(k), ...shape.slice(1).map(BigInt)] : null
            const offset = shape.length ? [BigInt(r), ...shape.slice(1).map(() => 0n)] : null
            const strides = shape.length ? shape.map(() => 1n) : null
            checked(`${where} cannot be read: the file is corrupt or truncated`, () => {
              const status = M.get_dataset_data(f.file_id, p, count, offset, strides, BigInt(ptr))
              if (status < 0) throw new Error('read failed')
            })
            bytes.set(M.HEAPU8.subarray(ptr, ptr + nbytes), r * rowBytes)
          } finally {
            M._free(ptr)
          }
          opts.onFraction?.((r + k) / rows)
          await yieldToLoop()
        }
        return { dtype, shape, data: decodeElements(bytes, dtype, true, shape) }
      },
      async close() {
        f.close()
      },
    }
  } catch (e) {
    f.close()
    throw e
  }
}
