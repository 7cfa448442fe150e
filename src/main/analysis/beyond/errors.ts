/**
 * Errors of the beyond-the-paper analyses in the contract's shape, so that every host
 * reports them with the right code: a request the run cannot answer as asked (a network
 * it does not have, a snapshot without weights) is a `bad-request`; a run that cannot
 * answer at all (no kept weights, the stochastic model) a `conflict`. The CLI prints
 * their message.
 */
import { ApiError } from '../../../shared/api/contract'

export const badRequest = (message: string): ApiError => new ApiError('bad-request', message)
export const conflict = (message: string): ApiError => new ApiError('conflict', message)
