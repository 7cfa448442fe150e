/**
 * The API contract between the UI and the Node side: every request (its name, a zod
 * schema of its arguments, its result type) and every event stream. Each host (IPC in
 * Electron, a WebSocket in the browser host) binds it generically, and src/main/service.ts
 * implements it once. A new request is declared here and implemented there, nowhere else.
 * Its failures are the typed errors of errors.ts; what travels on the wire is transport.ts.
 * The module's entry is index.ts (src/shared/api).
 */
import { z } from 'zod'
import { ApiError, describeIssues, inputIssues, type InputIssue } from './errors'
import type { Preset } from '../presets'
import { SpawnNoise, type ExperimentSpec, type ExternalSpec, type RunSpec } from '../spec'
import type { MetricsData, PathsData } from '../figures/data'
import type {
  BarrierReport,
  BarrierSummaryReport,
  SubproblemsReport,
  WeightFunctionReport,
  PathDistancesReport,
  StabilityReport,
  MphateReport,
} from '../figures/beyond-data'
import { MPHATE_COLORS } from '../figures/beyond-data'

/** A request: the schema of its arguments and (as a phantom) its result type. */
export interface RequestDef<A extends z.ZodType, R> {
  args: A
  summary: string
  /** Phantom: only carries the result type. */
  result?: R
}
const req =
  <R>() =>
  <A extends z.ZodType>(args: A, summary: string): RequestDef<A, R> => ({ args, summary })

export const RunRef = z.object({ runId: z.string().min(1).max(200) })
export const ViewKind = z.enum(['tau', 'kappa'])
export const EmbeddingMethodName = z.enum(['smacof', 'classical', 'landmark', 'pca', 'inpca', 'tsne', 'umap', 'phate'])
const EpochWindow = z.tuple([z.number().nullable(), z.number().nullable()])
/** How an embedding is computed beyond its method: iterations (SMACOF passes, t-SNE iterations,
 * UMAP epochs; few of them show an early-stopped picture, docs/ring.md) and the seed of t-SNE's
 * random start and of UMAP. */
export const EmbeddingOptionsSchema = z
  .object({
    maxIter: z.number().int().min(1).max(100_000).optional(),
    seed: z.number().int().min(0).max(0xffffffff).optional(),
    /** PHATE's kernel: neighbours that set each point's bandwidth (default 5) and the decay (default 40). */
    knn: z.number().int().min(1).max(200).optional(),
    decay: z.number().min(0.1).max(1000).optional(),
    /** SMACOF: how many starts to run (the first by `start`, then the other of classical and
     * landmark, the others random; the best is drawn and the starts' disagreement reported,
     * docs/method.md). */
    starts: z.number().int().min(1).max(32).optional(),
    /** SMACOF: the (first) start, classical MDS (default), landmark MDS or scikit-learn's uniform
     * random one. */
    start: z.enum(['classical', 'landmark', 'random']).optional(),
  })
  .strict()

/** What a path view shows: run(s), view kind, method, window, subset. */
export const PathQuery = z.object({
  runs: z.array(z.string().min(1)).min(1).max(16),
  labels: z.array(z.string()).optional(),
  view: ViewKind.default('tau'),
  method: EmbeddingMethodName.default('smacof'),
  nets: z.array(z.number().int().min(0)).max(100_000).optional(),
  epochs: EpochWindow.optional(),
  align: z.enum(['joint', 'procrustes']).optional(),
  options: EmbeddingOptionsSchema.optional(),
  /** A frozen map to place these points into instead of re-fitting (the embedding of `runs`
   * with the same view and method; exactly the one with `key`, as paths.embed returned it). */
  into: z
    .object({
      runs: z.array(z.string().min(1)).min(1).max(16),
      nets: z.array(z.number().int().min(0)).max(100_000).optional(),
      epochs: EpochWindow.optional(),
      key: z
        .string()
        .regex(/^[0-9a-f]{20}$/, 'an embedding key as paths.embed returns it')
        .optional(),
    })
    .optional(),
})
export type PathQuery = z.infer<typeof PathQuery>

export const FigureStyleName = z.enum(['paper', 'paper-serif', 'colorblind'])
export const FigureFormat = z.enum(['svg', 'png', 'pdf'])

/** How a figure looks and is sized. */
export const FigureLook = z.object({
  style: FigureStyleName.default('paper'),
  widthIn: z.number().min(1).max(40).default(3.5),
  heightIn: z.number().min(1).max(40).optional(),
  fontSize: z.number().min(4).max(30).optional(),
  dpi: z.number().int().min(50).max(1200).default(300),
  /** stress: each point's share of the embedding's stress (× the average), a colour scale. */
  colorBy: z.enum(['epoch', 'net', 'run', 'stress']).default('epoch'),
  points: z.boolean().default(true),
  lines: z.boolean().default(true),
  /** Several runs: one plot with a legend, or panels with shared axes. */
  layout: z.enum(['overlay', 'panels']).default('overlay'),
  /** Paths: leave out the initial snapshot (epoch 0), whose far-off points otherwise set the
   * axes; what is embedded is unchanged. */
  hideInitial: z.boolean().default(false),
  logX: z.boolean().default(false),
  logY: z.boolean().default(false),
  /** What is shown of the embedded points (the app filters on the client); the
   * embedding itself is of query.epochs / query.nets. */
  epochWindow: EpochWindow.optional(),
  nets: z.array(z.number().int().min(0)).max(100_000).optional(),
  /** Paths: the zoomed region of the (first) panel in embedding units, as the app shows
   * it; kept by saved views and the URL, so the view reopens zoomed. */
  zoom: z
    .object({ x: z.tuple([z.number(), z.number()]), y: z.tuple([z.number(), z.number()]) })
    .refine((r) => r.x[0] < r.x[1] && r.y[0] < r.y[1], 'a zoom region runs from low to high on both axes')
    .optional(),
  /** The time slider's epoch (issue 22): paths are drawn as the animation's frame at it (the
   * paths up to it, each network's latest point ringed), learning curves with a cursor there;
   * absent = all of training. Kept by saved views; an export draws what the screen shows. */
  time: z.number().min(0).optional(),
})
export type FigureLook = z.infer<typeof FigureLook>
/** A zoomed region of a paths plot, in embedding units. */
export type ZoomRegion = NonNullable<FigureLook['zoom']>

/** A saved view: everything needed to redraw it exactly. */
export const SavedView = z.object({
  name: z.string().min(1).max(200),
  kind: z.enum(['paths', 'compare', 'metrics']),
  query: PathQuery,
  look: FigureLook.prefault({}),
})
export type SavedView = z.infer<typeof SavedView>

const settingsFields = {
  /** Worker threads for training; null = one per core. */
  workers: z.number().int().min(0).max(256).nullable(),
  defaultProjectDir: z.string().nullable(),
  theme: z.enum(['light', 'dark', 'system']),
}
export const Settings = z.object({
  workers: settingsFields.workers.default(null),
  defaultProjectDir: settingsFields.defaultProjectDir.default(null),
  theme: settingsFields.theme.default('system'),
})
export type Settings = z.infer<typeof Settings>
/** A change of some settings: no defaults, so the others are left as they are. */
export const SettingsPatch = z.object(settingsFields).partial()

export type RunStatus = 'created' | 'running' | 'complete' | 'interrupted' | 'failed'

export interface RunSummary {
  id: string
  name: string
  /** Short text for legends (the name when none was given). */
  label: string
  /** The run's colour in figures (chosen, else stable from its id; run-display.ts). */
  color: string
  preset?: string
  status: RunStatus
  kind: RunSpec['kind']
  /** One line describing the spec. */
  summary: string
  nets: number
  snapshots: number
  /** (network, snapshot) pairs recorded, of `total` = nets × snapshots: the run's progress
   * (src/shared/progress.ts); `netsDone` networks have every snapshot. */
  done: number
  total: number
  netsDone: number
  created: string
  /** Ensemble mean, min and max at the latest snapshot any network recorded (over those that did). */
  final: Record<string, { mean: number; min: number; max: number }>
  error?: string
  /** Runs recorded outside sgdscope: who recorded them and the metadata they gave. */
  external?: { source: ExternalSpec['source']; meta: Record<string, unknown> }
  /** A spawned run (sgdscope spawn): its parent, spawn points (epochs) and children per point. */
  spawn?: { parent: string; at: number[]; children: number; parentNets: number }
}

/** Which engine (and tfjs backend) trained a run, and why: recorded in the run's attributes. */
export interface EngineRecord {
  name: string
  backend?: string
  /** The whole reason, one line: why this engine, then why this backend. */
  reason: string
  /** Why this engine alone (the spec, or auto's measurement), kept so a resume does not repeat the backend's part. */
  chosen?: string
  /** Backends that are installed but broken and were skipped, with why (also logged as a warning). */
  fallback?: string
}

export interface RunDetails extends RunSummary {
  spec: RunSpec
  engine?: EngineRecord
  versions: Record<string, string>
  trainSeconds: number
  dataset?: { id: string; trainCount: number; testCount: number; rows: number; cols: number; classes: number }
  /** A run recorded outside sgdscope: how (source, metadata), its outputs, probe set and weights, one fact each. */
  recorded?: { label: string; value: string }[]
  epochs: number[]
  samples: number[]
  metricNames: string[]
  /** Ensemble mean of each metric per snapshot (NaN as null). */
  metricsPerSnapshot: Record<string, (number | null)[]>
}

export interface ProjectSummary {
  dir: string
  name: string
  runs: RunSummary[]
  views: SavedView[]
  /** When the host began reading this summary (ms since the epoch). Summaries travel as
   * responses and as events, which may arrive out of order: of two, the later `readAt` is newer. */
  readAt: number
}

export interface RunStatusEvent {
  runId: string
  status: RunStatus
  error?: string
  /** (network, snapshot) pairs recorded, of `total`, read after the status: a finished run's
   * counts arrive with its status, never later. */
  done?: number
  total?: number
}

export interface RunProgressEvent {
  runId: string
  /** Samples (SGD examples, or model steps) trained so far, over all networks of this process's
   * share: for the speed and time left only (progress is counted in snapshots). */
  samplesDone: number
  samplesTotal: number
  /** (network, snapshot) pairs of the whole run recorded, as far as this process knows, of
   * nets × snapshots: the same count as RunSummary's done/total. */
  snapshotsDone: number
  snapshotsTotal: number
  /** Networks with every snapshot recorded. */
  netsDone?: number
  samplesPerSec: number
  /** Seconds to go at the current speed; null until measurable. */
  etaSeconds: number | null
  elapsedSeconds: number
}

/** What a spec will cost (spec.preflight, `sgdscope run`): bytes and seconds. */
export interface SpecEstimate {
  /** Training time at the measured speed, evaluation at every snapshot included. */
  seconds: number
  /** The archive's arrays (stored uncompressed): τ, kept weights, resume state, the rest. */
  disk: { tau: number; weights: number; state: number; other: number; total: number }
  /** Training (dataset + threads) and analysis (the τ distance matrix of all points). */
  memory: { training: number; analysis: number }
  snapshots: number
  weightSnapshots: number
  samplesPerNet: number
  threads: number
  /** Where the speed comes from, in words. */
  basis: string
  dataset: { trainCount: number; testCount: number; inputs: number; classes: number } | null
  /** Why to ask before starting ("more than an hour of training"), or null. */
  confirm: string | null
}

/** A spawn's plan (runs.spawn): what it will create and what it costs. */
export interface SpawnPlanSummary {
  children: number
  /** Spawn points moved to the parent's snapshots (epochs). */
  at: number[]
  /** Where each point's state comes from. */
  states: ('weights' | 'replay')[]
  /** Samples to train over all children (replays included). */
  samplesToTrain: number
  /** The child run's cost; its seconds count only the samples to train. */
  estimate: SpecEstimate | null
  name: string
}

/** One recorded (network, snapshot), as it is written: the live curves' points. */
export interface RunSnapshotEvent {
  runId: string
  net: number
  snapshot: number
  epoch: number
  metrics: Record<string, number>
}

/** A point of a path query: its run (index in the query's runs), network and snapshot index. */
export interface PointRef {
  run: number
  net: number
  snapshot: number
}

/** paths.neighbours: a point and its k nearest points of the query in the original space (the
 * distances the method embeds: Euclidean on τ, Hamming on κ, Bhattacharyya for InPCA), nearest first. */
export interface PointNeighbours {
  point: PointRef & { epoch: number }
  neighbours: (PointRef & { epoch: number; distance: number })[]
}

export interface DerivedMetrics {
  epochs: number[]
  meanPairwise: number[]
  meanStep: number[]
  stepToSpread: number[]
  distanceToFinalMean?: number[]
}

/** What `runs.import` reads: a file of saved outputs (docs: README, "Importing saved runs"). */
export const ImportArgs = z.object({
  /** A .npz, .npy, .h5/.hdf5 file or a Zarr folder, on the machine the service runs on. */
  path: z.string().min(1).max(4096),
  /** What the outputs are; default: guessed (rows summing to 1 are probabilities, else logits). */
  outputs: z.enum(['probabilities', 'logits', 'values']).optional(),
  name: z.string().min(1).max(200).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  /** A .npy of labels, and the epochs ("0,1,2,5", "first:last" or a .npy), for a bare .npy. */
  labels: z.string().min(1).max(4096).optional(),
  epochs: z.string().min(1).max(100_000).optional(),
})

export interface ImportSummary {
  runId: string
  name: string
  /** The container read: "NumPy .npz", "HDF5", "Zarr v3", … */
  format: string
  nets: number
  snapshots: number
  probe: number
  classes: number | null
  outputs: 'probabilities' | 'logits' | 'values'
  /** "given", or why it was guessed. */
  outputsReason: string
  metrics: string[]
  weights: boolean
  probeInputs: boolean
  /** Arrays in the file the import does not use. */
  ignored: string[]
}

/** An import under way: bytes read (then snapshots written) of its current stage. */
export interface ImportProgressEvent {
  path: string
  stage: string
  done: number
  total: number
}

/** An animation of a paths view: one frame per snapshot (src/main/figures/animate.ts). */
export const AnimationFormat = z.enum(['gif', 'apng', 'png-sequence'])
export type AnimationFormat = z.infer<typeof AnimationFormat>
const AnimatedView = SavedView.omit({ name: true }).extend({ kind: z.enum(['paths', 'compare']) })
const Fps = z.number().min(0.5).max(60).default(10)

export interface RenderedAnimation {
  format: 'gif' | 'apng'
  /** base64 of the file's bytes. */
  data: string
  frames: number
  /** The snapshot (epoch) each frame shows. */
  epochs: number[]
  widthIn: number
  heightIn: number
  widthPx: number
  heightPx: number
}

export interface RenderedFigure {
  format: 'svg' | 'png' | 'pdf'
  /** SVG text, or base64 of PNG/PDF bytes. */
  data: string
  widthIn: number
  heightIn: number
}

// ---- Beyond the paper: subproblem rates, barriers, weight vs function ----
const NetIndex = z.number().int().min(0)
const WeightsAt = {
  /** Snapshot index (default: the last with kept weights). */
  snapshot: NetIndex.optional(),
  /** Evaluate on the test set (default) or the training set, its first `count` images. */
  on: z.enum(['test', 'train']).optional(),
  count: z.number().int().min(1).max(1_000_000).optional(),
}
export const SubproblemsQuery = z.object({
  nets: z.array(NetIndex).min(1).max(100_000).optional(),
  model: z.enum(['exponential', 'power']).optional(),
  kind: z.enum(['pairs', 'classes', 'all']).optional(),
  minImages: z.number().min(0).optional(),
  minFraction: z.number().min(0).max(1).optional(),
  minR2: z.number().max(1).optional(),
  zipfS: z.number().positive().optional(),
  fromEpoch: z.number().min(0).optional(),
  includeInitial: z.boolean().optional(),
  correlationNets: z.number().int().min(2).max(1000).optional(),
  curves: z.boolean().optional(),
  detail: z.boolean().optional(),
})
export const BarrierQuery = z.object({
  nets: z.tuple([NetIndex, NetIndex]),
  points: z.number().int().min(2).max(1001).optional(),
  ...WeightsAt,
})
export const BarrierSummaryQuery = z.object({
  nets: z.array(NetIndex).min(2).max(100).optional(),
  points: z.number().int().min(2).max(1001).optional(),
  ...WeightsAt,
})
export const WeightFunctionQuery = z.object({
  nets: z.array(NetIndex).min(2).max(100).optional(),
  pairs: z
    .array(z.tuple([NetIndex, NetIndex]))
    .min(1)
    .max(5000)
    .optional(),
  alignment: z.enum(['final', 'each']).optional(),
})
/** M-PHATE of hidden units (one network, or two with units matched); defaults are m-phate's. */
export const MphateQuery = z.object({
  nets: z.array(NetIndex).min(1).max(2).optional(),
  /** Trace items per class (default 10). */
  perClass: z.number().int().min(1).max(1000).optional(),
  /** At most this many (unit, snapshot) points per network (default 2000). */
  maxPoints: z.number().int().min(2).max(8000).optional(),
  intrasliceKnn: z.number().int().min(1).max(200).optional(),
  intersliceKnn: z.number().int().min(1).max(10_000).optional(),
  decay: z.number().min(0.1).max(1000).optional(),
  gamma: z.number().min(-1).max(1).optional(),
  t: z.number().int().min(1).max(1000).optional(),
})
/** Distances between whole paths (one per network) of one or more runs. */
export const PathDistancesQuery = z.object({
  runs: z.array(z.string().min(1)).min(1).max(16),
  view: ViewKind.default('tau'),
  progress: z.enum(['length', 'error']).default('length'),
  nets: z.array(NetIndex).max(10_000).optional(),
  grid: z.number().int().min(2).max(1000).optional(),
})

/** What a beyond-the-paper figure shows: the analysis behind it (barrier: two networks →
 * their curves; more → every pair thin, the median bold). */
export const BeyondFigureQuery = z.discriminatedUnion('kind', [
  SubproblemsQuery.pick({
    nets: true,
    model: true,
    minImages: true,
    minFraction: true,
    minR2: true,
    zipfS: true,
    fromEpoch: true,
    includeInitial: true,
  }).extend({
    kind: z.literal('rates'),
    spectrum: z.enum(['pairs', 'classes', 'all']).optional(),
  }),
  BarrierSummaryQuery.extend({ kind: z.literal('barrier'), nets: z.array(NetIndex).min(2).max(100) }),
  WeightFunctionQuery.extend({ kind: z.literal('weightVsFunction'), logX: z.boolean().optional() }),
  MphateQuery.extend({ kind: z.literal('mphate'), color: z.enum(MPHATE_COLORS).optional() }),
])

export const REQUESTS = {
  'app.info': req<{ version: string; host: 'electron' | 'browser'; workers: number; settings: Settings }>()(
    z.object({}),
    'versions and settings',
  ),
  'settings.set': req<Settings>()(SettingsPatch, 'change some settings (the others are kept)'),
  'presets.list': req<Preset[]>()(z.object({}), 'the paper presets'),
  'spec.check': req<{ ok: true; spec: ExperimentSpec } | { ok: false; problems: InputIssue[] }>()(
    z.object({ spec: z.unknown() }),
    'validate a spec, filling defaults',
  ),
  'spec.preflight': req<{ problems: InputIssue[]; estimate: SpecEstimate | null }>()(
    z.object({ spec: z.unknown() }),
    'check a spec as Start would (its IDX files on this host too) and estimate its time, disk and memory',
  ),
  'project.recent': req<string[]>()(z.object({}), 'recently opened projects'),
  'project.open': req<ProjectSummary>()(
    z.object({
      dir: z.string().min(1),
      create: z.boolean().default(false),
      /** With create: refuse (conflict, reason "exists") a folder that holds a project, so the user is asked. */
      onlyNew: z.boolean().default(false),
    }),
    'open (or create) a project',
  ),
  'project.current': req<ProjectSummary | null>()(z.object({}), 'the open project'),
  'project.close': req<null>()(z.object({}), 'close the project'),
  'runs.list': req<RunSummary[]>()(z.object({}), 'runs of the open project'),
  'runs.get': req<RunDetails>()(RunRef, 'one run in detail'),
  'runs.start': req<{ runIds: string[] }>()(
    z.object({ spec: z.unknown().optional(), preset: z.string().optional() }),
    'create runs from a spec or a preset and start training them',
  ),
  'runs.rename': req<RunSummary>()(
    RunRef.extend({
      name: z.string().nullable().optional(),
      label: z.string().nullable().optional(),
      color: z.string().nullable().optional(),
    }),
    'rename a run: its name, legend label and colour (null clears one, absent keeps it)',
  ),
  'runs.spawn': req<{ plan: SpawnPlanSummary; runId: string | null }>()(
    RunRef.extend({
      at: z.array(z.number().min(0)).min(1).max(100),
      children: z.number().int().min(1).max(100).default(2),
      nets: z.array(z.number().int().min(0)).min(1).max(100_000).optional(),
      noise: SpawnNoise.optional(),
      epochs: z.number().positive().optional(),
      seed: z.number().int().min(0).max(0xffffffff).optional(),
      name: z.string().max(200).optional(),
      replay: z.boolean().optional(),
      /** Only plan: return the plan and cost, create nothing. */
      dryRun: z.boolean().default(false),
    }),
    "spawn children from a run's networks at spawn points (a new run, trained like runs.start), or with dryRun only plan it",
  ),
  'runs.cancel': req<null>()(RunRef, 'stop a training run (finished snapshots are kept)'),
  'runs.resume': req<null>()(RunRef, 'continue an interrupted run'),
  'runs.metrics': req<{ data: MetricsData; derived: DerivedMetrics }>()(
    RunRef.extend({ view: ViewKind.default('tau'), derived: z.boolean().default(true) }),
    'per-network metrics and (unless derived: false, which is cheap) the derived ensemble metrics',
  ),
  'paths.embed': req<PathsData & { cached: boolean; seconds: number; points: number; key?: string }>()(
    PathQuery,
    'embedded paths of one or more runs (with into: placed into a frozen map)',
  ),
  'paths.neighbours': req<PointNeighbours>()(
    z.object({
      query: PathQuery,
      /** The point: its run (index in query.runs), network and snapshot index (PathPoint.snapshot). */
      point: z.object({
        run: z.number().int().min(0),
        net: z.number().int().min(0),
        snapshot: z.number().int().min(0),
      }),
      k: z.number().int().min(1).max(100).default(5),
    }),
    "a point's k nearest neighbours among the view's points in the original space (τ, κ or Bhattacharyya distances)",
  ),
  'views.save': req<SavedView[]>()(SavedView, 'save a view under a name in the project'),
  'views.delete': req<SavedView[]>()(z.object({ name: z.string() }), 'delete a saved view'),
  'figures.render': req<RenderedFigure>()(
    z.object({ view: SavedView.omit({ name: true }), format: FigureFormat.default('svg') }),
    'render a view as SVG, PNG or PDF with the headless exporter',
  ),
  'figures.export': req<{ path: string; bytes: number }>()(
    z.object({ view: SavedView.omit({ name: true }), format: FigureFormat, path: z.string().min(1) }),
    'render a view and write it to a file',
  ),
  'figures.renderAnimation': req<RenderedAnimation>()(
    z.object({ view: AnimatedView, format: z.enum(['gif', 'apng']), fps: Fps }),
    'render a paths or compare view over time as an animated GIF or APNG: one frame per snapshot, each the still figure at it',
  ),
  'figures.exportAnimation': req<{ path: string; bytes: number; frames: number; files: string[] }>()(
    z.object({ view: AnimatedView, format: AnimationFormat, fps: Fps, path: z.string().min(1) }),
    'render a paths or compare view over time and write it: a GIF, an APNG, or PNG frames named like path-0001.png',
  ),
  'runs.import': req<ImportSummary>()(
    ImportArgs,
    'import saved outputs (.npz, .npy, HDF5, Zarr) as a run of the open project; progress as import.progress events',
  ),
  'runs.cancelImport': req<null>()(z.object({}), 'stop the import in progress; nothing of it is kept'),
  'dialog.openFile': req<{ path: string | null }>()(
    z.object({ purpose: z.enum(['import']).default('import') }),
    'ask for a file to open with the native dialog (desktop host; null if cancelled)',
  ),
  'dialog.saveFile': req<{ path: string | null }>()(
    z.object({ defaultName: z.string().max(500).default(''), format: FigureFormat.optional() }),
    'ask where to save a file with the native dialog (desktop host; null if cancelled)',
  ),
  'figures.exportAll': req<{ written: string[] }>()(
    z.object({ dir: z.string().min(1), format: FigureFormat.default('pdf') }),
    'write every saved view of the project to a folder',
  ),
  'beyond.subproblems': req<SubproblemsReport>()(
    RunRef.extend(SubproblemsQuery.shape),
    'subproblem convergence: per-class and per-confusion-pair error fits, rate spectrum, rank correlation of rates across networks',
  ),
  'beyond.barrier': req<BarrierReport>()(
    RunRef.extend(BarrierQuery.shape),
    'loss and error along the line between two networks, before and after aligning hidden units',
  ),
  'beyond.barrierSummary': req<BarrierSummaryReport>()(
    RunRef.extend(BarrierSummaryQuery.shape),
    'barriers between every pair of a set of networks, summarised',
  ),
  'beyond.weightVsFunction': req<WeightFunctionReport>()(
    RunRef.extend(WeightFunctionQuery.shape),
    'distances between networks over training: aligned weights beside τ',
  ),
  'beyond.pathDistances': req<PathDistancesReport>()(
    PathDistancesQuery,
    'distances between whole paths (discrete Fréchet, progress-aligned) within and across runs, one point per network',
  ),
  'beyond.stability': req<StabilityReport>()(
    RunRef.extend({
      threshold: z.number().gt(0).lt(1).optional(),
      points: z.number().int().min(2).max(1001).optional(),
      count: z.number().int().min(1).optional(),
      on: z.enum(['test', 'train']).optional(),
    }),
    "a spawned run's stability per spawn point: barriers and distances between siblings beside strangers",
  ),
  'beyond.mphate': req<MphateReport>()(
    RunRef.extend(MphateQuery.shape),
    "M-PHATE of hidden units: each unit's activations on a trace set at each kept snapshot, embedded with the multislice kernel; two networks with units matched",
  ),
  'beyond.figure': req<RenderedFigure>()(
    RunRef.extend({ figure: BeyondFigureQuery, look: FigureLook.prefault({}), format: FigureFormat.default('svg') }),
    'render a beyond-the-paper figure (rates, barrier, weightVsFunction, mphate) as SVG, PNG or PDF',
  ),
} as const

export type Requests = typeof REQUESTS
export type RequestName = keyof Requests
export type ArgsOf<N extends RequestName> = z.input<Requests[N]['args']>
export type ParsedArgsOf<N extends RequestName> = z.output<Requests[N]['args']>
export type ResultOf<N extends RequestName> = Exclude<Requests[N]['result'], undefined>
export const REQUEST_NAMES = Object.keys(REQUESTS) as RequestName[]

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(REQUESTS, name)
}

export interface JobProgressEvent {
  /** The key the caller gave the request. */
  key: string
  request: string
  stage: string
  done: number
  total: number
}

/** Event streams from the Node side to the UI. */
export interface Events {
  'run.progress': RunProgressEvent
  'run.snapshot': RunSnapshotEvent
  'run.status': RunStatusEvent
  'project.changed': ProjectSummary | null
  log: { level: 'info' | 'warn' | 'error'; message: string; time: string }
  /** A host asks the UI to do something (e.g. the desktop app's menu: Run ▸ New Run…). */
  'ui.command': { command: UiCommand }
  'import.progress': ImportProgressEvent
  /** Progress of a long request, for the caller that gave it a key (see CallOptions). */
  'job.progress': JobProgressEvent
}
export type UiCommand = 'new-run' | 'cancel-run' | 'resume-run' | 'open-settings' | 'import-run'
export type EventName = keyof Events
export const EVENT_NAMES: EventName[] = [
  'run.progress',
  'run.snapshot',
  'run.status',
  'project.changed',
  'log',
  'ui.command',
  'import.progress',
  'job.progress',
]

export * from './errors'

/** Validates a request's name and arguments; throws ApiError not-found (no such request) or bad-input. */
export function parseRequest<N extends RequestName>(name: unknown, args: unknown): { name: N; args: ParsedArgsOf<N> } {
  if (!isRequestName(name)) {
    const message = `unknown request ${JSON.stringify(name)}; known: ${REQUEST_NAMES.join(', ')}`
    throw new ApiError('not-found', message, { what: 'request', which: String(name) })
  }
  const input = args ?? {}
  const r = REQUESTS[name].args.safeParse(input)
  if (!r.success) {
    const issues = inputIssues(r.error.issues, input)
    throw new ApiError('bad-input', `${name}: ${describeIssues(issues)}`, { issues })
  }
  return { name: name as N, args: r.data as ParsedArgsOf<N> }
}

/** How a caller calls: aborting `signal` cancels the request (it then rejects `cancelled`, and
 * its work in the host stops); `job.progress` events of the call carry `key`. */
export interface CallOptions {
  signal?: AbortSignal
  key?: string
}

/** What the renderer calls, whatever the transport. */
export interface ApiClient {
  call<N extends RequestName>(name: N, args: ArgsOf<N>, opts?: CallOptions): Promise<ResultOf<N>>
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
}
