/**
 * The `tfjs` engine (docs/method.md, Engines): the body of a training worker, like run-nets.ts, but
 * all networks train together as one tensor program (group.ts: `batched`, or `per-net`
 * on wasm) on the best TensorFlow.js backend available (backend.ts).
 *
 * Same contract as `runNets`: given the spec, the data, the snapshot sample counts and
 * the networks (each from its saved state or from scratch), emit one `snapshot` per
 * (network, snapshot) with τ, the metrics and the state (fused layout, so either engine
 * can resume it), `tick`s with the samples done, and stop when the cancel flag is set.
 *
 * Same numbers as the fused engine up to float32 round-off: initial weights from the
 * same `initParams(…, initRng(seed, net))`, each network's own `epochOrder` (or the
 * shared one), batches as consecutive slices of the epoch order (the last of an epoch
 * smaller), learning rate from `lrAt` at the start of each batch.
 *
 * Networks that start from different snapshots (a resumed run) are handled in lockstep
 * as `runNets` does: at snapshot j the networks at j − 1 advance to j, so laggards are
 * brought forward first and join the others, in one batched group, once they catch up.
 * Groups hold at most `maxGroup` networks, to bound the memory of a step.
 */
import type { MlpSpec } from '../../../shared/spec'
import { hiddenLayers, initParams, isDeep, type Loss, type MlpShape, type TrainOptions } from '../mlp'
import type { WorkerInput, WorkerMessage } from '../protocol'
import { epochOrder, initRng } from '../rng'
import { CHECK_EVERY, lrAt, mlpShape, stateSize, trainOptionsOf } from '../train'
import {
  ensureBackend,
  selectBackend,
  type BackendChoice,
  type TfjsBackend,
  type TfjsBackendPreference,
} from './backend'
import { BatchedMlp } from './batched-mlp'
import { DeepBatchedMlp } from './deep-mlp'
import { BatchGatherer, defaultStrategy, type MatmulStrategy, type MlpGroup } from './group'
import { PerNetMlp } from './per-net-mlp'

export interface RunTfjsOptions {
  /** Backend to force (default: $SGDSCOPE_TFJS_BACKEND, else tensorflow → wasm → cpu). */
  backend?: TfjsBackendPreference
  /** The tensor program (default: `per-net` on wasm, `batched` elsewhere; see group.ts). */
  strategy?: MatmulStrategy
  /** Most networks in one program (default: from a memory budget, ≤ 256). */
  maxGroup?: number
  /** Fallbacks from a broken backend are reported here (default: console.warn). */
  onLog?: (line: string) => void
  /** Called once the backend is chosen, before any training (a worker posts it to the runner). */
  onBackend?: (choice: BackendChoice) => void
}

export interface RunTfjsResult {
  cancelled: boolean
  backend: TfjsBackend
  /** Why this backend (for the run's attributes and the log). */
  reason: string
}

/**
 * Most networks per group: a step holds about m·(2·inputs + 4·hidden + 4·outputs) +
 * 4·inputs·hidden floats per network (inputs, activations, gradients, new weights; more
 * with momentum); keep that near 2²⁶ floats (256 MB).
 */
export function defaultMaxGroup(shape: MlpShape, batch: number, momentum: number): number {
  const { inputs: I, outputs: K } = shape
  // Deeper networks: every layer's activations and gradients, and its weights.
  const widths = hiddenLayers(shape)
  const H = widths.reduce((a, b) => a + b, 0)
  let weights = I * widths[0]! + K * widths[widths.length - 1]!
  for (let l = 1; l < widths.length; l++) weights += widths[l - 1]! * widths[l]!
  const perNet = batch * (2 * I + 4 * H + 4 * K) + (momentum > 0 ? 6 : 4) * weights
  return Math.max(1, Math.min(256, Math.floor(2 ** 26 / perNet)))
}

/** Longest stretch of training without letting this thread's event loop run (ms). */
const YIELD_MS = 100

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** A group of networks of one spec in one tensor program: `batched` or `per-net` (see group.ts). */
export function createGroup(
  strategy: MatmulStrategy,
  shape: MlpShape,
  loss: Loss,
  momentum: number,
  states: readonly Float32Array[],
  options?: TrainOptions,
): MlpGroup {
  // 2–4 hidden layers: one batched program whichever was asked (per-net covers one layer).
  if (isDeep(shape)) return DeepBatchedMlp.fromStates(shape, loss, momentum, states, options)
  return strategy === 'per-net'
    ? PerNetMlp.fromStates(shape, loss, momentum, states, options)
    : BatchedMlp.fromStates(shape, loss, momentum, states, options)
}

interface Group {
  mlp: MlpGroup
  nets: number[]
  /** Snapshot index the networks are at. */
  at: number
  orders: Uint32Array[]
  ordersEpoch: number
  gatherer: BatchGatherer
}

/** Trains every listed network to the last snapshot with tfjs. */
export async function runTfjs(
  input: WorkerInput,
  emit: (m: WorkerMessage) => void,
  opts: RunTfjsOptions = {},
): Promise<RunTfjsResult> {
  const { spec, data, samples, cancel } = input
  const choice = await selectBackend({ backend: opts.backend, onLog: opts.onLog })
  opts.onBackend?.(choice)
  const result = (cancelled: boolean): RunTfjsResult => ({ cancelled, backend: choice.name, reason: choice.reason })
  const strategy = opts.strategy ?? defaultStrategy(choice.name)
  const shape = mlpShape(spec, data)
  const size = stateSize(spec, shape)
  const N = data.train.count
  const maxBatch = Math.min(spec.batch, N)
  const maxGroup = Math.max(1, Math.floor(opts.maxGroup ?? defaultMaxGroup(shape, maxBatch, spec.momentum)))
  const S = samples.length
  const cancelled = () => Atomics.load(cancel, 0) !== 0

  for (const n of input.nets) {
    if (n.state && n.state.length !== size)
      throw new RangeError(`network ${n.net}: saved state holds ${n.state.length} values, the spec needs ${size}`)
  }
  // Networks not yet in a group, with their state (null: the initial weights).
  const waiting = input.nets.map((n) => ({ net: n.net, at: n.state ? n.snapshot : -1, state: n.state ?? null }))
  const groups: Group[] = []

  const sharedOrders = new Map<number, Uint32Array>()
  const orderOf = (net: number, epoch: number): Uint32Array => {
    if (spec.order !== 'shared') return epochOrder(N, spec.seed, net, epoch)
    let o = sharedOrders.get(epoch)
    if (!o) {
      sharedOrders.clear()
      o = epochOrder(N, spec.seed, 'shared', epoch)
      sharedOrders.set(epoch, o)
    }
    return o
  }

  const makeGroup = (nets: number[], mlp: MlpGroup, at: number): Group => ({
    mlp,
    nets,
    at,
    orders: [],
    ordersEpoch: -1,
    gatherer: new BatchGatherer(nets.length, shape, maxBatch, mlp.wantsTransposed),
  })

  /**
   * Moves waiting networks into new groups at snapshot `at` (all that wait there, or the
   * given ones) and, with `merge`, merges the groups at `at` while they fit in one.
   * Returns the new groups (valid until the next merge).
   */
  const admit = (at: number, joining = waiting.filter((w) => w.at === at), merge = true): Group[] => {
    const added: Group[] = []
    for (let i = 0; i < joining.length; i += maxGroup) {
      const part = joining.slice(i, i + maxGroup)
      const states = part.map((w) => w.state ?? initialState(spec, shape, w.net))
      added.push(
        makeGroup(
          part.map((w) => w.net),
          createGroup(strategy, shape, spec.loss, spec.momentum, states, trainOptionsOf(spec)),
          at,
        ),
      )
    }
    for (const w of joining) waiting.splice(waiting.indexOf(w), 1)
    groups.push(...added)
    if (!merge) return added
    // Smallest first, so that as many as possible merge.
    const here = groups.filter((g) => g.at === at).sort((x, y) => x.nets.length - y.nets.length)
    while (here.length >= 2 && here[0]!.nets.length + here[1]!.nets.length <= maxGroup) {
      const [x, y] = here.splice(0, 2) as [Group, Group]
      const merged = makeGroup([...x.nets, ...y.nets], x.mlp.concat(y.mlp), at)
      groups.splice(groups.indexOf(x), 1)
      groups.splice(groups.indexOf(y), 1)
      groups.push(merged)
      here.push(merged)
      here.sort((p, q) => p.nets.length - q.nets.length)
    }
    return added
  }

  const observe = (g: Group, snapshot: number) => {
    const C = data.classes
    const T = Math.min(spec.trainSubset, N)
    const testCount = data.test.count
    const P = Math.min(spec.probe, testCount)
    const train = g.mlp.evaluate(data.train, data.trainLabels, 0, T)
    const taus = g.nets.map(() => new Float32Array(P * C))
    const test = g.mlp.evaluate(data.test, data.testLabels, 0, testCount, taus)
    const states = g.mlp.states()
    g.nets.forEach((net, i) => {
      const metrics = Float32Array.of(train.loss[i]!, train.errors[i]! / T, test.loss[i]!, test.errors[i]! / testCount)
      emit({ type: 'snapshot', net, snapshot, tau: taus[i]!, metrics, state: states[i]! })
    })
    g.at = snapshot
  }

  /** Samples [from, to) of every network of the group; false if cancelled. */
  const advance = async (g: Group, from: number, to: number): Promise<boolean> => {
    let s = from
    let sinceTick = 0
    let lastYield = performance.now()
    while (s < to) {
      if (cancelled()) return false
      const epoch = Math.floor(s / N)
      const pos = s - epoch * N
      const end = Math.min(pos + spec.batch, N)
      if (g.ordersEpoch !== epoch) {
        g.orders = g.nets.map((net) => orderOf(net, epoch))
        g.ordersEpoch = epoch
      }
      const batch = g.gatherer.gather(data.train, data.trainLabels, g.orders, pos, end - pos)
      g.mlp.step(batch, lrAt(spec, s, N))
      s += end - pos
      sinceTick += end - pos
      // Report every CHECK_EVERY samples, and let the event loop run (an abort signal,
      // archive writes) at least every YIELD_MS; then make sure nobody switched the tfjs
      // backend meanwhile.
      if (sinceTick >= CHECK_EVERY || performance.now() - lastYield >= YIELD_MS) {
        emit({ type: 'tick', samples: sinceTick * g.nets.length })
        sinceTick = 0
        await yieldToEventLoop()
        await ensureBackend(choice.name)
        lastYield = performance.now()
      }
    }
    if (sinceTick > 0) emit({ type: 'tick', samples: sinceTick * g.nets.length })
    return true
  }

  try {
    // Snapshot 0 of the networks that start from scratch, before any training.
    const fresh = waiting.filter((w) => w.at < 0)
    if (fresh.length > 0) {
      if (cancelled()) return result(true)
      for (const w of fresh) w.at = 0
      // Not merged yet: groups with networks resumed at snapshot 0 join them below.
      for (const g of admit(0, fresh, false)) {
        if (cancelled()) return result(true)
        observe(g, 0)
      }
    }
    // Lockstep: every network reaches snapshot j before any goes on to j + 1.
    for (let j = 1; j < S; j++) {
      admit(j - 1)
      for (const g of groups) {
        if (g.at !== j - 1) continue
        if (cancelled()) return result(true)
        if (!(await advance(g, samples[j - 1]!, samples[j]!))) return result(true)
        observe(g, j)
      }
    }
    return result(false)
  } finally {
    for (const g of groups) g.mlp.dispose()
  }
}

/** A network's state before training: initial parameters (the fused engine's draws) and a zero velocity. */
export function initialState(spec: MlpSpec, shape: MlpShape, net: number): Float32Array {
  const params = initParams(shape, spec.init, spec.initSigma, initRng(spec.seed, net))
  if (spec.momentum === 0) return params
  const s = new Float32Array(2 * params.length)
  s.set(params)
  return s
}
