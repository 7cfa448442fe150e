/** The numbered file names of a PNG sequence written as `stem.png`: stem-0001.png, stem-0002.png, … */
export function sequenceNames(file: string, count: number): string[] {
  const stem = file.replace(/\.png$/i, '')
  const digits = Math.max(4, String(count).length)
  return Array.from({ length: count }, (_, k) => `${stem}-${String(k + 1).padStart(digits, '0')}.png`)
}
