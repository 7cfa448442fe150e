/** The Path distances page: asks for the runs ticked, shows progress with Cancel, then the verdicts. */
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import PathDistancesPage from '../../../../src/renderer/src/features/path-distances/PathDistancesPage.vue'
import { useProjectStore } from '../../../../src/renderer/src/stores/project'
import type { PathDistancesReport } from '../../../../src/shared/figures/beyond-data'
import { installFakeHost, until } from '../../helpers/fake-host'
import { project, runSummary } from '../../helpers/fixtures'

const host = installFakeHost()
const a = runSummary({ id: 'a', name: 'batch 1', label: 'batch 1', created: '2026-01-01T10:00:00.000Z' })
const b = runSummary({ id: 'b', name: 'batch 100', label: 'batch 100', created: '2026-01-01T11:00:00.000Z' })

function report(runs: string[]): PathDistancesReport {
  const paths = runs.flatMap((runId) => [0, 1].map((net) => ({ runId, label: runId, net, snapshots: 3 })))
  const n = paths.length
  const M = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.abs(i - j)))
  return {
    view: 'tau',
    progress: 'length',
    paths,
    frechet: M,
    aligned: M,
    unaligned: [],
    embedding: { of: 'aligned', coords: paths.map((_, i) => [i, 0] as [number, number]), stress: 0.01 },
    comparisons:
      runs.length === 2
        ? [
            {
              runs: [runs[0]!, runs[1]!],
              sameStart: { pairs: 2, aligned: 0.5, frechet: 1 },
              differentStart: { pairs: 2, aligned: 2, frechet: 3 },
              ratio: 0.25,
              verdict: 'closer, not one path',
            },
          ]
        : [],
    spread: runs.map((runId) => ({ runId, pairs: 1, aligned: 1, frechet: 1 })),
    seconds: 0.1,
  }
}

beforeEach(async () => {
  setActivePinia(createPinia())
  host.reset()
  host.handle('project.current', () => project({ runs: [a, b] }))
  await useProjectStore().loadCurrent()
})

describe('the Path distances page', () => {
  it('asks nothing until runs are picked, then shows the matrix, the embedding and the verdict per pair of runs', async () => {
    host.handle('beyond.pathDistances', (q: { runs: string[] }) => report(q.runs))
    const w = mount(PathDistancesPage)
    expect(w.get('[data-testid="pd-empty"]').text()).toContain('Pick one or more runs')
    expect(host.callsOf('beyond.pathDistances')).toHaveLength(0)

    // Ticked in the other order: the request still lists the older run first.
    await w.get('[data-testid="pd-run-b"]').setValue(true)
    await w.get('[data-testid="pd-run-a"]').setValue(true)
    await until(() => w.find('[data-testid="pd-comparison"]').exists(), 'the comparison')
    expect(host.callsOf('beyond.pathDistances').at(-1)).toEqual({ runs: ['a', 'b'], view: 'tau', progress: 'length' })
    expect(w.get('[data-testid="pd-comparison"]').text()).toContain('batch 1 vs batch 100')
    expect(w.get('[data-testid="pd-ratio"]').text()).toBe('0.250')
    expect(w.get('[data-testid="pd-verdict"]').text()).toBe('closer, not one path')
    expect(w.get('[data-testid="pd-embedding"]').text()).toContain('stress-1 0.0100')

    // κ and the test-error parameterisation are asked for as such.
    await w.get('[data-testid="pd-view-kappa"]').trigger('click')
    await w.get('[data-testid="pd-by-error"]').trigger('click')
    await until(
      () => host.callsOf('beyond.pathDistances').some((q) => (q as { progress: string }).progress === 'error'),
      'the κ request by test error',
    )
    expect(host.callsOf('beyond.pathDistances').at(-1)).toEqual({ runs: ['a', 'b'], view: 'kappa', progress: 'error' })
  })

  it('shows the job’s progress while it runs, and Cancel stops it in the host', async () => {
    host.handle('beyond.pathDistances', () => new Promise(() => {}))
    const w = mount(PathDistancesPage)
    await w.get('[data-testid="pd-run-a"]').setValue(true)
    await until(() => host.calls.some((c) => c.name === 'beyond.pathDistances' && c.key), 'the request')
    const key = host.calls.find((c) => c.name === 'beyond.pathDistances')!.key!
    host.emit('job.progress', { key, request: 'beyond.pathDistances', stage: 'distances', done: 3, total: 10 })
    await until(() => w.find('[data-testid="busy-progress"]').exists(), 'the busy overlay')
    await until(() => w.get('[data-testid="busy-progress"]').text() === 'Computing distances 3 / 10', 'the progress')
    await w.get('[data-testid="busy-cancel"]').trigger('click')
    await until(() => host.cancelled.includes(key), 'the cancel')
    await until(() => w.find('[data-testid="pd-error"]').exists(), 'the cancelled line')
    expect(w.get('[data-testid="pd-error"]').text()).toContain('Cancelled.')
    expect(w.find('[data-testid="busy"]').exists()).toBe(false)
  })
})
