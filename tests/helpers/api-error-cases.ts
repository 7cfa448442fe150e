/**
 * Every error code of the contract, as the renderer should receive it, for the host tests
 * (tests/main/server/errors.test.ts, tests/main/electron/errors.test.ts): requests that
 * really fail that way in the Service, and what the layers below throw (by class) for
 * the codes and the work (imports, checkpoints, the run writer) no request reaches —
 * most of them thrown by the real code, on bad input made here.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { expect } from 'vitest'
import { API_ERROR_CODES, ApiError, type ApiErrorCode } from '../../src/shared/api/errors'
import { writeExternalRun } from '../../src/main/archive/external-run'
import { NewerFormatError } from '../../src/main/archive/errors'
import { LockedError } from '../../src/main/archive/lock'
import { findCheckpoints, compilePattern } from '../../src/main/checkpoints/pattern'
import { evaluateFiles } from '../../src/main/checkpoints/pool'
import { loadProbe } from '../../src/main/checkpoints/probe'
import { planInput } from '../../src/main/checkpoints/shape'
import { DatasetError, readIdxFile } from '../../src/main/datasets/idx'
import { toApiError } from '../../src/main/errors'
import { RunError } from '../../src/main/experiments/runner'
import { importRun, parseEpochs, parseMeta } from '../../src/main/importers'
import type { Service } from '../../src/main/service'
import { writeZarrV3 } from '../main/importers/helpers'
import { syntheticRun, writeTestExternalRun } from './external'

export interface ErrorCase {
  code: ApiErrorCode
  /** What the case is, for the test's name. */
  what: string
  name: string
  args: unknown
  details: unknown
}

/** bad-input details of one argument. */
const onField = (field: string) => ({
  issues: [{ path: field, problem: { kind: 'invalid' }, message: expect.any(String) }],
})

/** Folders and files the real cases use, made under `root`. */
export function errorFixtures(root: string) {
  const empty = path.join(root, 'no-checkpoints')
  mkdirSync(empty, { recursive: true })
  const notOnnx = path.join(empty, 'net0_epoch1.onnx.txt')
  writeFileSync(notOnnx, 'not an ONNX model')
  const newer = path.join(root, 'newer.sgdscope')
  mkdirSync(path.join(newer, 'runs'), { recursive: true })
  const file = { sgdscope: { kind: 'project', format: 99 }, name: 'newer', created: '2030-01-01', runs: [] }
  writeFileSync(path.join(newer, 'project.json'), JSON.stringify(file))
  const aFile = path.join(root, 'a-file.txt')
  writeFileSync(aFile, 'not a folder')
  return { root, project: path.join(root, 'errors.sgdscope'), newer, aFile, empty, notOnnx }
}

/** Runs recorded outside sgdscope in f.project, for the cases that need them (before project.open). */
export async function recordedRuns(f: ReturnType<typeof errorFixtures>): Promise<void> {
  const small = { nets: 2, snapshots: 2, probe: 6 }
  await writeTestExternalRun(f.project, { ...small, id: 'rec-logits' })
  await writeTestExternalRun(f.project, { ...small, id: 'rec-values', outputs: 'values', dim: 3 })
  await writeTestExternalRun(f.project, { ...small, id: 'rec-mlp', mlp: { inputs: 3, hidden: 2 } })
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
    {
      code: 'not-found',
      what: 'an unknown request',
      name: 'runs.delete',
      args: {},
      details: { what: 'request', which: 'runs.delete' },
    },
    {
      code: 'conflict',
      what: 'creating a project in a folder that holds other files',
      name: 'project.open',
      args: { dir: f.empty, create: true },
      details: { reason: 'not-empty' },
    },
  ]
}

/** After recordedRuns and project.open of f.project: requests that fail with an open project. */
export function casesWithProject(f: ReturnType<typeof errorFixtures>): ErrorCase[] {
  // A file inside the project (where the browser host may write), with a folder asked for under it.
  const inProject = path.join(f.project, 'a-file.txt')
  writeFileSync(inProject, 'not a folder')
  const sub = path.join(inProject, 'figures')
  return [
    {
      code: 'conflict',
      what: 'resuming a run recorded outside sgdscope',
      name: 'runs.resume',
      args: { runId: 'rec-logits' },
      details: { reason: 'not-applicable', run: 'rec-logits' },
    },
    {
      code: 'conflict',
      what: 'κ of a run that records values, not classes (the probe-set check)',
      name: 'runs.metrics',
      args: { runId: 'rec-values', view: 'kappa' },
      details: { reason: 'not-applicable', run: 'rec-values' },
    },
    {
      code: 'bad-input',
      what: 'a barrier of a recorded run on the training set',
      name: 'beyond.barrier',
      args: { runId: 'rec-mlp', nets: [0, 1], on: 'train' },
      details: onField('on'),
    },
    {
      code: 'not-found',
      what: 'a run that is not there',
      name: 'runs.get',
      args: { runId: 'nope' },
      details: { what: 'run', which: 'nope' },
    },
    {
      code: 'not-found',
      what: 'a saved view that is not there',
      name: 'views.delete',
      args: { name: 'x' },
      details: { what: 'view', which: 'x' },
    },
    {
      code: 'bad-input',
      what: 'an invalid spec given to runs.start',
      name: 'runs.start',
      args: { spec: { lr: 'fast', snapshots: { every: -1 } } },
      details: {
        issues: expect.arrayContaining([
          {
            path: 'spec.lr',
            problem: { kind: 'wrong-type', expected: 'number', received: 'string' },
            message: expect.any(String),
          },
          expect.objectContaining({
            path: 'spec.snapshots.every',
            problem: expect.objectContaining({ kind: 'too-small' }),
          }),
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

export type Thrown = Record<string, { thrown: unknown; code: ApiErrorCode; details: unknown }>

/** What `p` rejects with (the test fails when it resolves). */
async function rejection(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (e) {
    return e
  }
  throw new Error('expected a failure, it succeeded')
}

const badInputOf = (thrown: unknown, field: string) => ({ thrown, code: 'bad-input' as const, details: onField(field) })

/** What the importers, the checkpoint evaluator and the run writer throw on bad input, by key. */
export async function thrownByNewCode(f: ReturnType<typeof errorFixtures>): Promise<Thrown> {
  const stopped = AbortSignal.abort()
  const run = syntheticRun({ id: 'written', nets: 1, snapshots: 2, probe: 4 })
  const written = path.join(f.root, 'written.sgdscope')
  const other = path.join(f.root, 'other.sgdscope')
  await writeExternalRun(written, run)
  const probe = { inputs: new Float32Array(new SharedArrayBuffer(16)), count: 1, probeShape: [4], batch: 1 }
  const saved = path.join(f.root, 'saved.zarr')
  await writeZarrV3(saved, [
    { name: 'outputs', dtype: 'float32', shape: [1, 2, 4, 3], data: new Float32Array(24).fill(0.5) },
    { name: 'epochs', dtype: 'float64', shape: [2], data: Float64Array.of(0, 1) },
    { name: 'labels', dtype: 'int32', shape: [4], data: Int32Array.of(0, 1, 2, 0) },
  ])
  return {
    'import-file': badInputOf(await rejection(importRun(f.project, f.aFile)), 'file'),
    'import-epochs': badInputOf(await rejection(parseEpochs('zero,one', 2)), 'epochs'),
    'import-meta': badInputOf(await rejection(() => parseMeta(['lr'])), 'meta'),
    'checkpoint-pattern': badInputOf(await rejection(() => compilePattern('net.onnx')), 'pattern'),
    'checkpoint-folder': badInputOf(await rejection(findCheckpoints(f.empty)), 'dir'),
    'checkpoint-file': {
      thrown: await rejection(evaluateFiles([f.notOnnx], probe, () => {}, { workers: 1 })),
      code: 'io',
      details: { path: f.notOnnx, errno: null },
    },
    'checkpoint-cancelled': {
      thrown: await rejection(evaluateFiles([f.notOnnx], probe, () => {}, { signal: stopped })),
      code: 'cancelled',
      details: { request: 'runs.get' },
    },
    'dataset-file': {
      thrown: await rejection(() => readIdxFile(f.aFile)),
      code: 'io',
      details: { path: f.aFile, errno: null },
    },
    'probe-set': badInputOf(await rejection(loadProbe('nothing-like-a-probe')), 'probe'),
    'model-shape': badInputOf(await rejection(() => planInput('x', [1], 4, [4])), 'probe'),
    'run-labels': badInputOf(await rejection(writeExternalRun(other, { ...run, labels: [0, 1] })), 'labels'),
    'run-exists': {
      thrown: await rejection(writeExternalRun(written, run)),
      code: 'conflict',
      details: { reason: 'exists', run: 'written' },
    },
    'run-write-cancelled': {
      thrown: await rejection(writeExternalRun(written, { ...run, id: 'second' }, { signal: stopped })),
      code: 'cancelled',
      details: { request: 'runs.get' },
    },
    'import-cancelled': {
      thrown: await rejection(importRun(written, saved, { signal: stopped })),
      code: 'cancelled',
      details: { request: 'runs.get' },
    },
  }
}

/** What the layers below throw, by run id given to runs.get, and the typed error each must become. */
export const THROWN: Thrown = {
  'snapshots-lock': {
    thrown: new LockedError('/p/runs/r4/snapshots.lock is held by process 7 on there', '/p/runs/r4/snapshots.lock', {
      pid: 7,
      host: 'there',
    }),
    code: 'busy',
    details: { what: 'run', which: 'r4', by: { pid: 7, host: 'there' } },
  },
  'train-recorded': {
    thrown: new RunError('run r5 was recorded outside sgdscope (python); it cannot be trained', 'r5', 'not-applicable'),
    code: 'conflict',
    details: { reason: 'not-applicable', run: 'r5' },
  },
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

/** The Service, except that runs.get of a `thrown` key fails as the layers below would make it. */
export function scriptedService(real: Service, thrown: Thrown = THROWN): Service {
  const call = async (name: unknown, args: unknown): Promise<unknown> => {
    const key = (args as { runId?: string } | null)?.runId
    if (name === 'runs.get' && key && key in thrown) throw toApiError(thrown[key].thrown, { request: name })
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
