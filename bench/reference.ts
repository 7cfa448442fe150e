/**
 * The C reference of the fused engine's SGD step (bench/reference/mlp.c), built with the
 * machine's C compiler (`$CC`, default `cc`) at -O3 -march=native into a cache folder keyed
 * by the source and the compiler, and run on data written to a temporary file. For
 * `npm run bench -- engine` (bench/engines.ts); tests/bench/reference.test.ts checks it
 * against the fused engine.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Loss, MlpShape } from '../src/main/engine/mlp'
import { paramCount } from '../src/main/engine/mlp'
import type { SparseImages } from '../src/main/engine/sparse'

const SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'reference', 'mlp.c')
export const REFERENCE_FLAGS = ['-O3', '-march=native']

export type ReferenceBuild = { ok: true; bin: string; compiler: string } | { ok: false; reason: string }

let built: ReferenceBuild | undefined

/** Compiles the reference once per source and compiler; says why when it cannot. */
export function buildReference(): ReferenceBuild {
  if (built) return built
  const cc = process.env.CC?.trim() || 'cc'
  const version = spawnSync(cc, ['--version'], { encoding: 'utf8' })
  if (version.error || version.status !== 0) {
    return (built = {
      ok: false,
      reason: `no C compiler: \`${cc} --version\` failed (set CC, or install gcc or clang)`,
    })
  }
  const compiler = version.stdout.split('\n')[0]!.trim()
  const key = createHash('sha256')
    .update(readFileSync(SOURCE))
    .update(compiler)
    .update(REFERENCE_FLAGS.join(' '))
    .digest('hex')
    .slice(0, 16)
  const dir = path.join(os.tmpdir(), 'sgdscope-bench-reference')
  const bin = path.join(dir, `mlp-ref-${key}`)
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true })
    const tmp = `${bin}.${process.pid}`
    const r = spawnSync(cc, [...REFERENCE_FLAGS, '-o', tmp, SOURCE, '-lm'], { encoding: 'utf8' })
    if (r.status !== 0) {
      rmSync(tmp, { force: true })
      return (built = { ok: false, reason: `${cc} could not build ${SOURCE}: ${r.stderr.trim().split('\n')[0] ?? ''}` })
    }
    renameSync(tmp, bin)
  }
  return (built = { ok: true, bin, compiler })
}

export interface ReferenceRun {
  images: SparseImages
  labels: Uint8Array
  shape: MlpShape
  loss: Loss
  batch: number
  lr: number
  /** Initial parameters (fused layout); not changed. */
  params: Float32Array
  /** Sample order: step s trains on order[(s·batch + r) mod length]. */
  order: Uint32Array
  steps: number
}

export interface ReferenceResult {
  params: Float32Array
  /** The training loop's CPU time (the process's, excluding reading the input) … */
  cpuSeconds: number
  /** … and its wall time. */
  wallSeconds: number
  samples: number
  meanLoss: number
}

/** Trains with the C reference; throws with its message if it fails. */
export function runReference(bin: string, run: ReferenceRun): ReferenceResult {
  const { images, shape } = run
  const P = paramCount(shape)
  if (run.params.length !== P) throw new RangeError(`reference: expected ${P} parameters, got ${run.params.length}`)
  if (images.dim !== shape.inputs)
    throw new RangeError(`reference: images have ${images.dim} pixels, not ${shape.inputs}`)
  const nnz = images.indptr[images.count]!
  const header = Int32Array.from([
    shape.inputs,
    shape.hidden,
    shape.outputs,
    run.loss === 'cross-entropy' ? 1 : 0,
    run.batch,
    images.count,
    nnz,
    run.order.length,
  ])
  const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sgdscope-ref-'))
  try {
    const input = path.join(dir, 'in.bin')
    const output = path.join(dir, 'out.bin')
    writeFileSync(
      input,
      Buffer.concat([
        bytes(header),
        bytes(Float64Array.of(run.lr)),
        bytes(run.params),
        bytes(images.indptr.subarray(0, images.count + 1)),
        bytes(images.indices.subarray(0, nnz)),
        bytes(images.values.subarray(0, nnz)),
        bytes(run.labels.subarray(0, images.count)),
        bytes(run.order),
      ]),
    )
    const r = spawnSync(bin, [input, output, String(run.steps)], { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`the C reference failed: ${r.stderr.trim() || `exit ${r.status}`}`)
    const out = JSON.parse(r.stdout) as { cpuSeconds: number; wallSeconds: number; samples: number; meanLoss: number }
    const buf = readFileSync(output)
    const params = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength))
    return { params, ...out }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
