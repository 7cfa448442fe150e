/**
 * One run's archive: a Zarr v3 group (docs/ARCHITECTURE.md), readable from Python with
 * zarr-python ≥ 3:
 *
 *   tau      float32 [nets, snapshots, ...point]  format 4: one shard file per network
 *                                                  (tau-shards.ts); formats 1–3: one chunk
 *                                                  file per (net, snapshot)
 *   metrics  float32 [nets, snapshots, metric]     NaN = not yet; format 3: one chunk (`c.0.0.0`)
 *   done     uint8   [nets, snapshots]             1 once that snapshot's tau and metrics are written;
 *                                                  format 3: one chunk (`c.0.0`)
 *   samples  float64 [snapshots]                   samples seen at each snapshot
 *   epoch    float64 [snapshots]
 *   state    float32 [nets, 1 + state size]        latest training state per network (element 0:
 *                                                  the snapshot it belongs to), for resume
 *   weights  float32 [nets, kept, params]          weights at the snapshots listed in the
 *                                                  attribute weightSnapshots (MLP runs)
 *   embeddings/KEY float64 [points, 2]            cached embeddings, keyed by their inputs
 *   cache/NAME.json                               other cached results (derived metrics), plain JSON
 *
 * Every chunk is written to a temporary name and renamed, and a (net, snapshot) is
 * marked `done` only after its data, so a killed process never leaves a torn or
 * half-reported snapshot; separate processes can fill disjoint networks of one run.
 * Format 3 keeps `done` and `metrics` in one chunk each: a writer collects its snapshots'
 * flags and metrics and rewrites both (read, merge, write) under CONSOLIDATED_LOCK at most
 * every FLUSH_MS, and writes a network's resume state only after its flags are flushed, so
 * a killed writer loses at most recomputable snapshots and never a flag of another writer.
 */
import { jsonProblem } from '../../shared/json-problem'
import { fs } from './file-pool'
import * as path from 'node:path'
import * as zarr from 'zarrita'
import { AtomicFsStore, writeJsonAtomic } from './atomic'
import { withLock } from './lock'
import { z } from 'zod'
import { RunSpec } from '../../shared/spec'
import type { EngineRecord } from '../../shared/api/contract'
import { RunDisplay } from '../../shared/run-display'
import { ArchiveError, MissingArchiveError, NewerFormatError } from './errors'
import { shardedTauMeta, shardLayout, TauShards } from './tau-shards'

/** The format sgdscope's engines write: format 1 (fixed snapshot axis) with `done` and
 * `metrics` each one chunk (format 3) and τ in one shard per network (docs/run-format.md, format 4). */
export const RUN_FORMAT = 4
/** Runs recorded outside sgdscope: growing snapshot axis, labels, probe inputs. */
export const EXTERNAL_RUN_FORMAT = 2
/** The newest format this version reads. */
export const READ_FORMAT = 4
/** Held while a writer rewrites a run's consolidated `done` and `metrics`. */
export const CONSOLIDATED_LOCK = 'consolidated.lock'
/** A writer rewrites the consolidated arrays at most this often (and when asked to flush). */
const FLUSH_MS = 500
/** …or when this many (network, snapshot)s are waiting. */
const FLUSH_CELLS = 4096

/** The probe set a run's τ is measured on (docs/run-format.md, probe fingerprints). */
export interface ProbeInfo {
  size: number
  labelsSha256: string
  inputsSha256?: string
  id?: string
}

export type RunStatus = 'created' | 'running' | 'complete' | 'interrupted' | 'failed'

export interface RunAttributes {
  sgdscope: { kind: 'run'; format: number }
  id: string
  spec: RunSpec
  status: RunStatus
  /** Why the run failed, when status is `failed`. */
  error?: string
  created: string
  updated: string
  engine?: EngineRecord
  versions: Record<string, string>
  /** tau's per-point shape: [probe, classes] for MLP runs, [dim] for the stochastic model. */
  pointShape: number[]
  nets: number
  snapshots: number
  /** Names of the metrics columns. */
  metrics: string[]
  dataset?: { id: string; trainCount: number; testCount: number; rows: number; cols: number; classes: number }
  /** Length of each network's training state (parameters, then momentum buffer if any). */
  stateSize: number
  /** Snapshot indices whose weights are kept in `weights`, and the number of parameters. */
  weightSnapshots?: number[]
  paramCount?: number
  /** Wall-clock seconds spent training, summed over sessions (resumes add to it). */
  trainSeconds: number
  probe?: ProbeInfo
  /** How the run is shown (name, legend label, colour), set by `sgdscope rename` or the app. */
  display?: RunDisplay
  [extra: string]: unknown
}

/** What a reader relies on in the attributes; anything else is carried along. */
const RunAttributesSchema = z.looseObject({
  sgdscope: z.object({ kind: z.literal('run'), format: z.number() }),
  id: z.string().min(1),
  spec: RunSpec,
  status: z.enum(['created', 'running', 'complete', 'interrupted', 'failed']),
  error: z.string().optional(),
  created: z.string(),
  updated: z.string(),
  versions: z.record(z.string(), z.string()),
  pointShape: z.array(z.number().int().positive()).min(1).max(2),
  nets: z.number().int().positive(),
  snapshots: z.number().int().min(0),
  metrics: z.array(z.string()),
  stateSize: z.number().int().min(0),
  trainSeconds: z.number().min(0),
  // A hand-edited display that is not valid is ignored (the run shows its spec's name), never fatal.
  display: RunDisplay.optional().catch(undefined),
  probe: z
    .looseObject({
      size: z.number().int().positive(),
      labelsSha256: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lower-case hex'),
      inputsSha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lower-case hex')
        .optional(),
      id: z.string().optional(),
    })
    .optional(),
})

export { ArchiveError } from './errors'

type Store = AtomicFsStore
const bytes: zarr.CodecMetadata[] = [{ name: 'bytes', configuration: { endian: 'little' } }]

export interface NewRun {
  id: string
  spec: RunSpec
  pointShape: number[]
  nets: number
  samples: number[]
  epochs: number[]
  metrics: string[]
  stateSize: number
  dataset?: RunAttributes['dataset']
  engine?: RunAttributes['engine']
  versions: Record<string, string>
  /** Keep weights (paramCount numbers per network) at these snapshot indices. */
  weights?: { snapshots: number[]; paramCount: number }
  probe?: ProbeInfo
}

export class RunArchive {
  private constructor(
    readonly dir: string,
    private store: Store,
    public attrs: RunAttributes,
    private arrays: {
      tau: zarr.Array<'float32', Store>
      metrics: zarr.Array<'float32', Store>
      done: zarr.Array<'uint8', Store>
      state: zarr.Array<'float32', Store>
    },
  ) {}

  get id(): string {
    return this.attrs.id
  }

  /** One chunk of an array, checked: a damaged chunk file (cut short, too long, not
   * decodable) is an ArchiveError naming it, not a short or garbled array. */
  private async chunk<D extends 'float32' | 'uint8'>(
    name: string,
    a: zarr.Array<D, Store>,
    coords: number[],
  ): Promise<zarr.Chunk<D>['data']> {
    const file = path.join(this.dir, name, 'c', ...coords.map(String))
    let data: zarr.Chunk<D>['data']
    try {
      ;({ data } = await a.getChunk(coords))
    } catch (e) {
      throw new ArchiveError(`run ${this.dir} is damaged: ${file} cannot be read (${(e as Error).message})`, file)
    }
    const want = a.chunks.reduce((x, y) => x * y, 1)
    if (data.length !== want)
      throw new ArchiveError(
        `run ${this.dir} is damaged: ${file} holds ${data.length} values, a chunk holds ${want}`,
        file,
      )
    return data
  }

  /** A whole read of an array (or a slice), with a damaged chunk an ArchiveError naming the array. */
  private async whole<T>(name: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read()
    } catch (e) {
      if (e instanceof ArchiveError) throw e
      const file = path.join(this.dir, name)
      throw new ArchiveError(`run ${this.dir} is damaged: ${file} cannot be read (${(e as Error).message})`, file)
    }
  }

  static async create(dir: string, r: NewRun): Promise<RunArchive> {
    await fs.mkdir(dir, { recursive: true })
    const store = new AtomicFsStore(dir)
    const root = zarr.root(store)
    const now = new Date().toISOString()
    const attrs: RunAttributes = {
      sgdscope: { kind: 'run', format: RUN_FORMAT },
      id: r.id,
      spec: r.spec,
      status: 'created',
      created: now,
      updated: now,
      versions: r.versions,
      pointShape: r.pointShape,
      nets: r.nets,
      snapshots: r.samples.length,
      metrics: r.metrics,
      ...(r.dataset ? { dataset: r.dataset } : {}),
      ...(r.engine ? { engine: r.engine } : {}),
      ...(r.weights?.snapshots.length
        ? { weightSnapshots: r.weights.snapshots, paramCount: r.weights.paramCount }
        : {}),
      stateSize: r.stateSize,
      trainSeconds: 0,
      ...(r.probe ? { probe: r.probe } : {}),
    }
    const S = r.samples.length
    const pointDims = r.pointShape.map((_, i) => (r.pointShape.length === 2 ? ['probe', 'output'][i] : `dim${i}`))
    // zarrita creates no sharded arrays: the metadata is written here, then opened.
    await writeJsonAtomic(
      path.join(dir, 'tau', 'zarr.json'),
      shardedTauMeta(r.nets, S, r.pointShape, ['net', 'snapshot', ...pointDims]),
    )
    const tau = await zarr.open(root.resolve('tau'), { kind: 'array' })
    if (!tau.is('float32')) throw new Error('tau is not float32')
    const metrics = await zarr.create(root.resolve('metrics'), {
      shape: [r.nets, S, r.metrics.length],
      chunkShape: [r.nets, Math.max(S, 1), Math.max(r.metrics.length, 1)],
      chunkSeparator: '.',
      dtype: 'float32',
      codecs: bytes,
      fillValue: NaN,
      dimensionNames: ['net', 'snapshot', 'metric'],
      attributes: { columns: r.metrics },
    })
    const done = await zarr.create(root.resolve('done'), {
      shape: [r.nets, S],
      chunkShape: [r.nets, Math.max(S, 1)],
      chunkSeparator: '.',
      dtype: 'uint8',
      codecs: bytes,
      fillValue: 0,
      dimensionNames: ['net', 'snapshot'],
    })
    const state = await zarr.create(root.resolve('state'), {
      shape: [r.nets, 1 + r.stateSize],
      chunkShape: [1, 1 + r.stateSize],
      dtype: 'float32',
      codecs: bytes,
      fillValue: NaN,
      dimensionNames: ['net', 'state'],
    })
    if (r.weights?.snapshots.length) {
      await zarr.create(root.resolve('weights'), {
        shape: [r.nets, r.weights.snapshots.length, r.weights.paramCount],
        chunkShape: [1, 1, r.weights.paramCount],
        dtype: 'float32',
        codecs: bytes,
        fillValue: NaN,
        dimensionNames: ['net', 'kept', 'param'],
        attributes: {
          snapshots: r.weights.snapshots,
          layout: 'A input-major [inputs][hidden], a [hidden], B [outputs][hidden], b [outputs]',
        },
      })
    }
    for (const [name, values] of [
      ['samples', r.samples],
      ['epoch', r.epochs],
    ] as const) {
      const a = await zarr.create(root.resolve(name), {
        shape: [S],
        chunkShape: [S],
        dtype: 'float64',
        codecs: bytes,
        fillValue: 0,
        dimensionNames: ['snapshot'],
      })
      await zarr.set(a, null, { data: Float64Array.from(values), shape: [S], stride: [1] })
    }
    // The group's metadata last: a directory without it is not yet a run.
    await writeJsonAtomic(path.join(dir, 'zarr.json'), { zarr_format: 3, node_type: 'group', attributes: attrs })
    return new RunArchive(dir, store, attrs, { tau, metrics, done, state })
  }

  static async open(dir: string): Promise<RunArchive> {
    const meta = path.join(dir, 'zarr.json')
    let text: string
    try {
      text = await fs.readFile(meta, 'utf8')
    } catch {
      throw new MissingArchiveError(`${dir} is not a run: ${meta} is missing`, 'run', dir)
    }
    let raw: { sgdscope?: { kind?: unknown; format?: unknown } } | undefined
    try {
      raw = JSON.parse(text)?.attributes
    } catch (e) {
      throw new ArchiveError(`${meta} is not valid JSON (${jsonProblem(e)})`, meta)
    }
    if (!raw || typeof raw !== 'object' || raw.sgdscope?.kind !== 'run')
      throw new ArchiveError(`${meta} is not an sgdscope run (no "sgdscope.kind": "run" attribute)`, meta)
    if (typeof raw.sgdscope.format === 'number' && raw.sgdscope.format > READ_FORMAT)
      throw new NewerFormatError(
        `${dir} was written by a newer sgdscope (run format ${raw.sgdscope.format}, this version reads up to ${READ_FORMAT}); update sgdscope to open it`,
        'run',
        dir,
        raw.sgdscope.format,
        READ_FORMAT,
      )
    const parsed = RunAttributesSchema.safeParse(raw)
    if (!parsed.success)
      throw new ArchiveError(
        `${meta} has malformed run attributes: ${parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || '(attributes)'}: ${i.message}`)
          .join('; ')}`,
        meta,
      )
    const attrs = parsed.data as RunAttributes
    const store = new AtomicFsStore(dir)
    const root = zarr.root(store)
    try {
      const tau = await zarr.open(root.resolve('tau'), { kind: 'array' })
      const metrics = await zarr.open(root.resolve('metrics'), { kind: 'array' })
      const done = await zarr.open(root.resolve('done'), { kind: 'array' })
      const state = await zarr.open(root.resolve('state'), { kind: 'array' })
      if (!tau.is('float32') || !metrics.is('float32') || !done.is('uint8') || !state.is('float32'))
        throw new Error('an array has an unexpected data type')
      const { nets, snapshots: S, pointShape } = attrs
      // Format 2's snapshot axis grows while a run is recorded: the arrays are grown
      // before the group's `snapshots`, so they may be longer than it, never shorter.
      const growing = attrs.spec.kind === 'external'
      const fits = (shape: number[], want: number[]) =>
        shape.length === want.length && shape.every((n, i) => (i === 1 && growing ? n >= want[i] : n === want[i]))
      const expected = (want: number[]) => `[${want.map((n, i) => (i === 1 && growing ? `≥${n}` : n)).join(', ')}]`
      const check = (name: string, shape: number[], want: number[]) => {
        if (!fits(shape, want))
          throw new Error(`${name} has shape [${shape.join(', ')}], the attributes say ${expected(want)}`)
      }
      check('tau', tau.shape, [nets, S, ...pointShape])
      check('done', done.shape, [nets, S])
      check('metrics', metrics.shape, [nets, S, attrs.metrics.length])
      if (state.shape.join() !== [nets, 1 + attrs.stateSize].join()) throw new Error(`state has shape [${state.shape}]`)
      if (attrs.spec.kind === 'external') {
        if (attrs.sgdscope.format !== EXTERNAL_RUN_FORMAT)
          throw new Error(`an external run must be format 2, this one says format ${attrs.sgdscope.format}`)
        if (pointShape[0] !== attrs.spec.probe)
          throw new Error(
            `pointShape [${pointShape.join(', ')}] does not start with the spec's probe size ${attrs.spec.probe}`,
          )
        if (attrs.spec.nets !== nets) throw new Error(`the spec says ${attrs.spec.nets} nets, the attributes ${nets}`)
        const labels = await zarr.open(root.resolve('labels'), { kind: 'array' }).catch(() => {
          throw new Error('the labels array is missing (format 2 runs record their probe labels)')
        })
        if (!labels.is('int32')) throw new Error(`labels is ${labels.dtype}, expected int32`)
        if (labels.shape.join() !== String(pointShape[0]))
          throw new Error(`labels has shape [${labels.shape.join(', ')}], expected [${pointShape[0]}] (the probe size)`)
      }
      return new RunArchive(dir, store, attrs, { tau, metrics, done, state })
    } catch (e) {
      throw new ArchiveError(`run ${dir} is damaged: ${(e as Error).message}`, dir)
    }
  }

  /** Rewrites the group attributes atomically (re-reading them first, so that other
   * processes' changes to other fields are kept). */
  async update(patch: Partial<RunAttributes>): Promise<RunAttributes> {
    const meta = path.join(this.dir, 'zarr.json')
    const current = JSON.parse(await fs.readFile(meta, 'utf8'))
    this.attrs = { ...current.attributes, ...patch, updated: new Date().toISOString() }
    await writeJsonAtomic(meta, { ...current, attributes: this.attrs })
    return this.attrs
  }

  /** True when `done` and `metrics` are one chunk each (format 3). Decided by the arrays
   * themselves, so a run whose upgrade was interrupted half-way reads right. */
  get consolidated(): boolean {
    const covers = (a: { shape: number[]; chunks: number[] }) => a.shape.every((n, i) => a.chunks[i] >= n)
    return covers(this.arrays.done) && covers(this.arrays.metrics)
  }

  /** Format 3: (net * snapshots + snapshot) → metrics, and net → state row, not yet on disk. */
  private pendingCells = new Map<number, Float32Array>()
  private pendingStates = new Map<number, Float32Array>()
  private lastFlush = Date.now()

  /** Writes what is waiting (format 3) now: `metrics`, then `done`, merged under the lock
   * with what other writers wrote, then the resume states of those networks. */
  async flush(): Promise<void> {
    if (this.pendingCells.size === 0 && this.pendingStates.size === 0) return
    const cells = this.pendingCells
    const states = this.pendingStates
    this.pendingCells = new Map()
    this.pendingStates = new Map()
    if (cells.size)
      await withLock(path.join(this.dir, CONSOLIDATED_LOCK), `run ${this.id}'s done flags and metrics`, async () => {
        const { nets: N, snapshots: S } = this.attrs
        const M = this.attrs.metrics.length
        if (M > 0) {
          const m = await this.readMetricsFromDisk()
          for (const [i, row] of cells) m.set(row.subarray(0, M), i * M)
          await zarr.set(this.arrays.metrics, null, { data: m, shape: [N, S, M], stride: [S * M, M, 1] })
        }
        const done = await this.readDoneFromDisk()
        for (const i of cells.keys()) done[i] = 1
        await zarr.set(this.arrays.done, null, { data: done, shape: [N, S], stride: [S, 1] })
      })
    for (const [net, row] of states)
      await zarr.set(this.arrays.state, [net, null], { data: row, shape: [row.length], stride: [1] })
    this.lastFlush = Date.now()
  }

  private async maybeFlush(): Promise<void> {
    if (this.pendingCells.size >= FLUSH_CELLS || Date.now() - this.lastFlush >= FLUSH_MS) await this.flush()
  }

  /** Records one (network, snapshot): τ and metrics first, then the `done` mark. */
  async writeSnapshot(net: number, snapshot: number, tau: Float32Array, metrics: ArrayLike<number>): Promise<void> {
    const ps = this.attrs.pointShape
    const shards = (await this.tauLayout()).shards
    if (shards) await shards.write(net, snapshot, tau)
    else
      await zarr.set(this.arrays.tau, [net, snapshot, ...ps.map(() => null)], {
        data: tau,
        shape: ps,
        stride: strides(ps),
      })
    const m = Float32Array.from(metrics)
    if (this.consolidated) {
      this.pendingCells.set(net * this.attrs.snapshots + snapshot, m)
      return this.maybeFlush()
    }
    await zarr.set(this.arrays.metrics, [net, snapshot, null], { data: m, shape: [m.length], stride: [1] })
    await zarr.set(this.arrays.done, [net, snapshot], 1)
  }

  private weightsArray: Promise<zarr.Array<'float32', Store>> | null = null
  private weights(): Promise<zarr.Array<'float32', Store>> {
    this.weightsArray ??= zarr.open(zarr.root(this.store).resolve('weights'), { kind: 'array' }).then((a) => {
      if (!a.is('float32')) throw new ArchiveError(`${this.dir}/weights is not float32`, `${this.dir}/weights`)
      return a
    })
    return this.weightsArray
  }

  /** Keeps a network's weights at a snapshot, if the run keeps weights there. */
  async writeWeights(net: number, snapshot: number, params: Float32Array): Promise<void> {
    const k = this.attrs.weightSnapshots?.indexOf(snapshot) ?? -1
    if (k < 0) return
    await zarr.set(await this.weights(), [net, k, null], { data: params, shape: [params.length], stride: [1] })
  }

  /** True for runs recorded outside sgdscope (format 2, spec kind `external`). */
  get isExternal(): boolean {
    return this.attrs.spec.kind === 'external'
  }

  /** Where snapshot j's weights are in `weights`: format 1 keeps the listed snapshots,
   * format 2 keeps weights of snapshot j at j (NaN where none were recorded). */
  private weightIndex(snapshot: number): number {
    if (this.isExternal) return this.attrs.paramCount && snapshot < this.attrs.snapshots ? snapshot : -1
    return this.attrs.weightSnapshots?.indexOf(snapshot) ?? -1
  }

  /** A network's kept weights at a snapshot, or null if not kept (or not yet written). */
  async readWeights(net: number, snapshot: number): Promise<Float32Array | null> {
    const k = this.weightIndex(snapshot)
    if (k < 0) return null
    const w = (await this.chunk('weights', await this.weights(), [net, k, 0])) as Float32Array
    return Number.isNaN(w[0]) ? null : w
  }

  /** Snapshot indices where every network (of `nets`, default all) has weights. Format 1: those kept by the
   * spec; format 2: those where each network recorded them (checked chunk by chunk). */
  async weightSnapshotsAvailable(nets?: number[]): Promise<number[]> {
    if (!this.isExternal) return this.attrs.weightSnapshots ?? []
    if (!this.attrs.paramCount) return []
    const which = nets ?? Array.from({ length: this.attrs.nets }, (_, k) => k)
    const out: number[] = []
    for (let j = 0; j < this.attrs.snapshots; j++) {
      let all = true
      for (const k of which) if (!(all = await this.store.has(`/weights/c/${k}/${j}/0`))) break
      if (all) out.push(j)
    }
    return out
  }

  /** The `weights` array's attributes (e.g. `architecture`), or null without weights. */
  async weightsAttributes(): Promise<Record<string, unknown> | null> {
    if (!this.attrs.paramCount) return null
    return (await this.weights()).attrs as Record<string, unknown>
  }

  /** The probe set's labels (format 2; −1 where unknown), or null for format-1 runs. */
  async readLabels(): Promise<Int32Array | null> {
    if (!this.isExternal) return null
    const a = await zarr.open(zarr.root(this.store).resolve('labels'), { kind: 'array' })
    return (await zarr.get(a)).data as Int32Array
  }

  /** The recorded probe inputs [P, ...] (format 2, optional), or null. */
  async readProbeInputs(): Promise<{ data: Float32Array; shape: number[] } | null> {
    if (!this.isExternal || !(await this.store.has('/probe_inputs/zarr.json'))) return null
    const a = await zarr.open(zarr.root(this.store).resolve('probe_inputs'), { kind: 'array' })
    if (!a.is('float32'))
      throw new ArchiveError(`${this.dir}/probe_inputs is ${a.dtype}, expected float32`, `${this.dir}/probe_inputs`)
    if (a.shape[0] !== this.attrs.pointShape[0])
      throw new ArchiveError(
        `${this.dir}/probe_inputs has shape [${a.shape.join(', ')}], expected [${this.attrs.pointShape[0]}, ...]`,
        `${this.dir}/probe_inputs`,
      )
    return { data: (await zarr.get(a)).data as Float32Array, shape: a.shape }
  }

  /** Saves a network's training state as of `snapshot` (one chunk, so it is atomic). */
  async writeState(net: number, snapshot: number, state: Float32Array): Promise<void> {
    const row = new Float32Array(1 + this.attrs.stateSize)
    row[0] = snapshot
    row.set(state, 1)
    if (this.consolidated) {
      // After the flags of its snapshots: a resume never starts past an unrecorded snapshot.
      this.pendingStates.set(net, row)
      return this.maybeFlush()
    }
    await zarr.set(this.arrays.state, [net, null], { data: row, shape: [row.length], stride: [1] })
  }

  /** The saved state of a network, or null if it has none yet. */
  async readState(net: number): Promise<{ snapshot: number; state: Float32Array } | null> {
    await this.flush()
    const row = (await this.chunk('state', this.arrays.state, [net, 0])) as Float32Array
    if (Number.isNaN(row[0])) return null
    return { snapshot: row[0], state: row.slice(1) }
  }

  async readTau(net: number, snapshot: number): Promise<Float32Array> {
    const shards = (await this.tauLayout()).shards
    if (shards) {
      const out = new Float32Array(shards.pointBytes / 4)
      await this.readTauBlock([{ net, snapshot }], out)
      return out
    }
    return (await this.chunk('tau', this.arrays.tau, [
      net,
      snapshot,
      ...this.attrs.pointShape.map(() => 0),
    ])) as Float32Array
  }

  /**
   * τ of a block of points into `into` (row i at i·d, d = the point's size; points not yet
   * written read as 0): the way to read many points. Format 4 keeps each network's snapshots in
   * one shard file, so a block is one index read and one read per run of consecutive snapshots
   * of a network (rows ordered network by network, snapshot by snapshot, read fastest), at
   * disk speed. Formats 1–3 store one chunk file per point: those are read straight into
   * `into`, several at a time (through zarrita each chunk became a fresh array copied into
   * place: fig1's 3,100 chunks took 5 s of CPU, this way 0.7 s). Other encodings (runs
   * written elsewhere), and chunks whose file is missing, go through zarrita. `onRead` gets
   * the number of points read so far.
   */
  async readTauBlock(
    rows: readonly { net: number; snapshot: number }[],
    into: Float32Array,
    onRead?: (done: number) => void,
  ): Promise<void> {
    const shards = (await this.tauLayout()).shards
    if (shards) {
      try {
        return await shards.readBlock(rows, into, onRead)
      } catch (e) {
        if (e instanceof ArchiveError) throw new ArchiveError(`run ${this.dir} is damaged: ${e.message}`, e.path)
        throw e
      }
    }
    return this.readTauFiles(rows, into, onRead)
  }

  /** readTauBlock under its former name (`points` into `out`). */
  readTauInto(
    points: readonly { net: number; snapshot: number }[],
    out: Float32Array,
    onRead?: (done: number) => void,
  ): Promise<void> {
    return this.readTauBlock(points, out, onRead)
  }

  private async readTauFiles(
    points: readonly { net: number; snapshot: number }[],
    out: Float32Array,
    onRead?: (done: number) => void,
  ): Promise<void> {
    const d = this.attrs.pointShape.reduce((a, b) => a * b, 1)
    if (out.length < points.length * d)
      throw new Error(`readTauBlock: out holds ${out.length} values, ${points.length} points need ${points.length * d}`)
    const raw = (await this.tauLayout()).files
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
    let next = 0
    let done = 0
    const one = async (k: number) => {
      const { net, snapshot } = points[k]!
      const coords = [net, snapshot, ...this.attrs.pointShape.map(() => 0)]
      if (raw) {
        const file = path.join(this.dir, 'tau', 'c', ...coords.map(String))
        let fh: Awaited<ReturnType<typeof fs.open>> | undefined
        try {
          fh = await fs.open(file, 'r')
          const { size } = await fh.stat()
          const { bytesRead } = await fh.read(bytes, k * d * 4, d * 4, 0)
          if (size !== d * 4 || bytesRead !== d * 4)
            throw new ArchiveError(
              `run ${this.dir} is damaged: ${file} holds ${size} bytes, a chunk holds ${d * 4}`,
              file,
            )
          return
        } catch (e) {
          if (e instanceof ArchiveError) throw e
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
            throw new ArchiveError(`run ${this.dir} is damaged: ${file} cannot be read (${(e as Error).message})`, file)
          // A missing chunk is the fill value: zarrita's reading says which.
        } finally {
          await fh?.close()
        }
      }
      out.set(await this.readTau(net, snapshot), k * d)
    }
    const READERS = 16
    await Promise.all(
      Array.from({ length: Math.min(READERS, points.length) }, async () => {
        while (next < points.length) {
          await one(next++)
          onRead?.(++done)
        }
      }),
    )
  }

  private tauLayoutRead: Promise<{ shards: TauShards | null; files: boolean }> | undefined
  /** How τ is stored, from its own `zarr.json` (never the group's format number): in shards
   * (format 4), as plain little-endian float32 files at tau/c/net/snapshot/0/… (formats 1–3),
   * or otherwise (zarrita reads it). */
  private tauLayout(): Promise<{ shards: TauShards | null; files: boolean }> {
    return (this.tauLayoutRead ??= (async () => {
      if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) return { shards: null, files: false } // big-endian
      try {
        const text = await fs.readFile(path.join(this.dir, 'tau', 'zarr.json'), 'utf8')
        const layout = shardLayout(JSON.parse(text), this.attrs.pointShape)
        if (layout) return { shards: new TauShards(path.join(this.dir, 'tau'), layout), files: false }
        const meta = JSON.parse(text) as {
          data_type?: string
          codecs?: { name?: string; configuration?: { endian?: string } }[]
          chunk_grid?: { name?: string; configuration?: { chunk_shape?: number[] } }
          chunk_key_encoding?: { name?: string; configuration?: { separator?: string } }
        }
        const codecs = meta.codecs ?? []
        const shape = meta.chunk_grid?.configuration?.chunk_shape ?? []
        const key = meta.chunk_key_encoding
        const files =
          meta.data_type === 'float32' &&
          codecs.length === 1 &&
          codecs[0]?.name === 'bytes' &&
          (codecs[0].configuration?.endian ?? 'little') === 'little' &&
          meta.chunk_grid?.name === 'regular' &&
          JSON.stringify(shape) === JSON.stringify([1, 1, ...this.attrs.pointShape]) &&
          key?.name === 'default' &&
          (key.configuration?.separator ?? '/') === '/'
        return { shards: null, files }
      } catch {
        return { shards: null, files: false }
      }
    })())
  }

  /** The first `snapshots` entries of the snapshot axis (format 2's arrays may be longer). */
  private snapshotSlice(a: { shape: number[] }): zarr.Slice | null {
    const S = this.attrs.snapshots
    return a.shape[1] === S ? null : zarr.slice(0, S)
  }

  /** All metrics, [nets][snapshots][metric] flattened; NaN where not yet recorded. */
  async readMetrics(): Promise<Float32Array> {
    await this.flush()
    return this.readMetricsFromDisk()
  }

  private async readMetricsFromDisk(): Promise<Float32Array> {
    const a = this.arrays.metrics
    if (this.attrs.snapshots === 0 || this.attrs.metrics.length === 0) return new Float32Array(0)
    return this.whole(
      'metrics',
      async () => (await zarr.get(a, [null, this.snapshotSlice(a), null])).data as Float32Array,
    )
  }

  /** The metrics of one (network, snapshot); NaN where not recorded. */
  async readMetricsAt(net: number, snapshot: number): Promise<Float32Array> {
    if (this.attrs.metrics.length === 0) return new Float32Array(0)
    await this.flush()
    if (this.consolidated) {
      const M = this.attrs.metrics.length
      const all = await this.readMetricsFromDisk()
      const i = (net * this.attrs.snapshots + snapshot) * M
      return all.slice(i, i + M)
    }
    const data = (await this.chunk('metrics', this.arrays.metrics, [net, snapshot, 0])) as Float32Array
    return data.subarray(0, this.attrs.metrics.length)
  }

  /** done[net * snapshots + snapshot] = 1 once recorded. */
  async readDone(): Promise<Uint8Array> {
    await this.flush()
    return this.readDoneFromDisk()
  }

  private async readDoneFromDisk(): Promise<Uint8Array> {
    const a = this.arrays.done
    if (this.attrs.snapshots === 0) return new Uint8Array(0)
    return this.whole('done', async () => (await zarr.get(a, [null, this.snapshotSlice(a)])).data as Uint8Array)
  }

  /** Samples and epochs of the first `snapshots` snapshots. Read from the chunk itself:
   * a writer growing the axis rewrites it whole with entries appended, so its first
   * `snapshots` values are the same whichever version we see. */
  async readTimes(): Promise<{ samples: Float64Array; epochs: Float64Array }> {
    const S = this.attrs.snapshots
    const read = async (name: string) => {
      if (S === 0) return new Float64Array(0)
      const bytes = await this.store.get(`/${name}/c/0`)
      if (!bytes || bytes.byteLength < 8 * S)
        throw new ArchiveError(
          `run ${this.dir} is damaged: ${name} holds ${(bytes?.byteLength ?? 0) / 8} values, the attributes say ${S} snapshots`,
          this.dir,
        )
      const view = new DataView(bytes.buffer, bytes.byteOffset, 8 * S)
      return Float64Array.from({ length: S }, (_, j) => view.getFloat64(8 * j, true))
    }
    return { samples: await read('samples'), epochs: await read('epoch') }
  }

  /** A cached embedding stored under `embeddings/KEY`, or null. */
  async readEmbedding(key: string): Promise<{ coords: Float64Array; attrs: Record<string, unknown> } | null> {
    try {
      const a = await zarr.open(zarr.root(this.store).resolve(`embeddings/${key}`), { kind: 'array' })
      if (!a.is('float64')) return null
      return { coords: (await zarr.get(a)).data as Float64Array, attrs: a.attrs as Record<string, unknown> }
    } catch {
      return null // absent or unreadable: the caller recomputes it
    }
  }

  /** A cached result (null when absent or unreadable: the caller recomputes it). */
  async readCache<T>(name: string): Promise<T | null> {
    try {
      return JSON.parse(await fs.readFile(path.join(this.dir, 'cache', `${name}.json`), 'utf8')) as T
    } catch {
      return null
    }
  }

  /** Caches a result under a name that says what it was computed from (written atomically). */
  async writeCache(name: string, value: unknown): Promise<void> {
    await fs.mkdir(path.join(this.dir, 'cache'), { recursive: true })
    await writeJsonAtomic(path.join(this.dir, 'cache', `${name}.json`), value)
  }

  /** Caches an embedding (n×2 coordinates) with what it was computed from. */
  async writeEmbedding(key: string, coords: Float64Array, attrs: Record<string, unknown>): Promise<void> {
    const n = coords.length / 2
    // Written under a temporary name and renamed whole, so a job stopped half-way (or a
    // crash) never leaves an array whose metadata is there and its chunk not.
    const partial = `.partial-${key}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
    const a = await zarr.create(zarr.root(this.store).resolve(`embeddings/${partial}`), {
      shape: [n, 2],
      chunkShape: [n, 2],
      dtype: 'float64',
      codecs: bytes,
      fillValue: 0,
      dimensionNames: ['point', 'axis'],
      attributes: attrs,
    })
    await zarr.set(a, null, { data: coords, shape: [n, 2], stride: [2, 1] })
    const dir = path.join(this.dir, 'embeddings')
    try {
      await fs.rename(path.join(dir, partial), path.join(dir, key))
    } catch {
      // Another process cached the same key first: theirs stays.
      await fs.rm(path.join(dir, partial), { recursive: true, force: true })
    }
  }

  /** Counts of finished snapshots per network. */
  async progress(): Promise<{ perNet: number[]; done: number; total: number }> {
    const done = await this.readDone()
    const S = this.attrs.snapshots
    const perNet = Array.from({ length: this.attrs.nets }, (_, k) => {
      let c = 0
      for (let j = 0; j < S; j++) c += done[k * S + j]
      return c
    })
    const total = this.attrs.nets * S
    return { perNet, done: perNet.reduce((a, b) => a + b, 0), total }
  }
}

function strides(shape: number[]): number[] {
  const s = new Array<number>(shape.length)
  let acc = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc
    acc *= shape[i]
  }
  return s
}
