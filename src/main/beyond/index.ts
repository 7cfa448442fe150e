/**
 * Beyond the paper (issue 9): tests of its explanation with numbers — subproblem
 * convergence rates, barriers between networks before and after aligning hidden units,
 * and distances in weight space beside function space.
 */
export * from './stats'
export * from './fit'
export * from './confusion'
export * from './assignment'
export * from './subproblems'
export * from './barrier'
export * from './weight-function'
export * from './figures'
