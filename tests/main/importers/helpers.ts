import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { promises as fs, readFileSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import * as zarr from 'zarrita'
import FileSystemStore from '@zarrita/storage/fs'
import { expect } from 'vitest'
import { RunArchive } from '../../../src/main/archive/run'

const HERE = path.dirname(fileURLToPath(import.meta.url))

export interface Dims {
  nets: number
  snapshots: number
  probe: number
  classes: number
  params: number
}

/** Writes the NumPy/h5py fixtures (fixtures.py) into dir; zip64: also a zip of 65539 members. */
export function writeFixtures(dir: string, opts: { zip64?: boolean } = {}): Dims {
  const out = execFileSync('python3', [path.join(HERE, 'fixtures.py'), dir, ...(opts.zip64 ? ['--zip64'] : [])], {
    encoding: 'utf8',
  })
  return JSON.parse(out.trim().split('\n').pop()!) as Dims
}

/** An expected_NAME.bin written by fixtures.py. */
export function expected(
  dir: string,
  name: string,
  kind: 'f32' | 'f64' | 'i32',
): Float32Array | Float64Array | Int32Array {
  const b = readFileSync(path.join(dir, `expected_${name}.bin`))
  const buf = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)
  return kind === 'f32' ? new Float32Array(buf) : kind === 'f64' ? new Float64Array(buf) : new Int32Array(buf)
}

export const sha256 = (a: ArrayBufferView) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex')

/** Every entry of runs/, hidden ones too: after a failed import there must be none. */
export async function runsLeft(project: string): Promise<string[]> {
  try {
    return await fs.readdir(path.join(project, 'runs'))
  } catch {
    return []
  }
}

/** Equal element by element (NaN equals NaN). */
export function expectSame(actual: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: length`).toBe(want.length)
  for (let i = 0; i < want.length; i++)
    if (!Object.is(actual[i], want[i])) expect(`${what}[${i}] = ${actual[i]}`).toBe(`${what}[${i}] = ${want[i]}`)
}

/** Equal within float32 round-off of a softmax computed in float64 (≤ 1 ulp of float32). */
export function expectClose(actual: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: length`).toBe(want.length)
  let worst = 0
  for (let i = 0; i < want.length; i++)
    worst = Math.max(worst, Math.abs(actual[i] - want[i]) / Math.max(Math.abs(want[i]), 1e-30))
  expect(worst, what).toBeLessThanOrEqual(2 ** -23)
}

/**
 * A Zarr v3 group written with zarrita, one chunk per index of the first axis. zarrita
 * does not encode gzip, so gzip chunks are compressed here with Node's zlib (what
 * zarr-python writes) under the metadata zarrita wrote.
 */
export async function writeZarrV3(
  dir: string,
  arrays: {
    name: string
    dtype: 'float32' | 'float64' | 'int32'
    shape: number[]
    data: Float32Array | Float64Array | Int32Array
    gzip?: boolean
  }[],
) {
  const store = new FileSystemStore(dir)
  const root = await zarr.create(store)
  const groups = new Set(arrays.map((a) => path.dirname(a.name)).filter((d) => d !== '.'))
  for (const g of groups) await zarr.create(root.resolve(g))
  for (const a of arrays) {
    const stride = a.shape.map((_, i) => a.shape.slice(i + 1).reduce((x, y) => x * y, 1))
    const chunkShape = a.shape.map((n, i) => (i === 0 ? 1 : n))
    const codecs = [
      { name: 'bytes', configuration: { endian: 'little' } },
      ...(a.gzip ? [{ name: 'gzip', configuration: { level: 5 } }] : []),
    ]
    const arr = await zarr.create(root.resolve(a.name), {
      shape: a.shape,
      chunkShape,
      dtype: a.dtype as 'float64',
      codecs,
      fillValue: 0,
    })
    if (!a.gzip) {
      await zarr.set(arr, null, { data: a.data as Float64Array, shape: a.shape, stride })
      continue
    }
    const per = a.data.length / a.shape[0]
    for (let i = 0; i < a.shape[0]; i++) {
      const part = a.data.subarray(i * per, (i + 1) * per)
      const file = path.join(dir, a.name, 'c', String(i), ...a.shape.slice(1).map(() => '0'))
      await fs.mkdir(path.dirname(file), { recursive: true })
      await fs.writeFile(file, gzipSync(new Uint8Array(part.buffer, part.byteOffset, part.byteLength)))
    }
  }
}

/** What a run written by an import holds, read back with RunArchive. */
export async function readBack(project: string, runId: string) {
  const dir = path.join(project, 'runs', runId)
  const run = await RunArchive.open(dir)
  const { nets, snapshots: S } = run.attrs
  const cat = async (read: (k: number, j: number) => Promise<Float32Array | null>) => {
    const parts: number[] = []
    for (let k = 0; k < nets; k++) for (let j = 0; j < S; j++) parts.push(...((await read(k, j)) ?? []))
    return Float32Array.from(parts)
  }
  const tauMeta = JSON.parse(await fs.readFile(path.join(dir, 'tau', 'zarr.json'), 'utf8'))
  return {
    attrs: run.attrs,
    tau: {
      data: await cat((k, j) => run.readTau(k, j)),
      attrs: tauMeta.attributes as Record<string, unknown>,
      shape: tauMeta.shape as number[],
    },
    metrics: { data: run.attrs.metrics.length ? await run.readMetrics() : new Float32Array(0) },
    done: { data: await run.readDone() },
    epochs: (await run.readTimes()).epochs,
    labels: (await run.readLabels())!,
    weights: run.attrs.paramCount ? { data: await cat((k, j) => run.readWeights(k, j)) } : null,
    probeInputs: await run.readProbeInputs(),
  }
}
