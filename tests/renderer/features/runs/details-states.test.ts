/** The Details tab tells loading, empty and failed apart (issue 15: loading is not empty), and shows a backend's fallback (issue 24). */
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import RunDetailsTab from '../../../../src/renderer/src/features/runs/RunDetailsTab.vue'
import { useProjectStore } from '../../../../src/renderer/src/stores/project'
import { useRunsStore } from '../../../../src/renderer/src/stores/runs'
import { hostError, installFakeHost, until } from '../../helpers/fake-host'
import { project, runDetails, runSummary } from '../../helpers/fixtures'

const host = installFakeHost()
const run = runSummary({ id: 'r1', status: 'complete' })

beforeEach(async () => {
  setActivePinia(createPinia())
  host.reset()
  host.handle('project.current', () => project({ runs: [run] }))
  await useProjectStore().loadCurrent()
})

describe('the Details tab', () => {
  it('while the run is read says so, not "no snapshot is recorded"', () => {
    const w = mount(RunDetailsTab, { props: { runId: 'r1' } })
    expect(w.get('[data-testid="metrics-loading"]').text()).toContain('Reading the recorded snapshots')
    expect(w.find('[data-testid="metrics-empty"]').exists()).toBe(false)
  })

  it('shows why the run could not be read, and reads it again on Try again', async () => {
    let fail = true
    host.handle('runs.get', () =>
      fail
        ? Promise.reject(
            hostError('io', 'runs/r1/zarr.json is not valid JSON', { path: 'runs/r1/zarr.json', errno: null }),
          )
        : runDetails({ ...run, done: 0 }),
    )
    const runs = useRunsStore()
    const w = mount(RunDetailsTab, { props: { runId: 'r1' } })
    await runs.showRun('r1')
    await until(() => w.find('[data-testid="details-failed"]').exists(), 'the failure')
    expect(w.get('[data-testid="details-error"]').text()).toContain('runs/r1/zarr.json is not valid JSON')
    // A failed read is not shown as a curve that loads for ever.
    expect(w.find('[data-testid="live-curve"]').exists()).toBe(false)
    fail = false
    await w.get('[data-testid="details-retry"]').trigger('click')
    await until(() => w.find('[data-testid="run-facts"]').exists(), 'the details')
    expect(w.find('[data-testid="details-failed"]').exists()).toBe(false)
    expect(w.get('[data-testid="metrics-empty"]').text()).toContain('No snapshot is recorded yet')
    expect(host.callsOf('runs.get')).toHaveLength(2)
  })

  it('shows the engine, why, and a broken backend it fell back from as a warning of its own', async () => {
    const fallback =
      'tensorflow backend failed: libtensorflow_cc.so.2: cannot open shared object file (`npm run setup:native` rebuilds it)'
    const engine = {
      name: 'tfjs',
      backend: 'wasm',
      reason: `requested in the spec; WebAssembly (XNNPACK, SIMD, one thread); ${fallback}`,
    }
    host.handle('runs.get', () => runDetails({ ...run, engine: { ...engine, fallback } }))
    const w = mount(RunDetailsTab, { props: { runId: 'r1' } })
    await useRunsStore().showRun('r1')
    await until(() => w.find('[data-testid="run-facts"]').exists(), 'the details')
    const facts = w.get('[data-testid="run-facts"]').text()
    expect(facts).toContain('tfjs (wasm)')
    expect(facts).toContain('requested in the spec; WebAssembly (XNNPACK, SIMD, one thread)')
    // Said once, as the warning, not also in the reason above it.
    expect(facts.split('libtensorflow_cc.so.2').length).toBe(2)
    expect(w.get('[data-testid="engine-fallback"]').text()).toBe(`Fell back: ${fallback}`)
  })

  it('without a fallback shows no warning line', async () => {
    host.handle('runs.get', () =>
      runDetails({ ...run, engine: { name: 'tfjs', backend: 'tensorflow', reason: 'native' } }),
    )
    const w = mount(RunDetailsTab, { props: { runId: 'r1' } })
    await useRunsStore().showRun('r1')
    await until(() => w.find('[data-testid="run-facts"]').exists(), 'the details')
    expect(w.get('[data-testid="run-facts"]').text()).toContain('tfjs (tensorflow)')
    expect(w.find('[data-testid="engine-fallback"]').exists()).toBe(false)
  })
})
