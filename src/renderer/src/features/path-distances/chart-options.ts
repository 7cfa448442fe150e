/**
 * The Path distances page's two pictures as ECharts options: the path × path matrix as a
 * heatmap, and the whole paths embedded in 2-D (one point per network, coloured by run).
 */
import type { ChartOption } from '../../charts/theme'
import type { PathDistancesReport } from '../../../../shared/figures/beyond-data'

export type MatrixKind = 'aligned' | 'frechet'

const short = (r: PathDistancesReport, i: number) => `${r.paths[i].label} · net ${r.paths[i].net}`

export function matrixOption(r: PathDistancesReport, which: MatrixKind): ChartOption {
  const M = which === 'aligned' ? r.aligned : r.frechet
  const n = r.paths.length
  const data: [number, number, number | null][] = []
  let max = 0
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const v = M[i][j]
      if (typeof v === 'number' && Number.isFinite(v)) max = Math.max(max, v)
      data.push([j, i, v ?? null])
    }
  const names = r.paths.map((_, i) => short(r, i))
  // Each run's block of rows is labelled once, at its first network.
  const firstOfRun = (i: number) => i === 0 || r.paths[i].runId !== r.paths[i - 1].runId
  const runAxisLabel = {
    show: true,
    interval: (i: number) => firstOfRun(i),
    formatter: (_: string, i: number) => r.paths[i].label,
    fontSize: 11,
  }
  return {
    animation: false,
    grid: { left: 76, right: 8, top: 8, bottom: 64, containLabel: false },
    tooltip: {
      formatter: (p: unknown) => {
        const [j, i, v] = (p as { value: [number, number, number | null] }).value
        return `${names[i]}<br>${names[j]}<br>${which === 'aligned' ? 'aligned' : 'Fréchet'}: ${v === null ? '—' : v.toPrecision(3)}`
      },
    },
    xAxis: { type: 'category', data: names, axisLabel: runAxisLabel, axisTick: { show: false } },
    yAxis: {
      type: 'category',
      data: names,
      inverse: true,
      axisLabel: { ...runAxisLabel, width: 70, overflow: 'truncate' },
      axisTick: { show: false },
    },
    visualMap: {
      min: 0,
      max: max || 1,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 160,
      itemWidth: 10,
      precision: 2,
      text: [(max || 1).toPrecision(3), '0'],
      textGap: 6,
      inRange: { color: ['#fcfdbf', '#fc8961', '#b73779', '#51127c', '#000004'] },
    },
    series: [
      { type: 'heatmap', data, progressive: 0, emphasis: { itemStyle: { borderColor: '#000', borderWidth: 1 } } },
    ],
  }
}

export function embeddingOption(r: PathDistancesReport, colors: Record<string, string>): ChartOption {
  const runs = [...new Set(r.paths.map((p) => p.runId))]
  return {
    animation: false,
    grid: { left: 36, right: 12, top: 28, bottom: 28 },
    legend: { top: 0, data: runs.map((id) => r.paths.find((p) => p.runId === id)!.label) },
    tooltip: { formatter: (p: unknown) => short(r, (p as { data: [number, number, number] }).data[2]) },
    xAxis: { type: 'value', scale: true, splitLine: { show: false } },
    yAxis: { type: 'value', scale: true, splitLine: { show: false } },
    series: runs.map((id) => ({
      type: 'scatter' as const,
      name: r.paths.find((p) => p.runId === id)!.label,
      symbolSize: 8,
      itemStyle: { color: colors[id] ?? '#0072B2' },
      data: r.paths.flatMap((p, i) => (p.runId === id ? [[...r.embedding.coords[i], i]] : [])),
    })),
  }
}
