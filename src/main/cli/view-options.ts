/**
 * The options that say what a path view shows (--view, --method, --nets, --epochs) and how a
 * figure looks (--style, --width, …), turned into the contract's PathQuery and FigureLook, so
 * the CLI draws what the app's saved views draw.
 */
import { FigureLook, PathQuery } from '../../shared/api/contract'
import { EMBEDDING_METHODS } from '../analysis/paths'
import type { EmbeddingOptions } from '../analysis/embedding'
import type { Project } from '../archive/project'
import { writeFileAtomic } from '../archive/atomic'
// Loaded when a figure is drawn (see beyond-output.ts).
import type { ViewToRender } from '../figures/views'
import { parseEpochWindow, parseLength, parseNets } from './args'
import { UsageError, type Values } from './command'

export const viewOptions = {
  view: { type: 'string' },
  method: { type: 'string', short: 'm' },
  nets: { type: 'string' },
  epochs: { type: 'string' },
  'max-iter': { type: 'string' },
  /** The same as --max-iter, by the name the paper's readers look for. */
  iterations: { type: 'string' },
  /** PHATE's kernel (--method phate): its k nearest neighbours and alpha decay. */
  knn: { type: 'string' },
  decay: { type: 'string' },
  /** SMACOF: run N starts, keep the best, report their disagreement. */
  starts: { type: 'string' },
  /** SMACOF: classical (default) or random first start, as scikit-learn's. */
  start: { type: 'string' },
  /** Seed of random starts (SMACOF, t-SNE) and of UMAP. */
  seed: { type: 'string' },
} as const

export const lookOptions = {
  style: { type: 'string' },
  width: { type: 'string' },
  height: { type: 'string' },
  'font-size': { type: 'string' },
  dpi: { type: 'string' },
  'color-by': { type: 'string' },
  layout: { type: 'string' },
  'log-x': { type: 'boolean' },
  'log-y': { type: 'boolean' },
  'no-points': { type: 'boolean' },
  'no-lines': { type: 'boolean' },
} as const

/** A query with the embedding's options (`--max-iter` / `--iterations`: SMACOF passes, t-SNE iterations, UMAP
 * epochs, PHATE's SMACOF passes on its potential distances; few of them show an early-stopped picture, docs/ring.md). */
export type CliPathQuery = PathQuery & { options?: EmbeddingOptions }

export function pathQuery(runs: string[], v: Values, labels?: string[]): CliPathQuery {
  const r = PathQuery.safeParse({
    runs,
    ...(labels ? { labels } : {}),
    ...(v.view ? { view: v.view } : {}),
    ...(v.method ? { method: v.method } : {}),
    ...(v.nets ? { nets: parseNets(String(v.nets)) } : {}),
    ...(v.epochs ? { epochs: parseEpochWindow(String(v.epochs)) } : {}),
    ...(v.align ? { align: v.align } : {}),
  })
  if (!r.success) {
    const methods = ` (methods: ${EMBEDDING_METHODS.join(', ')})`
    const problem = (i: (typeof r.error.issues)[number]) =>
      `--${String(i.path[0])}: ${i.message}${i.path[0] === 'method' ? methods : ''}`
    throw new UsageError(r.error.issues.map(problem).join('; '))
  }
  const phate = phateOptions(v, r.data.method)
  const options = { ...startOptions(v, r.data.method), ...phate }
  const flag = v['max-iter'] !== undefined ? '--max-iter' : '--iterations'
  const given = v['max-iter'] ?? v.iterations
  if (given === undefined) return Object.keys(options).length ? { ...r.data, options } : r.data
  if (v['max-iter'] !== undefined && v.iterations !== undefined && String(v['max-iter']) !== String(v.iterations))
    throw new UsageError(
      `--max-iter and --iterations are the same option; give one (got ${String(v['max-iter'])} and ${String(v.iterations)})`,
    )
  const maxIter = Number(given)
  if (!Number.isInteger(maxIter) || maxIter < 1 || maxIter > 100_000)
    throw new UsageError(`${flag} must be a whole number of iterations from 1 to 100000, not "${String(given)}"`)
  return { ...r.data, options: { ...options, maxIter } }
}

/** --knn and --decay, which only PHATE's kernel has. */
function phateOptions(v: Values, method: string): { knn?: number; decay?: number } | undefined {
  if (v.knn === undefined && v.decay === undefined) return undefined
  if (method !== 'phate') throw new UsageError(`--knn and --decay set PHATE's kernel: give --method phate`)
  const out: { knn?: number; decay?: number } = {}
  if (v.knn !== undefined) {
    const knn = Number(v.knn)
    if (!Number.isInteger(knn) || knn < 1 || knn > 200)
      throw new UsageError(`--knn must be a whole number of neighbours from 1 to 200, not "${String(v.knn)}"`)
    out.knn = knn
  }
  if (v.decay !== undefined) {
    const decay = Number(v.decay)
    if (!(decay >= 0.1 && decay <= 1000))
      throw new UsageError(`--decay must be from 0.1 to 1000, not "${String(v.decay)}"`)
    out.decay = decay
  }
  return out
}

/** --starts, --start and --seed as embedding options (checked here, with the flags' names). */
function startOptions(v: Values, method: string): EmbeddingOptions {
  const out: EmbeddingOptions = {}
  if (v.starts !== undefined) {
    const k = Number(v.starts)
    if (!Number.isInteger(k) || k < 1 || k > 32)
      throw new UsageError(`--starts must be a whole number from 1 to 32, not "${String(v.starts)}"`)
    if (k > 1 && method !== 'smacof')
      throw new UsageError(`--starts applies to SMACOF only (--method smacof), not to ${method}`)
    out.starts = k
  }
  if (v.start !== undefined) {
    if (v.start !== 'classical' && v.start !== 'landmark' && v.start !== 'random')
      throw new UsageError(`--start must be classical, landmark or random, not "${String(v.start)}"`)
    if (method !== 'smacof') throw new UsageError(`--start applies to SMACOF only (--method smacof), not to ${method}`)
    out.start = v.start
  }
  if (v.seed !== undefined) {
    const s = Number(v.seed)
    if (!Number.isInteger(s) || s < 0 || s > 0xffffffff)
      throw new UsageError(`--seed must be a whole number from 0 to 4294967295, not "${String(v.seed)}"`)
    out.seed = s
  }
  return out
}

export function figureLook(v: Values, base: Partial<FigureLook> = {}): FigureLook {
  const r = FigureLook.safeParse({
    ...base,
    ...(v.style ? { style: v.style } : {}),
    ...(v.width ? { widthIn: parseLength(String(v.width)) } : {}),
    ...(v.height ? { heightIn: parseLength(String(v.height)) } : {}),
    ...(v['font-size'] ? { fontSize: Number(v['font-size']) } : {}),
    ...(v.dpi ? { dpi: Number(v.dpi) } : {}),
    ...(v['color-by'] ? { colorBy: v['color-by'] } : {}),
    ...(v.layout ? { layout: v.layout } : {}),
    ...(v['log-x'] ? { logX: true } : {}),
    ...(v['log-y'] ? { logY: true } : {}),
    ...(v['no-points'] ? { points: false } : {}),
    ...(v['no-lines'] ? { lines: false } : {}),
  })
  if (!r.success) throw new UsageError(r.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; '))
  return r.data
}

/** Renders a view and writes it atomically; returns the file's size in bytes. */
export async function writeViewFigure(
  project: Project,
  view: ViewToRender,
  format: 'svg' | 'png' | 'pdf',
  file: string,
): Promise<number> {
  const { renderView } = await import('../figures/views')
  const fig = await renderView(project, view, format)
  const bytes = typeof fig.content === 'string' ? Buffer.from(fig.content) : fig.content
  await writeFileAtomic(file, bytes)
  return bytes.length
}
