/** How numbers, durations, times and paths are written throughout the workbench. */

const nf = new Intl.NumberFormat('en-US')

/** 12345 → "12,345"; non-finite → "—". */
export function count(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : nf.format(Math.round(n))
}

/** A fraction as a percentage: 0.0312 → "3.12 %". */
export function percent(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)} %`
}

/** A value with about `digits` significant digits, without trailing noise. */
export function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—'
  if (x === 0) return '0'
  const a = Math.abs(x)
  if (a >= 1e6 || a < 1e-4) return x.toExponential(Math.max(0, digits - 1)).replace(/\.?0+e/, 'e')
  return String(Number(x.toPrecision(digits)))
}

/** A value with a fixed number of decimals (so that a column lines up), or "—". */
export function fixed(x: number | null | undefined, digits = 5): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—'
  return Math.abs(x) >= 1e5 ? num(x, 6) : x.toFixed(digits)
}

/** An epoch count: integers as is, fractions with up to 3 decimals. */
export function epoch(e: number): string {
  return Number.isInteger(e) ? String(e) : String(Number(e.toFixed(3)))
}

/** Samples per second, compactly: 31234 → "31.2k". */
export function rate(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—'
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`
  return x.toFixed(0)
}

/** Seconds as "4 s", "2 min 05 s", "1 h 12 min". */
export function duration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s) || s < 0) return '—'
  if (s < 1) return '< 1 s'
  if (s < 60) return `${Math.round(s)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${String(Math.round(s - m * 60)).padStart(2, '0')} s`
  const h = Math.floor(m / 60)
  return `${h} h ${String(m - h * 60).padStart(2, '0')} min`
}

/** A byte count as people read it (decimal units, as disks are sold): "1.2 GB", "340 MB". */
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—'
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)} GB`
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)} MB`
  if (n >= 1e3) return `${Math.round(n / 1e3)} kB`
  return `${n} B`
}

/** An ISO time as a local date and time: "27 Nov 2026, 12:07". */
export function dateTime(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return d.toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  })
}

/** How long ago: "just now", "5 min ago", "3 h ago", else the date. */
export function ago(iso: string, now = Date.now()): string {
  const t = new Date(iso).getTime()
  if (Number.isNaN(t)) return iso
  const s = (now - t) / 1000
  if (s < 45) return 'just now'
  if (s < 3600) return `${Math.round(s / 60)} min ago`
  if (s < 86400) return `${Math.round(s / 3600)} h ago`
  return dateTime(iso)
}

/** The last component of a path ("/a/b/c.sgdscope" → "c.sgdscope"), either separator. */
export function basename(p: string): string {
  const parts = p.replace(/[\\/]+$/, '').split(/[\\/]/)
  return parts[parts.length - 1] || p
}

/** The folder holding a path. */
export function dirname(p: string): string {
  const trimmed = p.replace(/[\\/]+$/, '')
  const i = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'))
  return i <= 0 ? (i === 0 ? trimmed[0] : '') : trimmed.slice(0, i)
}

/** Joins a folder and a name with the folder's own separator. */
export function joinPath(dir: string, name: string): string {
  if (!dir) return name
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/'
  return dir.endsWith(sep) ? dir + name : dir + sep + name
}

/** A long path shortened at the front to its last `keep` components: "…/experiments/a.sgdscope". */
export function shortPath(p: string, keep = 2): string {
  const trimmed = p.replace(/[\\/]+$/, '')
  const parts = trimmed.split(/[\\/]/)
  if (parts.length <= keep + 1) return trimmed
  const sep = trimmed.includes('\\') && !trimmed.includes('/') ? '\\' : '/'
  return `…${sep}${parts.slice(-keep).join(sep)}`
}

/** A range of fractions as percentages: "5.4–5.9 %". */
export function percentRange(lo: number, hi: number, digits = 1): string {
  return `${(lo * 100).toFixed(digits)}–${(hi * 100).toFixed(digits)} %`
}
