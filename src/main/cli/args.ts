/** Parsers of option values shared by several commands; each throws a UsageError naming the option. */
import { parseNetList } from '../../shared/net-list'
import type { Shard } from '../experiments/runner'
import { UsageError, type Values } from './command'

/** "1/4" → shard index 0 of 4. */
export function parseShard(s: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(s)
  if (!m) throw new UsageError(`--shard takes i/n (e.g. 1/4), not "${s}"`)
  const [i, n] = [+m[1], +m[2]]
  if (n < 1 || i < 1 || i > n) throw new UsageError(`--shard ${s}: i must be between 1 and n`)
  return { index: i - 1, count: n }
}

/** "0-4" → [0..4]; "0,3,7" → [0,3,7]; mixed "0-2,5". */
export function parseNets(s: string): number[] {
  const r = parseNetList(s)
  if (!r.ok) throw new UsageError(`--nets takes ${r.problem}`)
  return r.nets
}

/** "2:20" → [2, 20]; "2:" → [2, null]; ":1" → [null, 1]. */
export function parseEpochWindow(s: string): [number | null, number | null] {
  const m = /^([\d.]*):([\d.]*)$/.exec(s)
  const num = (x: string) => (x === '' ? null : Number(x))
  if (!m || [m[1], m[2]].some((x) => x !== '' && !Number.isFinite(Number(x))))
    throw new UsageError(`--epochs takes from:to (e.g. 2:20, 2: or :1), not "${s}"`)
  return [num(m[1]), num(m[2])]
}

/** "3.5in", "7.16", "89mm", "8cm" → inches. */
export function parseLength(s: string): number {
  const m = /^([\d.]+)\s*(in|mm|cm|pt)?$/.exec(s.trim())
  if (!m || !Number.isFinite(Number(m[1])) || !(Number(m[1]) > 0))
    throw new UsageError(`a length is a number with in, mm, cm or pt (e.g. 3.5in), not "${s}"`)
  const x = Number(m[1])
  return { in: x, mm: x / 25.4, cm: x / 2.54, pt: x / 72 }[(m[2] ?? 'in') as 'in' | 'mm' | 'cm' | 'pt']
}

/** --workers W: a whole number ≥ 0 (0 = one per core), or undefined when not given. */
export function parseWorkers(v: Values): number | undefined {
  if (v.workers === undefined) return undefined
  const workers = Number(v.workers)
  if (!(Number.isInteger(workers) && workers >= 0)) throw new UsageError('--workers takes a whole number ≥ 0')
  return workers
}

/** A numeric option that must pass `check`, or undefined when not given. */
export function numberOption(v: Values, key: string, check: (x: number) => boolean, what: string): number | undefined {
  if (v[key] === undefined) return undefined
  const x = Number(v[key])
  if (!Number.isFinite(x) || !check(x)) throw new UsageError(`--${key} takes ${what}, not "${String(v[key])}"`)
  return x
}

/** An option with a closed set of values, or undefined when not given. */
export function oneOf<T extends string>(v: Values, key: string, allowed: readonly T[]): T | undefined {
  if (v[key] === undefined) return undefined
  const s = String(v[key])
  if (!(allowed as readonly string[]).includes(s))
    throw new UsageError(`--${key} must be ${allowed.join(' or ')}, not "${s}"`)
  return s as T
}
