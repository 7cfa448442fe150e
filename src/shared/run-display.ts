/**
 * How a run is shown: its name, a short label for legends, and a colour that stays the
 * same for the run in every view. Stored in the run's `display` attribute
 * (docs/run-format.md); runs without it show their spec's name and a colour from their id.
 */
import { z } from 'zod'

/** Okabe & Ito (2008), colour-blind safe, without the yellow that vanishes on white. */
export const RUN_PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'] as const

export const RunDisplay = z.object({
  name: z.string().trim().min(1, 'a name cannot be empty').max(200).optional(),
  label: z.string().trim().min(1, 'a label cannot be empty').max(40, 'a label is at most 40 characters').optional(),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb, for example #0072B2')
    .optional(),
})
export type RunDisplay = z.infer<typeof RunDisplay>

/** A run's default colour: a palette entry chosen by its id, so it never changes. */
export function defaultRunColor(id: string): string {
  let h = 2166136261
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619) >>> 0
  return RUN_PALETTE[h % RUN_PALETTE.length]!
}

/** The colour a run asks for: the one chosen for it, else its default. */
export function preferredRunColor(id: string, display?: RunDisplay): string {
  return display?.color ?? defaultRunColor(id)
}

/**
 * The colours of the runs of one view: each run keeps the colour it asks for unless an
 * earlier run of the view has it already; then it takes the first palette colour not yet
 * used (palette colours repeat only when a view has more runs than the palette has colours).
 */
export function resolveRunColors(preferred: readonly (string | undefined)[]): string[] {
  const used = new Set<string>()
  return preferred.map((want, i) => {
    const c = want?.toLowerCase()
    let pick = c && !used.has(c) ? c : RUN_PALETTE.map((p) => p.toLowerCase()).find((p) => !used.has(p))
    pick ??= RUN_PALETTE[i % RUN_PALETTE.length]!.toLowerCase()
    used.add(pick)
    return pick
  })
}

/** The legend text of a run: its label, else its name, else its id. */
export function runLegend(id: string, specName: string | undefined, display?: RunDisplay): string {
  return display?.label ?? display?.name ?? specName ?? id
}
