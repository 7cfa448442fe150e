/** `sgdscope presets`: the presets, the paper's figures and those beyond it, with the question each asks. */
import { PRESETS, PRESET_IDS } from '../../../shared/presets'
import { parseSpec } from '../../../shared/spec'
import { describeSpec } from '../../experiments/summary'
import type { Command } from '../command'

export const presetsCommand: Command = {
  summary: 'list the presets (the paper’s figures and the questions beyond it) and their runs',
  usage: 'sgdscope presets [--json]',
  options: { json: { type: 'boolean' } },
  run(_p, v, io) {
    const all = PRESET_IDS.map((id) => PRESETS[id])
    if (v.json) {
      io.out(JSON.stringify(all, null, 2))
      return Promise.resolve(0)
    }
    for (const [group, heading] of [
      ['paper', 'The paper’s figures'],
      ['beyond', 'Beyond the paper'],
    ] as const) {
      io.out(`${heading}:`)
      for (const p of all.filter((x) => x.group === group)) {
        io.out(`  ${p.id.padEnd(13)} ${p.title}`)
        if (p.question) io.out(`  ${''.padEnd(13)} ${p.question}`)
        for (const r of p.runs) {
          const spec = parseSpec(r.spec)
          const data = spec.kind === 'mlp' && spec.dataset.source !== 'mnist' ? `, ${spec.dataset.source}` : ''
          io.out(`  ${''.padEnd(13)}   ${r.label}: ${describeSpec(spec)}${data}`)
        }
      }
      io.out('')
    }
    io.out('Train one with `sgdscope run --preset ID`; figures with `sgdscope reproduce ID --out DIR`.')
    return Promise.resolve(0)
  },
}
