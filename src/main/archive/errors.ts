/**
 * What goes wrong with a project or a run on disk, one class per case, so that callers
 * (the service, the runner) tell them apart by class and read their fields, never their
 * messages. The service turns them into the contract's typed errors (src/main/errors.ts).
 */

/** A project or run that cannot be read as one: damaged, malformed, not what it claims. */
export class ArchiveError extends Error {
  override name = 'ArchiveError'
  constructor(
    message: string,
    /** The file or folder at fault, when one is. */
    readonly path: string | null = null,
  ) {
    super(message)
  }
}

/** No project (no project.json) or no run (no zarr.json) at `path`. */
export class MissingArchiveError extends ArchiveError {
  override name = 'MissingArchiveError'
  constructor(
    message: string,
    readonly what: 'project' | 'run',
    path: string,
  ) {
    super(message, path)
  }
}

/** A project or run is there already (or being created by another process); `run`: its id. */
export class ArchiveExistsError extends ArchiveError {
  override name = 'ArchiveExistsError'
  constructor(
    message: string,
    path: string | null = null,
    readonly run?: string,
  ) {
    super(message, path)
  }
}

/** A project would be created in a folder that holds other things: `entries` names some. */
export class ForeignFolderError extends ArchiveError {
  override name = 'ForeignFolderError'
  constructor(
    message: string,
    path: string,
    readonly entries: string[],
  ) {
    super(message, path)
  }
}

/** Data handed to a run writer that does not fit the run: `field` names the argument or
 * array at fault ("labels", "pointShape", "outputs", "epochs", "weights", …). */
export class RunDataError extends ArchiveError {
  override name = 'RunDataError'
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message)
  }
}

/** A writer stopped by its signal before it finished; nothing was written. */
export class ArchiveCancelledError extends ArchiveError {
  override name = 'ArchiveCancelledError'
}

/** Written by a newer sgdscope: format `found`, this version reads up to `supported`. */
export class NewerFormatError extends ArchiveError {
  override name = 'NewerFormatError'
  constructor(
    message: string,
    readonly what: 'project' | 'run',
    path: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(message, path)
  }
}

/** A run reference (id, unique part of one, or number in the list) that names no run. */
export class UnknownRunError extends ArchiveError {
  override name = 'UnknownRunError'
  constructor(
    message: string,
    readonly ref: string,
  ) {
    super(message)
  }
}

/** A run reference that names more than one run. */
export class AmbiguousRunError extends ArchiveError {
  override name = 'AmbiguousRunError'
  constructor(
    message: string,
    readonly ref: string,
    readonly matches: string[],
  ) {
    super(message)
  }
}

/** A run id that cannot be a folder name. */
export class InvalidRunIdError extends ArchiveError {
  override name = 'InvalidRunIdError'
  constructor(
    message: string,
    readonly id: string,
  ) {
    super(message)
  }
}
