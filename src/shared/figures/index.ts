/**
 * Figures as pure functions (data, style, options) → ECharts option. The renderer
 * draws them live; src/main/figures renders the same options to SVG, PNG and PDF.
 */
export * from './barrier'
export * from './beyond-data'
export * from './color'
export * from './data'
export * from './file-name'
export * from './metrics'
export * from './paths'
export * from './rates'
export * from './registry'
export * from './stability'
export * from './style'
export * from './tooltip'
export * from './weight-function'
export { niceStep, niceTicks, textWidth } from './ticks'
