/**
 * The closed set of errors a request can end with, each with structured details, so that
 * hosts transport them as data and the UI switches on `code` and `details` — never on the
 * message, which is for people only.
 *
 *  - not-found         what is missing (a run, a project, a saved view, …) and which one
 *  - bad-input         the arguments are wrong: each issue with its field path and problem
 *  - busy              something is in use: a run training here, or locked by another process
 *  - cancelled         the request was stopped before it finished (the service shut down)
 *  - conflict          the request does not apply to the current state (no project open, an
 *                      analysis that does not apply to this run, a run that is not training)
 *  - version-mismatch  a project or run was written by a newer sgdscope
 *  - io                reading or writing a file failed (its path and the system's errno)
 *  - unauthorized      the caller may not call (the desktop host refuses foreign frames)
 *  - unavailable       the host cannot be reached (the browser host's connection is lost)
 *  - internal          a failure that is nobody's input: a bug, or the message says more
 *
 * No imports with run-time values except zod's types: the sandboxed preload bundles this.
 */
import type { z } from 'zod'

export const API_ERROR_CODES = [
  'not-found',
  'bad-input',
  'busy',
  'cancelled',
  'conflict',
  'version-mismatch',
  'io',
  'unauthorized',
  'unavailable',
  'internal',
] as const
export type ApiErrorCode = (typeof API_ERROR_CODES)[number]

/** What is wrong with one argument, as data (the UI words it). */
export type InputProblem =
  | { kind: 'required' }
  | { kind: 'wrong-type'; expected: string; received?: string }
  | { kind: 'not-integer' }
  /** `of`: what was measured: a number's value, a string's length, an array's items. */
  | { kind: 'too-small'; minimum: number; inclusive: boolean; of: string }
  | { kind: 'too-big'; maximum: number; inclusive: boolean; of: string }
  | { kind: 'not-one-of'; options: string[] }
  | { kind: 'unknown-keys'; keys: string[] }
  /** A reference that matches more than one thing (a unique part of a run id, say). */
  | { kind: 'ambiguous'; matches: string[] }
  /** Anything else; the issue's message says what. */
  | { kind: 'invalid' }

export interface InputIssue {
  /** Dotted path of the field in the request's arguments ("spec.snapshots.every"); '' = all of them. */
  path: string
  problem: InputProblem
  /** The validator's words, for logs and the CLI. */
  message: string
}

export type NotFoundWhat = 'project' | 'run' | 'view' | 'preset' | 'request' | 'file'
/** `connection`: a WebSocket over its request rate. */
export type BusyWhat = 'run' | 'project' | 'connection'
export type ConflictReason =
  /** No project is open. */
  | 'no-project'
  /** The run is not training (so it cannot be cancelled). */
  | 'not-training'
  /** The run is complete (so it cannot be resumed). */
  | 'complete'
  /** Something of that name exists already (a project folder, a run id with another spec). */
  | 'exists'
  /** The request does not apply to this run or these runs (an analysis that needs weights, …). */
  | 'not-applicable'
  /** The host cannot do this (the browser host has no native dialogs). */
  | 'unsupported'
  /** A project would be created in a folder that holds other files. */
  | 'not-empty'

export interface ApiErrorDetails {
  'not-found': { what: NotFoundWhat; which: string }
  'bad-input': { issues: InputIssue[] }
  busy: { what: BusyWhat; which: string; by?: { pid: number; host: string; since?: string } }
  cancelled: { request: string }
  conflict: { reason: ConflictReason; run?: string }
  'version-mismatch': { what: 'project' | 'run'; path: string; found: number; supported: number }
  io: { path: string | null; errno: string | null; syscall?: string }
  unauthorized: { reason: string }
  unavailable: { host: 'browser' | 'electron' }
  internal: Record<string, never>
}

/** A failure as it crosses a host boundary: plain data, one shape per code. */
export type ApiErrorShape = {
  [C in ApiErrorCode]: { code: C; message: string; details: ApiErrorDetails[C] }
}[ApiErrorCode]

export class ApiError<C extends ApiErrorCode = ApiErrorCode> extends Error {
  override name = 'ApiError'
  constructor(
    readonly code: C,
    message: string,
    readonly details: ApiErrorDetails[C],
  ) {
    super(message)
  }

  toJSON(): ApiErrorShape {
    return { code: this.code, message: this.message, details: this.details } as ApiErrorShape
  }

  /** The error a shape received from a host stands for. */
  static from(shape: ApiErrorShape): ApiError {
    return new ApiError(shape.code, shape.message, shape.details)
  }

  /** Narrows to one code, so that its details are typed. */
  is<K extends ApiErrorCode>(code: K): this is ApiError<K> {
    return (this.code as ApiErrorCode) === code
  }
}

export const isApiErrorCode = (c: unknown): c is ApiErrorCode =>
  typeof c === 'string' && (API_ERROR_CODES as readonly string[]).includes(c)

/** Whether a value that arrived over a transport is an error shape. */
export function isApiErrorShape(x: unknown): x is ApiErrorShape {
  if (!x || typeof x !== 'object') return false
  const e = x as Record<string, unknown>
  return isApiErrorCode(e.code) && typeof e.message === 'string' && !!e.details && typeof e.details === 'object'
}

// ---- bad-input from zod ----------------------------------------------------------------

type ZodIssue = z.core.$ZodIssue

function typeName(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN'
  return typeof v
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let o = input
  for (const k of path) {
    if (o === null || typeof o !== 'object') return undefined
    o = (o as Record<PropertyKey, unknown>)[k]
  }
  return o
}

/** One validator issue as data. `input` (what was validated) tells what was received. */
export function inputProblem(issue: ZodIssue, input?: unknown): InputProblem {
  switch (issue.code) {
    case 'invalid_type': {
      const raw = issue as ZodIssue & { input?: unknown; received?: string }
      const received =
        'input' in raw ? typeName(raw.input) : input !== undefined ? typeName(valueAt(input, issue.path)) : raw.received
      if (received === 'undefined') return { kind: 'required' }
      if (issue.expected === 'int' && received === 'number') return { kind: 'not-integer' }
      return { kind: 'wrong-type', expected: issue.expected, ...(received ? { received } : {}) }
    }
    case 'too_small':
      return {
        kind: 'too-small',
        minimum: Number(issue.minimum),
        inclusive: issue.inclusive ?? false,
        of: issue.origin,
      }
    case 'too_big':
      return { kind: 'too-big', maximum: Number(issue.maximum), inclusive: issue.inclusive ?? false, of: issue.origin }
    case 'invalid_value':
      return { kind: 'not-one-of', options: issue.values.map((v) => String(v)) }
    case 'unrecognized_keys':
      return { kind: 'unknown-keys', keys: issue.keys }
    default:
      return { kind: 'invalid' }
  }
}

/** Validator issues as bad-input issues; `prefix` is where the validated value sits in the arguments. */
export function inputIssues(issues: readonly ZodIssue[], input?: unknown, prefix = ''): InputIssue[] {
  return issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== '').join('.'),
    problem: inputProblem(i, input),
    message: i.message,
  }))
}

/** "lr: Too small: expected number to be >0; nets: …", for messages and the CLI. */
export function describeIssues(issues: readonly InputIssue[], whole = '(arguments)'): string {
  return issues.map((i) => `${i.path || whole}: ${i.message}`).join('; ')
}

/** A bad-input error of one field (its path is in the details, the message is for people). */
export function badInput(
  path: string,
  message: string,
  problem: InputProblem = { kind: 'invalid' },
): ApiError<'bad-input'> {
  return new ApiError('bad-input', message, { issues: [{ path, problem, message }] })
}
