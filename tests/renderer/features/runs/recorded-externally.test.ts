/** Runs recorded outside sgdscope, as the run list and the run's page show them. */
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import RunListItem from '../../../../src/renderer/src/features/runs/RunListItem.vue'
import RunWorkspace from '../../../../src/renderer/src/features/runs/RunWorkspace.vue'
import { useProjectStore } from '../../../../src/renderer/src/stores/project'
import { installFakeHost, until } from '../../helpers/fake-host'
import { project, runDetails, runSummary } from '../../helpers/fixtures'

const host = installFakeHost()

beforeEach(() => {
  setActivePinia(createPinia())
  host.reset()
})

const recorded = runSummary({
  id: 'rec',
  kind: 'external',
  status: 'running',
  external: { source: 'python', meta: { model: 'resnet18', lr: 0.1 } },
})

describe('a run recorded externally', () => {
  it('is marked in the run list with its source and metadata', () => {
    const w = mount(RunListItem, { props: { run: recorded, selected: false } })
    const mark = w.get('[data-testid="recorded-externally"]')
    expect(mark.text()).toBe('recorded externally · python · model=resnet18 lr=0.1')
    expect(mark.attributes('title')).toBe('Recorded outside sgdscope (python): model=resnet18 lr=0.1')
    const trained = mount(RunListItem, { props: { run: runSummary({ id: 'own' }), selected: false } })
    expect(trained.find('[data-testid="recorded-externally"]').exists()).toBe(false)
  })

  it('shows what was recorded, and offers no cancel, resume or retry', async () => {
    const facts = [
      { label: 'recorded', value: 'externally (python)' },
      { label: 'meta', value: 'model = resnet18; lr = 0.1' },
      { label: 'probe', value: '1000 items; labels sha256 3f2a…, inputs sha256 not recorded' },
      { label: 'weights', value: 'none recorded (barriers, weight matching and weight vs function need them)' },
    ]
    host.handle('project.current', () => project({ runs: [recorded] }))
    host.handle('runs.get', () => runDetails({ ...recorded, recorded: facts }))
    host.handle('runs.metrics', () => ({ data: { runs: [{ series: [] }] }, derived: {} }))
    await useProjectStore().loadCurrent()
    const w = mount(RunWorkspace, { props: { runId: 'rec', tab: 'details', tabs: [] } })
    await until(() => w.find('[data-testid="recorded-facts"]').exists())
    const text = w.get('[data-testid="recorded-facts"]').text()
    expect(text).toContain('meta model = resnet18; lr = 0.1')
    expect(text).toContain('probe 1000 items; labels sha256 3f2a…')
    expect(text).toContain('weights none recorded')
    expect(text).toContain('externally (python): sgdscope cannot train or resume it')
    expect(w.get('[data-testid="external-note"]').text()).toMatch(/Being recorded outside sgdscope \(python\)/)
    expect(w.get('[data-testid="run-facts"]').text()).toContain('Enginenone: recorded outside sgdscope')
    expect(w.find('[data-testid="no-metrics"]').exists()).toBe(false)
    expect(w.find('[data-testid="cancel-run"]').exists()).toBe(false)
    expect(w.find('[data-testid="resume-run"]').exists()).toBe(false)
  })

  it('without metrics, says there is no learning curve instead of showing an empty one', async () => {
    host.handle('project.current', () => project({ runs: [recorded] }))
    host.handle('runs.get', () => runDetails({ ...recorded, metricNames: [], recorded: [] }))
    host.handle('runs.metrics', () => ({ data: { runs: [{ series: [] }] }, derived: {} }))
    await useProjectStore().loadCurrent()
    const w = mount(RunWorkspace, { props: { runId: 'rec', tab: 'details', tabs: [] } })
    await until(() => w.find('[data-testid="no-metrics"]').exists())
    expect(w.get('[data-testid="no-metrics"]').text()).toMatch(/records no metrics per snapshot/)
    expect(w.find('[data-testid="live-curve"]').exists()).toBe(false)
  })
})
