/**
 * Synthetic figure data that looks like the real thing: SGD paths (random walks from
 * scattered starts converging towards a common region) and learning curves. Seeded,
 * so tests and example figures are reproducible.
 */
import type { MetricsData, PathsData } from '../../../src/shared/figures/data'

export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r())
}

/** fig1's schedule: 0, 0.1, …, 1.0, then 2, 3, …, 20 (30 snapshots). */
export const FIG1_EPOCHS = [
  ...Array.from({ length: 11 }, (_, i) => Math.round(i) / 10),
  ...Array.from({ length: 19 }, (_, i) => i + 2),
]

export function syntheticPaths(
  opts: { nets?: number; runs?: string[]; seed?: number; stress?: number; view?: 'tau' | 'kappa' } = {},
): PathsData {
  const nNets = opts.nets ?? 20
  const labels = opts.runs ?? ['batch 1']
  const r = rng(opts.seed ?? 1)
  return {
    view: opts.view ?? 'tau',
    method: 'mds',
    ...(opts.stress !== undefined ? { stress: opts.stress } : {}),
    runs: labels.map((label, ri) => {
      const target: [number, number] = [6 + ri * 1.5, 1 - ri * 2]
      return {
        label,
        nets: Array.from({ length: nNets }, (_, net) => {
          // Start on a ring around the initial cloud; each net has its own end point
          // inside the target region.
          const a = r() * 2 * Math.PI
          let x = -4 + Math.cos(a) * (1.5 + r() * 2)
          let y = Math.sin(a) * (1.5 + r() * 2)
          const end: [number, number] = [target[0] + gauss(r) * 0.6, target[1] + gauss(r) * 0.6]
          return {
            net,
            points: FIG1_EPOCHS.map((epoch, i) => {
              if (i > 0) {
                const dt = epoch - FIG1_EPOCHS[i - 1]!
                const pull = 1 - Math.exp(-dt * (epoch <= 1 ? 2.2 : 0.25))
                const noise = (0.5 * Math.sqrt(dt)) / (1 + epoch)
                x += (end[0] - x) * pull + gauss(r) * noise
                y += (end[1] - y) * pull + gauss(r) * noise
              }
              const samples = Math.round(epoch * 60000)
              return {
                x,
                y,
                epoch,
                samples,
                testError: 0.02 + 0.88 * Math.exp(-epoch * 25) + 0.01 * Math.exp(-epoch / 5),
              }
            }),
          }
        }),
      }
    }),
  }
}

export function syntheticMetrics(opts: { nets?: number; runs?: string[]; seed?: number } = {}): MetricsData {
  const nNets = opts.nets ?? 20
  const r = rng(opts.seed ?? 2)
  const labels = opts.runs ?? ['batch 1']
  return {
    runs: labels.map((label, ri) => {
      const slow = 1 + ri * 2
      const curve = (e: number, start: number, end: number, jitter: number, k: number) =>
        Math.max(
          1e-4,
          end + (start - end) * Math.exp((-e * 18) / slow) + 0.012 * Math.exp(-e / 4) * k + jitter * gauss(r),
        )
      const perNet = (start: number, end: number, jitter: number) =>
        Array.from({ length: nNets }, () => {
          const k = 0.3 + 1.4 * r()
          return FIG1_EPOCHS.map((e) => curve(e, start, end, jitter * (e === 0 ? 0.2 : 1), k))
        })
      return {
        label,
        epochs: FIG1_EPOCHS,
        series: [
          { name: 'test_error', perNet: perNet(0.9, 0.021 + ri * 0.004, 0.002) },
          { name: 'train_error', perNet: perNet(0.9, 0.006 + ri * 0.004, 0.0008) },
          { name: 'train_loss', perNet: perNet(0.1, 0.004 + ri * 0.001, 0.0002) },
          { name: 'test_loss', perNet: perNet(0.1, 0.0045 + ri * 0.001, 0.0002) },
        ],
      }
    }),
  }
}
