/** Small, valid contract objects for renderer tests. */
import type { ProjectSummary, RunDetails, RunSummary } from '../../../src/shared/api/contract'

export function runSummary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    id: 'r1',
    name: 'batch 1',
    label: 'batch 1',
    color: '#0072b2',
    status: 'complete',
    kind: 'mlp',
    summary: '4 nets 10 hidden',
    nets: 2,
    snapshots: 3,
    done: 6,
    total: 6,
    netsDone: 2,
    created: '2026-01-01T10:00:00.000Z',
    final: {},
    ...over,
  }
}

/** Each summary made is newer than the one before (as the host's would be). */
let readAt = Date.parse('2026-01-01T10:00:00.000Z')

export function project(over: Partial<ProjectSummary> = {}): ProjectSummary {
  return { dir: '/p/study.sgdscope', name: 'study', runs: [runSummary()], views: [], readAt: ++readAt, ...over }
}

/** Details of a run of 2 networks × 3 snapshots (what the curve and view tests read). */
export function runDetails(over: Partial<RunDetails> = {}): RunDetails {
  return {
    ...runSummary(),
    spec: { kind: 'mlp' } as RunDetails['spec'],
    versions: {},
    trainSeconds: 1,
    epochs: [0, 0.5, 1],
    samples: [0, 500, 1000],
    metricNames: ['test_error', 'train_error'],
    metricsPerSnapshot: {},
    ...over,
  }
}
