/** Messages between the run coordinator and its training worker threads. */
import type { MlpSpec } from '../../shared/spec'
import type { TrainData } from './train'
import type { TfjsBackend } from './tfjs/backend'

export interface WorkerInput {
  spec: MlpSpec
  data: TrainData
  /** Sample counts of the snapshots. */
  samples: number[]
  /** The networks this worker trains, each from its saved state (or from scratch). */
  nets: { net: number; snapshot: number; state?: Float32Array }[]
  /** Shared flag: set to 1 to make the worker stop as soon as it can. */
  cancel: Int32Array
  /** Engine of this worker (default fused); tfjs runs on `backend`, chosen by the coordinator. */
  engine?: 'fused' | 'tfjs'
  backend?: TfjsBackend
}

export type WorkerMessage =
  | {
      type: 'snapshot'
      net: number
      snapshot: number
      tau: Float32Array
      metrics: Float32Array
      state: Float32Array
      /** Seconds this thread spent evaluating the snapshot (the ETA charges snapshots left at it). */
      seconds?: number
    }
  | { type: 'tick'; samples: number }
  | { type: 'finished'; cancelled: boolean }
  | { type: 'error'; message: string; stack?: string }
