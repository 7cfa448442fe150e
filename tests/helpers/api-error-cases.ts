/**
 * Every error code of the contract, as the renderer should receive it, for the host tests
 * (tests/main/server/errors.test.ts, tests/main/electron/errors.test.ts): requests that
 * really fail that way in the Service, and a table of what the layers below throw (by
 * class) for the codes no request reaches without training a run.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { expect } from 'vitest'
import { API_ERROR_CODES, ApiError, type ApiErrorCode } from '../../src/shared/api/errors'
import { NewerFormatError } from '../../src/main/archive/errors'
import { LockedError } from '../../src/main/archive/lock'
import { DatasetError } from '../../src/main/datasets/idx'
import { toApiError } from '../../src/main/errors'
import type { Service } from '../../src/main/service'

export interface ErrorCase {
  code: ApiErrorCode
  /** What the case is, for the test's name. */
  what: string
  name: string
  args: unknown
  details: unknown
}

/** Folders and files the real cases use, made under `root`. */
export function errorFixtures(root: string) {
  const newer = path.join(root, 'newer.sgdscope')
  mkdirSync(path.join(newer, 'runs'), { recursive: true })
  const file = { sgdscope: { kind: 'project', format: 99 }, name: 'newer', created: '2030-01-01', runs: [] }
  writeFileSync(path.join(newer, 'project.json'), JSON.stringify(file))
  const aFile = path.join(root, 'a-file.txt')
  writeFileSync(aFile, 'not a folder')
  return { project: path.join(root, 'errors.sgdscope'), newer, aFile }
}

/** Requests that fail in the real Service, in order (the first before any project is open). */
export function realCases(f: ReturnType<typeof errorFixtures>): ErrorCase[] {
  const tooSmall = { kind: 'too-small', minimum: 0, inclusive: true, of: 'number' }
  return [
    { code: 'conflict', what: 'no project open', name: 'runs.list', args: {}, details: { reason: 'no-project' } },
    {
      code: 'bad-input',
      what: 'a setting out of range',
      name: 'settings.set',
      args: { workers: -3 },
      details: { issues: [{ path: 'workers', problem: tooSmall, message: expect.any(String) }] },
    },
    {
      code: 'version-mismatch',
      what: 'a project written by a newer sgdscope',
      name: 'project.open',
      args: { dir: f.newer },
      details: { what: 'project', path: f.newer, found: 99, supported: 1 },
    },
    {
      code: 'not-found',
      what: 'a project folder without a project',
      name: 'project.open',
      args: { dir: path.join(f.aFile, 'nothing.sgdscope') },
      details: { what: 'project', which: path.join(f.aFile, 'nothing.sgdscope') },
    },
    { code: 'not-found', what: 'an unknown request', name: 'runs.delete', args: {}, details: { what: 'request', which: 'runs.delete' } },
  ]
}

/** After project.open of f.project: requests that fail with an open project. */
export function casesWithProject(f: ReturnType<typeof errorFixtures>): ErrorCase[] {
  const sub = path.join(f.aFile, 'figures')
  return [
    { code: 'not-found', what: 'a run that is not there', name: 'runs.get', args: { runId: 'nope' }, details: { what: 'run', which: 'nope' } },
    { code: 'not-found', what: 'a saved view that is not there', name: 'views.delete', args: { name: 'x' }, details: { what: 'view', which: 'x' } },
    {
      code: 'bad-input',
      what: 'an invalid spec given to runs.start',
      name: 'runs.start',
      args: { spec: { lr: 'fast', snapshots: { every: -1 } } },
      details: {
        issues: expect.arrayContaining([
          { path: 'spec.lr', problem: { kind: 'wrong-type', expected: 'number', received: 'string' }, message: expect.any(String) },
          expect.objectContaining({ path: 'spec.snapshots.every', problem: expect.objectContaining({ kind: 'too-small' }) }),
        ]),
      },
    },
    {
      code: 'io',
      what: 'a folder that cannot be made (under a file)',
      name: 'figures.exportAll',
      args: { dir: sub },
      details: { path: sub, errno: 'ENOTDIR', syscall: 'mkdir' },
    },
  ]
}

/** What the layers below throw, by run id given to runs.get, and the typed error each must become. */
export const THROWN: Record<string, { thrown: unknown; code: ApiErrorCode; details: unknown }> = {
  locked: {
    thrown: new LockedError('run r1 is being trained by process 4242', '/p/runs/r1/lock.json', {
      pid: 4242,
      host: 'elsewhere',
      started: '2026-01-01T00:00:00Z',
    }),
    code: 'busy',
    details: { what: 'run', which: 'r1', by: { pid: 4242, host: 'elsewhere', since: '2026-01-01T00:00:00Z' } },
  },
  newer: {
    thrown: new NewerFormatError('written by a newer sgdscope', 'run', '/p/runs/r2', 3, 2),
    code: 'version-mismatch',
    details: { what: 'run', path: '/p/runs/r2', found: 3, supported: 2 },
  },
  dataset: {
    thrown: new DatasetError('/data/x.idx: cannot read', { path: '/data/x.idx', errno: 'EACCES' }),
    code: 'io',
    details: { path: '/data/x.idx', errno: 'EACCES' },
  },
  bug: { thrown: new TypeError('x is undefined'), code: 'internal', details: {} },
  cancelled: {
    thrown: new ApiError('cancelled', 'stopped', { request: 'paths.embed' }),
    code: 'cancelled',
    details: { request: 'paths.embed' },
  },
  unauthorized: {
    thrown: new ApiError('unauthorized', 'refused', { reason: 'a subframe' }),
    code: 'unauthorized',
    details: { reason: 'a subframe' },
  },
  unavailable: {
    thrown: new ApiError('unavailable', 'gone', { host: 'browser' }),
    code: 'unavailable',
    details: { host: 'browser' },
  },
}

/** The Service, except that runs.get of a THROWN key fails as the layers below would make it. */
export function scriptedService(real: Service): Service {
  const call = async (name: unknown, args: unknown): Promise<unknown> => {
    const key = (args as { runId?: string } | null)?.runId
    if (name === 'runs.get' && key && key in THROWN) throw toApiError(THROWN[key].thrown)
    return real.call(name, args)
  }
  return Object.assign(Object.create(real) as Service, { call, request: call })
}

/** Expects a rejection that is an ApiError with this code and details. */
export async function expectApiError(p: Promise<unknown>, code: ApiErrorCode, details: unknown, seen?: Set<string>) {
  const e = await p.then(
    (r) => ({ resolved: r }),
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(ApiError)
  expect(e).toMatchObject({ code, message: expect.any(String), details })
  seen?.add(code)
}

export const ALL_CODES: readonly string[] = API_ERROR_CODES
