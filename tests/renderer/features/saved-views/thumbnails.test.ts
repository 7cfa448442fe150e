/** The saved views' previews distinguish rendering, drawn and failed (with the reason and a retry). */
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import type { SavedView } from '../../../../src/shared/api/contract'
import SavedViewsPage from '../../../../src/renderer/src/features/saved-views/SavedViewsPage.vue'
import { defaultPathsState, toSavedView } from '../../../../src/renderer/src/lib/view-state'
import { useProjectStore } from '../../../../src/renderer/src/stores/project'
import { hostError, installFakeHost, until } from '../../helpers/fake-host'
import { project, runSummary } from '../../helpers/fixtures'

const host = installFakeHost()

beforeEach(() => {
  setActivePinia(createPinia())
  host.reset()
})

describe('saved views’ previews', () => {
  it('say they are rendering, then show the picture, or why not with a way to try again', async () => {
    const view: SavedView = { name: 'early', ...toSavedView(defaultPathsState(['a'])) }
    useProjectStore().set({ ...project({ runs: [runSummary({ id: 'a' })] }), views: [view] })
    let answer!: (v: unknown) => void
    host.handle('figures.render', () => new Promise((r) => (answer = r)))
    const w = mount(SavedViewsPage)
    await until(() => host.callsOf('figures.render').length === 1, 'the render request')
    expect(w.find('[data-testid="thumb-loading"]').exists()).toBe(true)
    answer(Promise.reject(hostError('not-found', 'no run "a" in this project', { what: 'run', which: 'a' })))
    await until(() => w.find('[data-testid="thumb-error"]').exists(), 'the failure')
    expect(w.get('[data-testid="thumb-error"]').text()).toBe('no preview: no run "a" in this project')
    host.handle('figures.render', () => ({
      format: 'svg',
      data: '<svg xmlns="http://www.w3.org/2000/svg"/>',
      widthIn: 3.5,
      heightIn: 3,
    }))
    await w.get('[data-testid="thumb-retry"]').trigger('click')
    await until(() => w.find('img').exists(), 'the picture')
    expect(w.get('img').attributes('src')).toMatch(/^data:image\/svg\+xml/)
    expect(w.find('[data-testid="thumb-error"]').exists()).toBe(false)
  })
})
