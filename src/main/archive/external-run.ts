/**
 * Writing runs recorded outside sgdscope (format 2, docs/run-format.md): the TypeScript
 * twin of the Python recorder, used by the importer, the checkpoint evaluator and tests.
 *
 * A run is built in a hidden temporary folder and renamed into place, so readers never
 * see half a run; a writer that finds the run already there joins it when it is
 * compatible. Snapshots are added to the growing axis under the short lock
 * `snapshots.lock`; a snapshot's data is written without any lock, chunk files first,
 * its `done` mark last. Several processes may record different networks of one run.
 */
import { randomBytes } from 'node:crypto'
import { fs } from './file-pool'
import * as os from 'node:os'
import * as path from 'node:path'
import { ExternalSpec, type ExternalSpec as ExternalSpecType } from '../../shared/spec'
import { writeFileAtomic, writeJsonAtomic } from './atomic'
import { leBytes } from './bytes'
import { ArchiveCancelledError, ArchiveExistsError, InvalidRunIdError, RunDataError } from './errors'
import { isLockHeld, LockedError, pidAlive, readLock } from './lock'
import { probeInfo } from './probe'
import { Project } from './project'
import { EXTERNAL_RUN_FORMAT, RunArchive, type ProbeInfo, type RunAttributes, type RunStatus } from './run'
import { runtimeVersions } from '../version'

/** Weights of the engine's MLP family, which analyses that run the model understand. */
export interface MlpArchitecture {
  kind: 'mlp'
  inputs: number
  hidden: number
  outputs: number
  activation: 'sigmoid'
  output: 'sigmoid' | 'softmax'
}

export const MLP_LAYOUT = 'A input-major [inputs][hidden], a [hidden], B [outputs][hidden], b [outputs]'

/** Parameters of an MLP architecture: A, a, B, b. */
export function architectureParams(a: MlpArchitecture): number {
  return a.inputs * a.hidden + a.hidden + a.outputs * a.hidden + a.outputs
}

export interface ExternalRunInit {
  /** Run id: `[A-Za-z0-9._-]+`, not starting with `.`. */
  id: string
  /** The external spec without `kind` (filled in); `nets`, `classes`, `outputs`, `probe`, `source`. */
  spec: Omit<ExternalSpecType, 'kind' | 'meta'> & { meta?: Record<string, unknown> }
  /** The probe set's labels (−1 where unknown), length `spec.probe`. */
  labels: ArrayLike<number>
  /** τ's per-point shape; default `[probe, classes]`. Needed for `values` outputs: `[probe, D]`. */
  pointShape?: number[]
  /** Metric column names (any; the app knows train_loss, train_error, test_loss, test_error). */
  metrics?: string[]
  /** The probe inputs, C order, first axis the probe: for analyses that run the model. */
  probeInputs?: { data: Float32Array; shape: number[] }
  /** Where the probe set came from, e.g. `mnist:test[0:1000]`. */
  probeId?: string
  /** Networks record flat weight vectors of this length (with an architecture when known). */
  weights?: { paramCount: number; architecture?: MlpArchitecture; layout?: string }
  versions?: Record<string, string>
}

/** One (network, snapshot) of a recorded run. */
export interface SnapshotData {
  /** The network's outputs on the probe set, pointShape values (logits get a softmax). */
  outputs: ArrayLike<number>
  /** Metric values by column name; absent ones stay NaN. */
  metrics?: Record<string, number>
  /** The flat weight vector (paramCount values), if the run records weights. */
  weights?: ArrayLike<number>
}

const bytesCodec = [{ name: 'bytes', configuration: { endian: 'little' } }]

function arrayMeta(
  shape: number[],
  chunk: number[],
  dtype: string,
  fill: number | 'NaN',
  dims: string[],
  attributes: Record<string, unknown> = {},
) {
  return {
    zarr_format: 3,
    node_type: 'array',
    shape,
    data_type: dtype,
    chunk_grid: { name: 'regular', configuration: { chunk_shape: chunk } },
    chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
    codecs: bytesCodec,
    fill_value: fill,
    dimension_names: dims,
    attributes,
  }
}

const product = (xs: number[]) => xs.reduce((a, b) => a * b, 1)
const shapeText = (xs: number[]) => `[${xs.join(', ')}]`
const hostName = () => os.hostname()

/** The parsed spec and the checks every writer makes before touching disk. */
function checkInit(init: ExternalRunInit): {
  spec: ExternalSpecType
  pointShape: number[]
  metrics: string[]
  probe: ProbeInfo
} {
  if (!/^[A-Za-z0-9._-]+$/.test(init.id) || init.id.startsWith('.'))
    throw new InvalidRunIdError(
      `"${init.id}" is not a valid run id (letters, digits, . _ -, not starting with .)`,
      init.id,
    )
  const parsed = ExternalSpec.safeParse({ ...init.spec, kind: 'external', name: init.spec.name ?? init.id })
  if (!parsed.success)
    throw new RunDataError(
      `invalid external run spec: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(spec)'}: ${i.message}`).join('; ')}`,
      'spec',
    )
  const spec = parsed.data
  const P = spec.probe
  const pointShape = init.pointShape ?? (spec.classes !== null ? [P, spec.classes] : null)
  if (!pointShape)
    throw new RunDataError(
      'outputs "values" need a pointShape [probe, D] (the length D of each probe item\'s output)',
      'pointShape',
    )
  if (pointShape.length !== 2 || pointShape[0] !== P || !pointShape.every((n) => Number.isInteger(n) && n > 0))
    throw new RunDataError(
      `pointShape is ${shapeText(pointShape)}, expected [${P}, outputs] (probe size first)`,
      'pointShape',
    )
  if (spec.classes !== null && pointShape[1] !== spec.classes)
    throw new RunDataError(
      `pointShape is ${shapeText(pointShape)}, expected [${P}, ${spec.classes}] (${spec.classes} classes)`,
      'pointShape',
    )
  if (init.labels.length !== P)
    throw new RunDataError(`labels has shape [${init.labels.length}], expected [${P}] (the probe size)`, 'labels')
  for (let i = 0; i < P; i++) {
    const y = init.labels[i]
    const ok = Number.isInteger(y) && y >= -1 && (spec.classes === null || y < spec.classes)
    if (!ok) {
      const range = `[0, ${spec.classes === null ? '∞' : spec.classes})`
      throw new RunDataError(`labels[${i}] is ${y}: labels must be integers in ${range} or −1 (unknown)`, 'labels')
    }
  }
  const metrics = init.metrics ?? []
  if (new Set(metrics).size !== metrics.length)
    throw new RunDataError(`metric names repeat: ${metrics.join(', ')}`, 'metrics')
  const inputs = init.probeInputs
  if (inputs) {
    if (inputs.shape[0] !== P || inputs.data.length !== product(inputs.shape))
      throw new RunDataError(
        `probe_inputs has shape ${shapeText(inputs.shape)} (${inputs.data.length} values), ` +
          `expected [${P}, ...] with as many values as the shape says`,
        'probeInputs',
      )
    if (!inputs.data.every(Number.isFinite))
      throw new RunDataError('probe_inputs holds NaN or infinite values', 'probeInputs')
  }
  if (init.weights) {
    const { paramCount, architecture } = init.weights
    if (!Number.isInteger(paramCount) || paramCount < 1)
      throw new RunDataError(`weights.paramCount is ${paramCount}, expected a positive integer`, 'weights.paramCount')
    if (architecture && architectureParams(architecture) !== paramCount)
      throw new RunDataError(
        `weights.paramCount is ${paramCount}, but the architecture ${JSON.stringify(architecture)} ` +
          `has ${architectureParams(architecture)} parameters`,
        'weights.paramCount',
      )
    if (architecture && architecture.outputs !== pointShape[1])
      throw new RunDataError(
        `the architecture has ${architecture.outputs} outputs, τ has ${pointShape[1]} per probe item`,
        'weights.architecture',
      )
  }
  return { spec, pointShape, metrics, probe: probeInfo(init.labels, inputs?.data, init.probeId) }
}

/** Writes the complete run (group and arrays) with S snapshots' worth of axis into dir. */
async function writeSkeleton(
  dir: string,
  init: ExternalRunInit,
  c: ReturnType<typeof checkInit>,
  epochs: number[],
  samples: number[],
): Promise<void> {
  const { spec, pointShape, metrics } = c
  const N = spec.nets
  const S = epochs.length
  const M = metrics.length
  const P = pointShape[0]
  const put = (name: string, meta: unknown) => writeJsonAtomic(path.join(dir, name, 'zarr.json'), meta)
  const tauAttrs = spec.outputs === 'logits' ? { transform: 'softmax' } : {}
  await put(
    'tau',
    arrayMeta(
      [N, S, ...pointShape],
      [1, 1, ...pointShape],
      'float32',
      0,
      ['net', 'snapshot', 'probe', 'output'],
      tauAttrs,
    ),
  )
  // A zero-length chunk is not allowed; with no metrics the (empty) array has chunks of one.
  await put(
    'metrics',
    arrayMeta([N, S, M], [1, 1, Math.max(M, 1)], 'float32', 'NaN', ['net', 'snapshot', 'metric'], { columns: metrics }),
  )
  await put('done', arrayMeta([N, S], [1, 1], 'uint8', 0, ['net', 'snapshot']))
  await put('state', arrayMeta([N, 1], [1, 1], 'float32', 'NaN', ['net', 'state']))
  for (const [name, values] of [
    ['epoch', epochs],
    ['samples', samples],
  ] as const) {
    await put(name, arrayMeta([S], [Math.max(S, 1)], 'float64', 0, ['snapshot']))
    if (S) await writeFileAtomic(path.join(dir, name, 'c', '0'), leBytes(Float64Array.from(values)))
  }
  await put('labels', arrayMeta([P], [P], 'int32', 0, ['probe']))
  await writeFileAtomic(path.join(dir, 'labels', 'c', '0'), leBytes(Int32Array.from(init.labels)))
  if (init.probeInputs) {
    const { data, shape } = init.probeInputs
    await put(
      'probe_inputs',
      arrayMeta(shape, shape, 'float32', 0, ['probe', ...shape.slice(1).map((_, i) => `input${i}`)]),
    )
    await writeFileAtomic(path.join(dir, 'probe_inputs', 'c', ...shape.map(() => '0')), leBytes(data))
  }
  if (init.weights) {
    const { paramCount, architecture, layout } = init.weights
    const attrs = { layout: layout ?? (architecture ? MLP_LAYOUT : 'flat'), ...(architecture ? { architecture } : {}) }
    await put(
      'weights',
      arrayMeta([N, S, paramCount], [1, 1, paramCount], 'float32', 'NaN', ['net', 'snapshot', 'param'], attrs),
    )
  }
  const now = new Date().toISOString()
  const attrs: RunAttributes = {
    sgdscope: { kind: 'run', format: EXTERNAL_RUN_FORMAT },
    id: init.id,
    spec,
    status: 'created',
    created: now,
    updated: now,
    versions: { ...runtimeVersions(), ...(init.versions ?? {}) },
    pointShape,
    nets: N,
    snapshots: S,
    metrics,
    stateSize: 0,
    ...(init.weights ? { paramCount: init.weights.paramCount } : {}),
    trainSeconds: 0,
    probe: c.probe,
  }
  // The group's metadata last: a directory without it is not yet a run.
  await writeJsonAtomic(path.join(dir, 'zarr.json'), { zarr_format: 3, node_type: 'group', attributes: attrs })
}

/** A temporary folder beside the run; a reader skips it (it starts with a dot). */
async function creatingDir(runsDir: string, id: string): Promise<string> {
  const dir = path.join(runsDir, `.${id}.creating-${process.pid}-${randomBytes(4).toString('hex')}`)
  await fs.mkdir(dir, { recursive: true })
  return dir
}

/** Renames a built run into place; false when a run of that id is already there. */
async function moveIntoPlace(tmp: string, dir: string): Promise<boolean> {
  try {
    await fs.rename(tmp, dir)
    return true
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EEXIST' || code === 'ENOTEMPTY' || code === 'EPERM' || code === 'EISDIR') return false
    throw e
  }
}

/** Checks that a writer may join an existing run: nets, pointShape, outputs and the
 * probe labels must agree. */
function checkJoin(run: RunArchive, c: ReturnType<typeof checkInit>): void {
  const a = run.attrs
  const problems: string[] = []
  if (a.spec.kind !== 'external') problems.push(`it was trained by sgdscope (spec kind ${a.spec.kind})`)
  else {
    if (a.nets !== c.spec.nets) problems.push(`it has ${a.nets} nets, this writer says ${c.spec.nets}`)
    if (a.pointShape.join() !== c.pointShape.join())
      problems.push(`its pointShape is ${shapeText(a.pointShape)}, this writer's ${shapeText(c.pointShape)}`)
    if (a.spec.outputs !== c.spec.outputs)
      problems.push(`its outputs are ${a.spec.outputs}, this writer's ${c.spec.outputs}`)
    if (a.probe?.labelsSha256 !== c.probe.labelsSha256) problems.push('its probe labels differ (labelsSha256)')
    const unknown = c.metrics.filter((m) => !a.metrics.includes(m))
    if (unknown.length)
      problems.push(`it has no metric column ${unknown.join(', ')} (it has ${a.metrics.join(', ') || 'none'})`)
  }
  if (problems.length)
    throw new ArchiveExistsError(`run ${a.id} already exists and differs: ${problems.join('; ')}`, run.dir, a.id)
}

/** Softmax over the last axis (rows of length C), in float64, stored as float32. */
export function softmaxRows(x: ArrayLike<number>, C: number): Float32Array {
  const out = new Float32Array(x.length)
  const e = new Float64Array(C)
  for (let r = 0; r < x.length; r += C) {
    let max = -Infinity
    for (let c = 0; c < C; c++) max = Math.max(max, x[r + c])
    let sum = 0
    for (let c = 0; c < C; c++) sum += e[c] = Math.exp(x[r + c] - max)
    for (let c = 0; c < C; c++) out[r + c] = e[c] / sum
  }
  return out
}

/** The τ chunk for a network's raw outputs, checked (shape, finiteness). */
function tauFor(spec: ExternalSpecType, pointShape: number[], outputs: ArrayLike<number>, where: string): Float32Array {
  const want = product(pointShape)
  if (outputs.length !== want)
    throw new RunDataError(
      `${where}: outputs has ${outputs.length} values, expected ${shapeText(pointShape)} = ${want}`,
      'outputs',
    )
  for (let i = 0; i < outputs.length; i++)
    if (!Number.isFinite(outputs[i])) {
      const at = `[${Math.floor(i / pointShape[1])}, ${i % pointShape[1]}]`
      throw new RunDataError(`${where}: outputs holds ${outputs[i]} at ${at}`, 'outputs')
    }
  return spec.outputs === 'logits' ? softmaxRows(outputs, pointShape[1]) : Float32Array.from(outputs)
}

const SNAPSHOT_LOCK = 'snapshots.lock'

/** Holds `snapshots.lock` (O_EXCL) while fn runs; a lock whose process is gone on this
 * host is stale and taken over. The lock is held for a few file writes only. */
async function withSnapshotLock<T>(dir: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const file = path.join(dir, SNAPSHOT_LOCK)
  const mine = JSON.stringify({ pid: process.pid, host: hostName() })
  const deadline = Date.now() + timeoutMs
  for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
    try {
      await fs.writeFile(file, mine, { flag: 'wx' })
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      const owner = await readLock(file)
      if (owner && owner.host === hostName() && !pidAlive(owner.pid)) {
        await fs.rm(file, { force: true })
        continue
      }
      if (Date.now() > deadline)
        throw new LockedError(
          `${file} has been held for ${timeoutMs / 1000} s by ${owner ? `process ${owner.pid} on ${owner.host}` : 'another process'}`,
          file,
          owner ?? undefined,
        )
      await new Promise((r) => setTimeout(r, wait)) // another writer holds it for a moment
    }
  }
  try {
    return await fn()
  } finally {
    await fs.rm(file, { force: true })
  }
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>
}

/** Changes only the given group attributes, re-reading the group under the snapshot
 * lock so that concurrent writers' changes (status, snapshots) are never lost. */
export async function patchGroup(
  dir: string,
  patch: Partial<RunAttributes> | (() => Promise<Partial<RunAttributes>>),
): Promise<RunAttributes> {
  return withSnapshotLock(dir, async () => {
    const meta = path.join(dir, 'zarr.json')
    const group = await readJson(meta)
    // A function decides the patch inside the lock, so that what it saw still holds when it is written.
    const change = typeof patch === 'function' ? await patch() : patch
    const attributes = { ...(group.attributes as RunAttributes), ...change, updated: new Date().toISOString() }
    await writeJsonAtomic(meta, { ...group, attributes })
    return attributes
  })
}

/** A writer of one external run, from this process: add snapshots, write networks' data, set status. */
export class ExternalRunWriter {
  private lockFile: string | null = null

  private constructor(
    readonly dir: string,
    public attrs: RunAttributes,
    private readonly spec: ExternalSpecType,
    /** The axis as this writer last saw it (append-only, so a cache is safe). */
    private epochs: number[] = [],
  ) {}

  /** A writer of the run being built in `dir` with its whole axis (writeExternalRun). */
  static async building(dir: string, epochs: number[]): Promise<ExternalRunWriter> {
    const run = await RunArchive.open(dir)
    return new ExternalRunWriter(dir, run.attrs, run.attrs.spec as ExternalSpecType, epochs)
  }

  get id(): string {
    return this.attrs.id
  }

  /** Creates the run in the project (creating the project if needed) or joins the
   * compatible run of that id. */
  static async createOrJoin(projectDir: string, init: ExternalRunInit): Promise<ExternalRunWriter> {
    const c = checkInit(init)
    const project = await Project.openOrCreate(projectDir)
    const dir = project.runDir(init.id)
    if (!(await exists(path.join(dir, 'zarr.json')))) {
      const tmp = await creatingDir(path.dirname(dir), init.id)
      try {
        await writeSkeleton(tmp, init, c, [], [])
        await moveIntoPlace(tmp, dir)
      } finally {
        await fs.rm(tmp, { recursive: true, force: true })
      }
    }
    const run = await RunArchive.open(dir)
    checkJoin(run, c)
    return new ExternalRunWriter(dir, run.attrs, run.attrs.spec as ExternalSpecType)
  }

  /** Marks the run running and holds `lock-recorder-HOST-PID.json` for these networks. */
  async start(nets: number[] = Array.from({ length: this.attrs.nets }, (_, k) => k)): Promise<void> {
    for (const k of nets) this.checkNet(k)
    this.lockFile = path.join(
      this.dir,
      `lock-recorder-${hostName().replace(/[^A-Za-z0-9._-]+/g, '_')}-${process.pid}.json`,
    )
    await writeJsonAtomic(this.lockFile, {
      pid: process.pid,
      host: hostName(),
      started: new Date().toISOString(),
      nets,
    })
    this.attrs = await patchGroup(this.dir, { status: 'running', error: undefined })
  }

  private checkNet(net: number): void {
    if (!Number.isInteger(net) || net < 0 || net >= this.attrs.nets)
      throw new RunDataError(`net is ${net}, expected an integer in [0, ${this.attrs.nets})`, 'net')
  }

  /** The index of the snapshot at `epoch`, adding it to the axis if it is new (it must
   * then be later than every recorded epoch). */
  async addSnapshot(epoch: number, samples = NaN): Promise<number> {
    if (!Number.isFinite(epoch)) throw new RunDataError(`epoch is ${epoch}, expected a finite number`, 'epoch')
    const known = this.epochs.indexOf(epoch)
    if (known >= 0) return known
    return withSnapshotLock(this.dir, async () => {
      const meta = path.join(this.dir, 'zarr.json')
      const group = await readJson(meta)
      const attributes = group.attributes as RunAttributes
      const S = attributes.snapshots
      const epochs = await this.readAxis('epoch', S)
      this.epochs = Array.from(epochs)
      const at = this.epochs.indexOf(epoch)
      if (at >= 0) {
        this.attrs = attributes // another writer added it
        return at
      }
      if (S > 0 && epoch <= epochs[S - 1])
        throw new RunDataError(
          `epoch ${epoch} is earlier than the last recorded epoch ${epochs[S - 1]} of run ${this.id}; snapshots are added in increasing epoch order`,
          'epoch',
        )
      const allSamples = Array.from(await this.readAxis('samples', S))
      // Axis values first, then the arrays' shapes, and the group's count last: a reader
      // that sees `snapshots` = S + 1 finds everything it needs.
      for (const [name, values] of [
        ['epoch', [...this.epochs, epoch]],
        ['samples', [...allSamples, samples]],
      ] as const) {
        await writeFileAtomic(path.join(this.dir, name, 'c', '0'), leBytes(Float64Array.from(values)))
        await this.growArray(name, 0, S + 1, true)
      }
      for (const name of ['tau', 'metrics', 'done', ...(attributes.paramCount ? ['weights'] : [])])
        await this.growArray(name, 1, S + 1)
      const next = { ...attributes, snapshots: S + 1, updated: new Date().toISOString() }
      await writeJsonAtomic(meta, { ...group, attributes: next })
      this.attrs = next
      this.epochs.push(epoch)
      return S
    })
  }

  private async readAxis(name: string, S: number): Promise<Float64Array> {
    if (S === 0) return new Float64Array(0)
    const bytes = await fs.readFile(path.join(this.dir, name, 'c', '0'))
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    return Float64Array.from({ length: S }, (_, j) => view.getFloat64(8 * j, true))
  }

  private async growArray(name: string, axis: number, length: number, chunkToo = false): Promise<void> {
    const file = path.join(this.dir, name, 'zarr.json')
    const meta = await readJson(file)
    const shape = [...(meta.shape as number[])]
    if (shape[axis] >= length) return
    shape[axis] = length
    const grid = meta.chunk_grid as { configuration: { chunk_shape: number[] } }
    const chunk = chunkToo ? shape.map((n) => Math.max(n, 1)) : grid.configuration.chunk_shape
    await writeJsonAtomic(file, { ...meta, shape, chunk_grid: { ...grid, configuration: { chunk_shape: chunk } } })
  }

  /** Writes one network's data at snapshot index j: τ, metrics and weights, then `done`. */
  async writeSnapshot(net: number, j: number, data: SnapshotData): Promise<void> {
    this.checkNet(net)
    if (!Number.isInteger(j) || j < 0 || j >= this.attrs.snapshots)
      throw new RunDataError(
        `snapshot ${j} is not on the axis (0..${this.attrs.snapshots - 1}); add it first`,
        'snapshot',
      )
    const where = `net ${net}, snapshot ${j}${this.epochs[j] !== undefined ? ` (epoch ${this.epochs[j]})` : ''}`
    const tau = tauFor(this.spec, this.attrs.pointShape, data.outputs, where)
    const M = this.attrs.metrics.length
    const metrics = new Float32Array(M).fill(NaN)
    for (const [name, value] of Object.entries(data.metrics ?? {})) {
      const c = this.attrs.metrics.indexOf(name)
      if (c < 0)
        throw new RunDataError(
          `${where}: metric "${name}" is not a column of run ${this.id} (columns: ${this.attrs.metrics.join(', ') || 'none'})`,
          'metrics',
        )
      if (typeof value !== 'number')
        throw new RunDataError(`${where}: metric "${name}" is ${typeof value}, expected a number`, 'metrics')
      metrics[c] = value
    }
    let weights: Float32Array | null = null
    if (data.weights) {
      const P = this.attrs.paramCount
      if (!P)
        throw new RunDataError(
          `${where}: run ${this.id} was created without weights (give weights.paramCount when creating it)`,
          'weights',
        )
      if (data.weights.length !== P)
        throw new RunDataError(`${where}: weights has ${data.weights.length} values, expected [${P}]`, 'weights')
      weights = Float32Array.from(data.weights)
      if (!weights.every(Number.isFinite))
        throw new RunDataError(`${where}: weights holds NaN or infinite values`, 'weights')
    }
    const chunk = (name: string, ...idx: number[]) => path.join(this.dir, name, 'c', ...idx.map(String))
    await writeFileAtomic(chunk('tau', net, j, 0, 0), leBytes(tau))
    if (M) await writeFileAtomic(chunk('metrics', net, j, 0), leBytes(metrics))
    if (weights) await writeFileAtomic(chunk('weights', net, j, 0), leBytes(weights))
    await writeFileAtomic(chunk('done', net, j), Uint8Array.of(1))
  }

  /** Adds the snapshot at `epoch` if new and writes the network's data there. */
  async record(net: number, epoch: number, data: SnapshotData & { samples?: number }): Promise<number> {
    const j = await this.addSnapshot(epoch, data.samples)
    await this.writeSnapshot(net, j, data)
    return j
  }

  /** Releases this writer's lock; the run is `complete` when no other live writer
   * remains (else it stays `running`), or `interrupted`/`failed` when given. */
  async close(outcome: { status?: 'interrupted' | 'failed'; error?: string } = {}): Promise<RunStatus> {
    const lockFile = this.lockFile
    this.lockFile = null
    let status: RunStatus = outcome.status ?? 'complete'
    // Dropping this writer's lock, looking for others and writing the status form one step
    // under the group's lock: two writers closing at once could otherwise each see the other
    // and the later write of 'running' would win over 'complete'.
    this.attrs = await patchGroup(this.dir, async () => {
      if (lockFile) await fs.rm(lockFile, { force: true })
      if (!outcome.status && (await otherLiveRecorders(this.dir))) status = 'running'
      return { status, ...(outcome.error ? { error: outcome.error } : {}) }
    })
    return status
  }
}

async function otherLiveRecorders(dir: string): Promise<boolean> {
  for (const f of await fs.readdir(dir))
    if (/^lock-recorder-.*\.json$/.test(f) && (await isLockHeld(path.join(dir, f)))) return true
  return false
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  )
}

/** A whole run in memory, as an importer or the checkpoint evaluator has it. */
export interface WholeRun extends ExternalRunInit {
  /** Epoch of each snapshot, strictly increasing. */
  epochs: ArrayLike<number>
  /** Samples seen at each snapshot (NaN when unknown). */
  samples?: ArrayLike<number>
  /** Raw outputs [nets, S, ...pointShape], C order (logits get a softmax). */
  outputs: ArrayLike<number>
  /** Metric values [nets, S] per column name; NaN = not recorded. */
  metricValues?: Record<string, ArrayLike<number>>
  /** Weights [nets, S, paramCount]; a snapshot whose first value is NaN has none. */
  weightValues?: ArrayLike<number>
  /** Which (net, snapshot) were recorded, [nets, S] (default: all). */
  done?: ArrayLike<number>
}

export interface WriteWholeOptions {
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
}

/**
 * Writes a whole run at once: everything is built in a temporary folder and renamed into
 * place at the end, so a failure or a cancel leaves nothing behind. Refuses an id that
 * exists. Returns the run, status `complete`.
 */
export async function writeExternalRun(
  projectDir: string,
  run: WholeRun,
  opts: WriteWholeOptions = {},
): Promise<RunArchive> {
  const c = checkInit({ ...run, metrics: run.metrics ?? Object.keys(run.metricValues ?? {}) })
  const { spec, pointShape } = c
  const N = spec.nets
  const S = run.epochs.length
  const epochs = Array.from(run.epochs)
  if (S === 0) throw new RunDataError('epochs has shape [0]: a run needs at least one snapshot', 'epochs')
  for (let j = 0; j < S; j++) {
    if (!Number.isFinite(epochs[j]))
      throw new RunDataError(`epochs[${j}] is ${epochs[j]}, expected a finite number`, 'epochs')
    if (j > 0 && !(epochs[j] > epochs[j - 1]))
      throw new RunDataError(
        `epochs must increase strictly: epochs[${j - 1}] = ${epochs[j - 1]}, epochs[${j}] = ${epochs[j]}`,
        'epochs',
      )
  }
  const samples = run.samples ? Array.from(run.samples) : new Array<number>(S).fill(NaN)
  if (samples.length !== S)
    throw new RunDataError(`samples has shape [${samples.length}], expected [${S}] (one per epoch)`, 'samples')
  const per = product(pointShape)
  if (run.outputs.length !== N * S * per)
    throw new RunDataError(
      `outputs has ${run.outputs.length} values, expected ${shapeText([N, S, ...pointShape])} = ${N * S * per}`,
      'outputs',
    )
  for (const [name, values] of Object.entries(run.metricValues ?? {}))
    if (values.length !== N * S)
      throw new RunDataError(
        `metrics/${name} has ${values.length} values, expected [${N}, ${S}] = ${N * S}`,
        'metricValues',
      )
  const P = run.weights?.paramCount ?? 0
  if (run.weightValues && !run.weights)
    throw new RunDataError('weight values were given without weights.paramCount', 'weights')
  if (run.weightValues && run.weightValues.length !== N * S * P)
    throw new RunDataError(
      `weights has ${run.weightValues.length} values, expected [${N}, ${S}, ${P}] = ${N * S * P}`,
      'weightValues',
    )
  if (run.done && run.done.length !== N * S)
    throw new RunDataError(`done has ${run.done.length} values, expected [${N}, ${S}]`, 'done')

  const project = await Project.openOrCreate(projectDir)
  const dir = project.runDir(run.id)
  if (await exists(dir))
    throw new ArchiveExistsError(`run ${run.id} already exists in ${project.dir}; choose another run id`, dir, run.id)
  const tmp = await creatingDir(path.dirname(dir), run.id)
  try {
    await writeSkeleton(tmp, run, c, epochs, samples)
    const w = await ExternalRunWriter.building(tmp, epochs)
    const names = c.metrics
    let written = 0
    for (let k = 0; k < N; k++) {
      for (let j = 0; j < S; j++) {
        if (opts.signal?.aborted)
          throw new ArchiveCancelledError(`writing run ${run.id} was cancelled; nothing was written`, dir)
        const i = k * S + j
        if (run.done && !run.done[i]) continue
        const weights = run.weightValues ? sliceOf(run.weightValues, i * P, P) : undefined
        await w.writeSnapshot(k, j, {
          outputs: sliceOf(run.outputs, i * per, per),
          metrics: Object.fromEntries(
            names.flatMap((n) => {
              const v = run.metricValues?.[n]?.[i]
              return v === undefined || Number.isNaN(v) ? [] : [[n, v]]
            }),
          ),
          ...(weights && !Number.isNaN(weights[0]) ? { weights } : {}),
        })
        opts.onProgress?.(++written, N * S)
      }
    }
    const meta = path.join(tmp, 'zarr.json')
    const group = await readJson(meta)
    await writeJsonAtomic(meta, {
      ...group,
      attributes: { ...(group.attributes as RunAttributes), status: 'complete', updated: new Date().toISOString() },
    })
    if (!(await moveIntoPlace(tmp, dir))) {
      throw new ArchiveExistsError(
        `run ${run.id} was created by another process meanwhile; choose another run id`,
        dir,
        run.id,
      )
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true })
  }
  return RunArchive.open(dir)
}

function sliceOf(a: ArrayLike<number>, from: number, length: number): ArrayLike<number> {
  if (ArrayBuffer.isView(a)) return (a as unknown as Float32Array).subarray(from, from + length)
  return Array.prototype.slice.call(a, from, from + length) as number[]
}
