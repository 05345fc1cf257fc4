/** A horizontal bar chart as plain SVG: one bar per path, its value written beside it. */
export interface Bar {
  label: string
  value: number
  /** Bars of one group share a colour (ours, the peer's, baselines). */
  group: 'ours' | 'peer' | 'baseline'
}

const COLOURS: Record<Bar['group'], string> = { ours: '#2563eb', peer: '#d97706', baseline: '#6b7280' }

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** `legend` names the groups shown (all three by default, by their own names). */
export function barChart(
  title: string,
  unit: string,
  bars: readonly Bar[],
  legend: Partial<Record<Bar['group'], string>> = { ours: 'ours', peer: 'peer', baseline: 'baseline' },
): string {
  const labelWidth = 360
  const barWidth = 420
  const rowHeight = 26
  const top = 44
  const height = top + bars.length * rowHeight + 36
  const max = Math.max(...bars.map((bar) => bar.value), Number.MIN_VALUE)
  const rows = bars.map((bar, i) => {
    const y = top + i * rowHeight
    const width = Math.max(1, (bar.value / max) * barWidth)
    return [
      `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${width.toFixed(1)}" height="${rowHeight - 8}" fill="${COLOURS[bar.group]}"/>`,
      `<text x="${(labelWidth + width + 6).toFixed(1)}" y="${y + 16}">${bar.value.toFixed(3)} ${unit}</text>`,
    ].join('')
  })
  const keys = (Object.entries(legend) as Array<[Bar['group'], string]>)
    .map(
      ([group, name], i) =>
        `<rect x="${labelWidth + i * 120}" y="${height - 24}" width="12" height="12" fill="${COLOURS[group]}"/><text x="${labelWidth + i * 120 + 18}" y="${height - 14}">${escapeXml(name)}</text>`,
    )
    .join('')
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 120}" height="${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="16" y="26" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    ...rows,
    keys,
    '</svg>',
  ].join('\n')
}
