/** `sgdscope evaluate-checkpoints`: a folder of ONNX checkpoints becomes a run. */
import { EXTERNAL_OUTPUTS } from '../../../shared/spec'
import { evaluateCheckpoints, CancelledError } from '../../checkpoints/evaluate'
import { DEFAULT_PATTERNS } from '../../checkpoints/pattern'
import { loadProbe, PROBE_USAGE } from '../../checkpoints/probe'
import { numberOption, oneOf, parseWorkers } from '../args'
import { UsageError, projectDir, projectOption, type Command } from '../command'
import { countReporter, formatDuration } from '../progress'

const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(2)}%`)

export const evaluateCheckpointsCommand: Command = {
  summary: 'evaluate a folder of ONNX checkpoints on a probe set and record them as a run',
  usage: `sgdscope evaluate-checkpoints DIR --probe PROBE [--project DIR] [--name NAME] [--pattern PATTERN]
             [--outputs logits|probabilities|values] [--allow-gaps] [--workers W] [--batch B] [--json]
             checkpoints: ${DEFAULT_PATTERNS.join(' or ')} (default), or --pattern with {net} and {epoch},
                          e.g. seed{net}/ckpt_{epoch}.onnx; epochs may be 012 or 0.5
             PROBE: ${PROBE_USAGE}`,
  options: {
    ...projectOption,
    probe: { type: 'string' },
    name: { type: 'string' },
    pattern: { type: 'string' },
    outputs: { type: 'string' },
    'allow-gaps': { type: 'boolean' },
    workers: { type: 'string', short: 'w' },
    batch: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(positionals, v, io) {
    const dir = positionals[0]
    if (!dir) throw new UsageError('evaluate-checkpoints needs the checkpoint folder DIR')
    if (positionals.length > 1)
      throw new UsageError(`evaluate-checkpoints takes one folder, got ${positionals.length}: ${positionals.join(' ')}`)
    if (!v.probe) throw new UsageError(`evaluate-checkpoints needs --probe (${PROBE_USAGE})`)
    const outputs = oneOf(v, 'outputs', EXTERNAL_OUTPUTS) ?? 'logits'
    const batch = numberOption(v, 'batch', (x) => Number.isInteger(x) && x >= 1, 'a whole number ≥ 1')
    const workers = parseWorkers(v)
    const probe = await loadProbe(String(v.probe))
    io.err(`probe ${probe.id}: ${probe.count} item(s) of shape [${probe.shape.join(', ')}]`)
    const bar = countReporter('checkpoints')
    let result
    try {
      result = await evaluateCheckpoints({
        dir,
        pattern: v.pattern ? String(v.pattern) : undefined,
        probe,
        outputs,
        projectDir: projectDir(v),
        name: v.name ? String(v.name) : undefined,
        allowGaps: Boolean(v['allow-gaps']),
        workers,
        batch,
        signal: io.signal,
        onLayout: (l) =>
          io.err(
            `found ${l.checkpoints.length} checkpoint(s) in ${l.dir}: ${l.nets.length} net(s) (numbers ${l.nets.join(', ')}) × ` +
              `${l.epochs.length} epoch(s) (${l.epochs.join(', ')})`,
          ),
        onProgress: (p) => bar.update(p),
        onLog: (line) => {
          bar.stop()
          io.err(line)
        },
      })
    } catch (e) {
      bar.stop()
      if (e instanceof CancelledError) {
        io.err('cancelled: no run was written')
        return 130
      }
      throw e
    } finally {
      bar.stop()
    }
    if (v.json) {
      const { layout, ...rest } = result
      io.out(
        JSON.stringify(
          { ...rest, nets: layout.nets, epochs: layout.epochs, unmatched: layout.unmatched, gaps: layout.gaps },
          null,
          2,
        ),
      )
      return 0
    }
    const S = result.layout.epochs.length
    io.out(
      `run ${result.runId} in ${projectDir(v)}: ${result.layout.nets.length} net(s) × ${S} snapshot(s), ` +
        `${result.outputs}${result.outputs === 'logits' ? ' (τ = softmax)' : ''}, ${result.outputSize} output(s) per probe item, ` +
        `evaluated in ${formatDuration(result.seconds)}`,
    )
    if (result.outputs !== 'values') {
      const last = result.meanProbeError[S - 1] ?? null
      io.out(
        `  probe error (mean over nets): ${pct(result.meanProbeError[0] ?? null)} at epoch ${result.layout.epochs[0]}, ` +
          `${pct(last)} at epoch ${result.layout.epochs[S - 1]}`,
      )
    }
    io.out(
      `  probe ${result.probe.id}: labels ${result.probe.labelsSha256.slice(0, 12)}…, inputs ${result.probe.inputsSha256?.slice(0, 12)}…`,
    )
    return 0
  },
}
