/** One button of a SegmentedControl. */
export interface SegmentOption<V extends string = string> {
  value: V
  label: string
  disabled?: boolean
  /** Tooltip, e.g. why the option is disabled. */
  title?: string
  testid?: string
}
