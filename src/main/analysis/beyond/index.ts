/**
 * Analyses beyond the paper, which test its explanation with numbers: subproblem
 * convergence rates, barriers between networks before and after aligning hidden units,
 * and distances in weight space beside function space. Their figures are drawn by
 * figures/beyond.ts, their commands are cli/commands/{subproblems,barrier,distances}.ts.
 */
export * from './stats'
export * from './fit'
export * from './confusion'
export * from './assignment'
export * from './subproblems'
export * from './barrier'
export * from './weight-function'
export * from './stability'
export * from './mphate'
