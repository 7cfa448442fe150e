/**
 * Finding checkpoints in a folder: file paths (relative, `/`-separated) are matched
 * against patterns with the placeholders `{net}` (a whole number) and `{epoch}` (a
 * whole or decimal number: `012`, `0.5`). Without `--pattern` both common layouts are
 * accepted: `net{net}/epoch{epoch}.onnx` and `net{net}_epoch{epoch}.onnx`.
 */
import { fs } from '../archive/file-pool'
import * as path from 'node:path'
import { CheckpointError } from './errors'

export const DEFAULT_PATTERNS = ['net{net}/epoch{epoch}.onnx', 'net{net}_epoch{epoch}.onnx'] as const

export { CheckpointError }

export interface Checkpoint {
  /** The number in the file name ({net}). */
  net: number
  epoch: number
  /** Path relative to the folder, `/`-separated. */
  file: string
}

export interface CheckpointLayout {
  dir: string
  patterns: string[]
  /** Sorted by net number, then epoch. */
  checkpoints: Checkpoint[]
  /** The distinct net numbers, ascending: run network k is net number nets[k]. */
  nets: number[]
  /** The distinct epochs over all nets, ascending: the run's snapshot axis. */
  epochs: number[]
  /** Files in the folder that no pattern matched (hidden files are not listed). */
  unmatched: string[]
  /** (net, epoch) pairs on the axis that have no checkpoint. */
  gaps: { net: number; epoch: number }[]
}

interface Compiled {
  pattern: string
  regex: RegExp
  netGroup: number
  epochGroup: number
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Turns a pattern into a regular expression over relative paths. */
export function compilePattern(pattern: string): Compiled {
  const parts = pattern.split(/(\{net\}|\{epoch\})/)
  const order = parts.filter((p) => p === '{net}' || p === '{epoch}')
  if (order.filter((p) => p === '{net}').length !== 1 || order.filter((p) => p === '{epoch}').length !== 1) {
    throw new CheckpointError(
      `--pattern "${pattern}" must contain {net} and {epoch} exactly once each (e.g. net{net}/epoch{epoch}.onnx)`,
      'pattern',
    )
  }
  const stray = parts.find((p) => p !== '{net}' && p !== '{epoch}' && /[{}]/.test(p))
  if (stray !== undefined) {
    throw new CheckpointError(
      `--pattern "${pattern}": unknown placeholder in "${stray}" (only {net} and {epoch})`,
      'pattern',
    )
  }
  if (pattern.startsWith('/') || pattern.split('/').includes('..')) {
    throw new CheckpointError(`--pattern "${pattern}" must be a path relative to the folder`, 'pattern')
  }
  const source = parts
    .map((p) => (p === '{net}' ? '(\\d+)' : p === '{epoch}' ? '(\\d+(?:\\.\\d+)?)' : escape(p)))
    .join('')
  return {
    pattern,
    regex: new RegExp(`^${source}$`),
    netGroup: order.indexOf('{net}') + 1,
    epochGroup: order.indexOf('{epoch}') + 1,
  }
}

/** Every file under dir (relative, `/`-separated), hidden files and folders left out. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (rel: string) => {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true })
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.')) continue
      const r = rel ? `${rel}/${e.name}` : e.name
      if (e.isDirectory()) await walk(r)
      else if (e.isFile() || e.isSymbolicLink()) out.push(r)
    }
  }
  await walk('')
  return out
}

/** Matches a list of relative paths against patterns (the first that matches wins). */
export function matchCheckpoints(
  files: string[],
  patterns: readonly string[],
): Pick<CheckpointLayout, 'checkpoints' | 'unmatched'> {
  const compiled = patterns.map(compilePattern)
  const checkpoints: Checkpoint[] = []
  const unmatched: string[] = []
  const seen = new Map<string, string>()
  for (const file of files) {
    let hit: Checkpoint | null = null
    for (const c of compiled) {
      const m = c.regex.exec(file)
      if (m) {
        hit = { net: Number(m[c.netGroup]), epoch: Number(m[c.epochGroup]), file }
        break
      }
    }
    if (!hit) {
      unmatched.push(file)
      continue
    }
    const key = `${hit.net}|${hit.epoch}`
    const other = seen.get(key)
    if (other !== undefined) {
      throw new CheckpointError(
        `${other} and ${file} are both net ${hit.net} at epoch ${hit.epoch}: keep one of them (or narrow --pattern)`,
      )
    }
    seen.set(key, file)
    checkpoints.push(hit)
  }
  checkpoints.sort((a, b) => a.net - b.net || a.epoch - b.epoch)
  return { checkpoints, unmatched }
}

/** Finds the checkpoints in dir; throws if there are none (saying what was looked for). */
export async function findCheckpoints(dir: string, pattern?: string): Promise<CheckpointLayout> {
  const patterns = pattern ? [pattern] : [...DEFAULT_PATTERNS]
  patterns.forEach(compilePattern) // a bad pattern is reported before the folder is read
  let files: string[]
  try {
    if (!(await fs.stat(dir)).isDirectory()) throw new CheckpointError(`${dir} is not a folder`)
    files = await listFiles(dir)
  } catch (e) {
    if (e instanceof CheckpointError) throw e
    throw new CheckpointError(`cannot read the checkpoint folder ${dir}: ${(e as Error).message}`)
  }
  const { checkpoints, unmatched } = matchCheckpoints(files, patterns)
  if (checkpoints.length === 0) {
    const seen = files.length
      ? ` (it holds ${files.length} file(s), e.g. ${files.slice(0, 3).join(', ')})`
      : ' (it is empty)'
    throw new CheckpointError(
      `no checkpoints in ${dir} match ${patterns.join(' or ')}${seen}; use --pattern to name yours`,
    )
  }
  const nets = [...new Set(checkpoints.map((c) => c.net))].sort((a, b) => a - b)
  const epochs = [...new Set(checkpoints.map((c) => c.epoch))].sort((a, b) => a - b)
  const have = new Set(checkpoints.map((c) => `${c.net}|${c.epoch}`))
  const gaps = nets.flatMap((net) =>
    epochs.filter((epoch) => !have.has(`${net}|${epoch}`)).map((epoch) => ({ net, epoch })),
  )
  return { dir, patterns, checkpoints, nets, epochs, unmatched, gaps }
}

/** "net 1 at epochs 2, 3; net 4 at epoch 0.5" — gaps grouped by net, for messages. */
export function describeGaps(gaps: { net: number; epoch: number }[], limit = 8): string {
  const byNet = new Map<number, number[]>()
  for (const g of gaps) byNet.set(g.net, [...(byNet.get(g.net) ?? []), g.epoch])
  const parts = [...byNet].map(([net, es]) => `net ${net} at epoch${es.length > 1 ? 's' : ''} ${es.join(', ')}`)
  return parts.slice(0, limit).join('; ') + (parts.length > limit ? `; and ${parts.length - limit} more net(s)` : '')
}
