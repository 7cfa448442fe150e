/** The faithfulness numbers beside the path plot. */
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import FaithfulnessPanel from '../../../../src/renderer/src/features/paths/FaithfulnessPanel.vue'

describe('FaithfulnessPanel', () => {
  it('names the fit by its own scale and lists trustworthiness and continuity per k', () => {
    const w = mount(FaithfulnessPanel, {
      props: {
        fit: { name: 'explained variance', value: 0.6234 },
        neighbourhood: {
          k: [5, 10, 20],
          trustworthiness: [0.9512, 0.9, NaN],
          continuity: [0.97, 0.96, NaN],
          rankCorrelation: 0.8812,
          pairs: 435,
        },
      },
    })
    expect(w.text()).toContain('explained variance 0.623')
    const cells = w.findAll('tbody tr').map((r) => r.findAll('td').map((c) => c.text()))
    expect(cells).toEqual([
      ['5', '0.951', '0.970'],
      ['10', '0.900', '0.960'],
      ['20', '—', '—'],
    ])
    expect(w.get('[data-testid="rank-correlation"]').text()).toBe('0.881')
  })

  it('says when there are no neighbourhood scores (values arrive as null over the wire)', () => {
    const w = mount(FaithfulnessPanel, { props: { fit: { name: 'stress-1', value: 0.11 } } })
    expect(w.text()).toContain('stress-1 0.110')
    expect(w.text()).toContain('No neighbourhood scores')
    expect(w.find('[data-testid="diffusion-time"]').exists()).toBe(false)
  })

  it("shows PHATE's diffusion time t", () => {
    const data = { runs: [], view: 'tau' as const, method: 'phate', diffusionTime: 17 }
    const w = mount(FaithfulnessPanel, { props: { fit: { name: 'stress-1', value: 0.2 }, data } })
    expect(w.get('[data-testid="diffusion-time"]').text()).toContain('diffusion time t 17')
  })
})
