/**
 * What the layers below the service throw, as the contract's typed errors — by class and
 * fields, never by message. The service passes every failure through here, so hosts only
 * ever see ApiErrors; anything unknown is `internal` (a bug: its message says more).
 */
import * as path from 'node:path'
import { ZodError } from 'zod'
import { ApiError, describeIssues, inputIssues } from '../shared/api/errors'
import {
  AmbiguousRunError,
  ArchiveError,
  ArchiveExistsError,
  InvalidRunIdError,
  MissingArchiveError,
  NewerFormatError,
  UnknownRunError,
} from './archive/errors'
import { LockedError } from './archive/lock'
import { DatasetError } from './datasets/idx'
import { RunError } from './experiments/runner'

/** Node's system errors (fs, net) carry a string code such as ENOENT and usually a path. */
function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && 'errno' in e
}

/**
 * The typed error for `e`. `runField` is the argument a run reference came in (for a
 * reference that matches several runs, which is the caller's input).
 */
export function toApiError(e: unknown, runField = 'runId'): ApiError {
  if (e instanceof ApiError) return e
  if (e instanceof ZodError) {
    const issues = inputIssues(e.issues)
    return new ApiError('bad-input', describeIssues(issues), { issues })
  }
  if (e instanceof LockedError) {
    const which = path.basename(path.dirname(e.file))
    const by = e.owner ? { by: { pid: e.owner.pid, host: e.owner.host, since: e.owner.started } } : {}
    return new ApiError('busy', e.message, { what: 'run', which, ...by })
  }
  if (e instanceof ArchiveError) return archiveError(e, runField)
  if (e instanceof RunError) return new ApiError('conflict', e.message, { reason: e.reason, run: e.runId })
  if (e instanceof DatasetError) {
    return new ApiError('io', e.message, { path: e.file?.path ?? null, errno: e.file?.errno ?? null })
  }
  if (isSystemError(e)) {
    const details = { path: e.path ?? null, errno: e.code ?? null, ...(e.syscall ? { syscall: e.syscall } : {}) }
    return new ApiError('io', e.message, details)
  }
  const message = e instanceof Error ? e.message : String(e)
  return new ApiError('internal', message, {})
}

function archiveError(e: ArchiveError, runField: string): ApiError {
  if (e instanceof MissingArchiveError) return new ApiError('not-found', e.message, { what: e.what, which: e.path ?? '' })
  if (e instanceof UnknownRunError) return new ApiError('not-found', e.message, { what: 'run', which: e.ref })
  if (e instanceof NewerFormatError) {
    const details = { what: e.what, path: e.path ?? '', found: e.found, supported: e.supported }
    return new ApiError('version-mismatch', e.message, details)
  }
  if (e instanceof ArchiveExistsError) return new ApiError('conflict', e.message, { reason: 'exists' })
  if (e instanceof AmbiguousRunError) {
    const issue = { path: runField, problem: { kind: 'ambiguous' as const, matches: e.matches }, message: e.message }
    return new ApiError('bad-input', e.message, { issues: [issue] })
  }
  if (e instanceof InvalidRunIdError) {
    return new ApiError('bad-input', e.message, { issues: [{ path: runField, problem: { kind: 'invalid' }, message: e.message }] })
  }
  // Damaged or malformed: the file at fault, no system error.
  return new ApiError('io', e.message, { path: e.path, errno: null })
}
