/**
 * Zarr groups (a folder), v3 (zarr.json) or v2 (.zgroup/.zarray), read with zarrita:
 * arrays `outputs`, `epochs`, `labels`, … at the top, metrics in the subgroup
 * `metrics/` (or arrays `metrics_NAME`). Chunks may be raw or compressed with any codec
 * zarrita reads (gzip, zlib, blosc, lz4, zstd, …).
 */
import { fs } from '../archive/file-pool'
import * as path from 'node:path'
import * as zarr from 'zarrita'
import { PooledFsStore } from '../archive/atomic'
import { dtypeOf, elementCount, type ArrayInfo, type DType, type NdArray, type Numbers } from './ndarray'
import { ImportError, normaliseName, throwIfAborted, yieldToLoop, type ArraySource } from './source'

const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  )

/** The Zarr version of a folder (2 or 3), or null if it is not a Zarr group. */
export async function zarrVersion(dir: string): Promise<2 | 3 | null> {
  if (await exists(path.join(dir, 'zarr.json'))) return 3
  if ((await exists(path.join(dir, '.zgroup'))) || (await exists(path.join(dir, '.zattrs')))) return 2
  return null
}

function dtypeOfZarr(name: string): DType {
  const m = /^(int|uint|float)(8|16|32|64)$/.exec(name)
  if (m) return dtypeOf(m[1] as 'int' | 'uint' | 'float', Number(m[2]) / 8)
  if (name === 'bool') return dtypeOf('bool', 1)
  return dtypeOf('other', 0, name)
}

async function isArrayDir(dir: string): Promise<boolean> {
  if (await exists(path.join(dir, '.zarray'))) return true
  try {
    return JSON.parse(await fs.readFile(path.join(dir, 'zarr.json'), 'utf8')).node_type === 'array'
  } catch {
    return false
  }
}

type AnyArray = zarr.Array<zarr.DataType, PooledFsStore>

function toNumbers(data: unknown, where: string): Numbers {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float64Array.from(data, Number)
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) return data as Numbers
  throw new ImportError(`${where} holds values that are not numbers`)
}

export async function openZarr(dir: string): Promise<ArraySource> {
  const version = await zarrVersion(dir)
  if (!version) throw new ImportError(`${dir} is not a Zarr group (it has no zarr.json, .zgroup or .zattrs)`)
  const store = new PooledFsStore(path.resolve(dir))
  const root = zarr.root(store)
  const arrays = new Map<string, { array: AnyArray; info: ArrayInfo; where: string }>()
  const add = async (rel: string) => {
    const where = `${dir}: array "${normaliseName(rel)}"`
    let array: AnyArray
    try {
      const loc = root.resolve(rel)
      array = version === 3 ? await zarr.open.v3(loc, { kind: 'array' }) : await zarr.open.v2(loc, { kind: 'array' })
    } catch (e) {
      throw new ImportError(`${where} has unreadable metadata (${(e as Error).message})`)
    }
    arrays.set(normaliseName(rel), { array, info: { dtype: dtypeOfZarr(array.dtype), shape: [...array.shape] }, where })
  }
  for (const entry of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue
    const sub = path.join(dir, entry.name)
    if (await isArrayDir(sub)) await add(entry.name)
    else if (entry.name === 'metrics')
      for (const m of (await fs.readdir(sub, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name)))
        if (m.isDirectory() && (await isArrayDir(path.join(sub, m.name)))) await add(`metrics/${m.name}`)
  }
  return {
    file: dir,
    format: `Zarr v${version}`,
    names: () => [...arrays.keys()],
    info: (name) => arrays.get(name)!.info,
    async read(name, opts = {}): Promise<NdArray> {
      const { array, info, where } = arrays.get(name)!
      if (info.dtype.kind === 'other' || info.dtype.kind === 'bool')
        throw new ImportError(
          `${where} has dtype ${info.dtype.name}, which is not a real number type (expected float32, float64 or an integer type)`,
        )
      const { shape } = info
      const out = new (info.dtype.kind === 'float' && info.dtype.size === 4 ? Float32Array : Float64Array)(
        elementCount(shape),
      )
      const rows = shape.length ? shape[0] : 1
      const rowLen = rows ? out.length / rows : 0
      const step = Math.max(1, Math.floor((4 << 20) / Math.max(1, rowLen)))
      for (let r = 0; r < rows; r += step) {
        throwIfAborted(opts.signal)
        const k = Math.min(step, rows - r)
        let part
        try {
          part = shape.length
            ? await zarr.get(array, [zarr.slice(r, r + k), ...shape.slice(1).map(() => null)])
            : await zarr.get(array)
        } catch (e) {
          const cause = (e as { cause?: Error }).cause?.message
          throw new ImportError(
            `${where} cannot be read: a chunk is corrupt or truncated (${cause ?? (e as Error).message})`,
          )
        }
        out.set(toNumbers(part.data, where), r * rowLen)
        opts.onFraction?.((r + k) / rows)
        await yieldToLoop()
      }
      return { dtype: info.dtype, shape, data: out }
    },
    close: async () => {},
  }
}
