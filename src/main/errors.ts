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
  ArchiveCancelledError,
  ArchiveError,
  ArchiveExistsError,
  ForeignFolderError,
  InvalidRunIdError,
  MissingArchiveError,
  NewerFormatError,
  RunDataError,
  UnknownRunError,
} from './archive/errors'
import { LockedError } from './archive/lock'
import {
  CancelledError as CheckpointsCancelledError,
  CheckpointError,
  CheckpointFileError,
  ModelShapeError,
} from './checkpoints/errors'
import { ProbeError } from './checkpoints/probe-error'
import { DatasetError } from './datasets/idx'
import { RunError } from './experiments/runner'
import { ImportCancelled, ImportError } from './importers/source'

/** Node's system errors (fs, net) carry a string code such as ENOENT and usually a path. */
function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && 'errno' in e
}

/** What the caller knows about the failed work. */
export interface ErrorContext {
  /** The request (or CLI command) that failed: what a cancellation names. */
  request?: string
  /** The argument a run reference came in (a reference that matches several runs is the caller's input). */
  runField?: string
}

/** bad-input on one argument, in the words of the error. */
const onField = (field: string, e: Error): ApiError<'bad-input'> =>
  new ApiError('bad-input', e.message, { issues: [{ path: field, problem: { kind: 'invalid' }, message: e.message }] })

/** The typed error for `e`. */
export function toApiError(e: unknown, context: ErrorContext = {}): ApiError {
  const { request = '', runField = 'runId' } = context
  if (e instanceof ApiError) return e
  if (e instanceof ImportCancelled || e instanceof CheckpointsCancelledError || e instanceof ArchiveCancelledError) {
    return new ApiError('cancelled', e.message, { request })
  }
  if (e instanceof ZodError) {
    const issues = inputIssues(e.issues)
    return new ApiError('bad-input', describeIssues(issues), { issues })
  }
  if (e instanceof LockedError) {
    const which = path.basename(path.dirname(e.file))
    const o = e.owner
    const by = o ? { by: { pid: o.pid, host: o.host, ...(o.started ? { since: o.started } : {}) } } : {}
    return new ApiError('busy', e.message, { what: 'run', which, ...by })
  }
  if (e instanceof ArchiveError) return archiveError(e, runField)
  if (e instanceof ImportError) return onField(e.field, e)
  if (e instanceof CheckpointError) return onField(e.field, e)
  if (e instanceof ProbeError || e instanceof ModelShapeError) return onField('probe', e)
  if (e instanceof CheckpointFileError) return new ApiError('io', e.message, { path: e.file, errno: null })
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
  if (e instanceof MissingArchiveError)
    return new ApiError('not-found', e.message, { what: e.what, which: e.path ?? '' })
  if (e instanceof UnknownRunError) return new ApiError('not-found', e.message, { what: 'run', which: e.ref })
  if (e instanceof NewerFormatError) {
    const details = { what: e.what, path: e.path ?? '', found: e.found, supported: e.supported }
    return new ApiError('version-mismatch', e.message, details)
  }
  if (e instanceof ForeignFolderError) return new ApiError('conflict', e.message, { reason: 'not-empty' })
  if (e instanceof ArchiveExistsError) {
    return new ApiError('conflict', e.message, { reason: 'exists', ...(e.run ? { run: e.run } : {}) })
  }
  if (e instanceof RunDataError) return onField(e.field, e)
  if (e instanceof AmbiguousRunError) {
    const issue = { path: runField, problem: { kind: 'ambiguous' as const, matches: e.matches }, message: e.message }
    return new ApiError('bad-input', e.message, { issues: [issue] })
  }
  if (e instanceof InvalidRunIdError) return onField(runField, e)
  // Damaged or malformed: the file at fault, no system error.
  return new ApiError('io', e.message, { path: e.path, errno: null })
}
