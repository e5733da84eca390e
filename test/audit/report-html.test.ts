import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { readChartJsSource } from '../../src/audit/chart-js-source.node.js'
import { computeRateAudit } from '../../src/audit/compute-rate-audit.js'
import { escapeHtml, renderRateReportHtml, type RateChartRow } from '../../src/audit/report-html.js'
import { createRateWorld } from '../../src/testing/rate-world.js'

const world = createRateWorld({ seed: 31, flipProbability: 0.7 })
const report = computeRateAudit(world.input)
const chartJsSource = await readChartJsSource()
const html = renderRateReportHtml(report, { chartJsSource, truth: world.truth, rewardModel: 'toy-rm' })

function scripts(page: string): string[] {
  return [...page.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((match) => match[1] ?? '')
}

const chartDataSchema = z.object({
  rows: z.array(
    z.object({
      label: z.string(),
      estimate: z.number().nullable(),
      low: z.number().nullable(),
      high: z.number().nullable(),
      truth: z.number().nullable(),
    }),
  ),
})

function embeddedRows(page: string): RateChartRow[] {
  const match = /<script type="application\/json" id="rate-report-data">([\s\S]*?)<\/script>/.exec(page)
  return chartDataSchema.parse(JSON.parse(match?.[1] ?? 'null')).rows
}

interface CapturedChart {
  readonly canvas: unknown
  readonly config: {
    readonly type: string
    readonly data: { readonly datasets: readonly { readonly label: string; readonly data: readonly { x: number; y: number }[] }[] }
    readonly plugins: readonly { beforeDatasetsDraw(chart: unknown): void }[]
    readonly options: { readonly scales: { readonly y: { readonly ticks: { callback(value: number): string } } } }
  }
}

// Runs the page's plot script against a stand-in Chart and DOM, to check what it asks Chart.js to draw.
function runPlotScript(page: string): CapturedChart {
  const plotScript = scripts(page).at(-1) ?? ''
  const dataText = /id="rate-report-data">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? ''
  const charts: CapturedChart[] = []
  const canvas = { id: 'rate-chart' }
  runInNewContext(plotScript, {
    document: { getElementById: (id: string) => (id === 'rate-report-data' ? { textContent: dataText } : id === 'rate-chart' ? canvas : null) },
    Chart: function Chart(this: unknown, target: unknown, config: CapturedChart['config']) {
      charts.push({ canvas: target, config })
    },
  })
  const chart = charts[0]
  if (chart === undefined) throw new Error('the plot script made no chart')
  return chart
}

describe('renderRateReportHtml', () => {
  it('loads nothing from outside: no external URL in any src or href', () => {
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?\/\//i)
    expect(html).not.toMatch(/<link\b/i)
    expect(html).toContain("default-src 'none'")
  })

  it('inlines the given Chart.js source', () => {
    expect(html).toContain(chartJsSource)
    expect(scripts(html)[0]).toBe(chartJsSource)
  })

  it('embeds every estimate with its interval and the truth', () => {
    const rows = embeddedRows(html)
    expect(rows.map((row) => row.label)).toEqual([
      'Naive ATE',
      'Single rewrite ATT',
      'Single rewrite ATU',
      'Single rewrite ATE',
      'RATE ATT',
      'RATE ATU',
      'RATE ATE',
    ])
    expect(rows[6]).toEqual({
      label: 'RATE ATE',
      estimate: report.rate.ate.estimate,
      low: report.rate.ate.ci?.[0],
      high: report.rate.ate.ci?.[1],
      truth: 0.5,
    })
  })

  it('shows the table, the warnings and the diagnostics', () => {
    expect(html).toContain('<th>Estimator</th>')
    expect(html).toContain(`<td class="number">${report.rate.ate.estimate?.toPrecision(4)}</td>`)
    expect(html).toMatch(/<strong>flips-unreliable<\/strong>: Only \d+% of W=1→0 rewrites flipped W/)
    expect(html).toContain('<td>W=1 items (1→0→1)</td>')
    expect(html).toContain('<li>Reward model: toy-rm</li>')
  })

  it('plots one dot per estimate, one cross per truth and an interval bar per row', () => {
    const { config } = runPlotScript(html)
    expect(config.type).toBe('scatter')
    const [estimates, truth] = config.data.datasets
    expect(estimates?.data).toEqual(embeddedRows(html).map((row, index) => ({ x: row.estimate, y: index })))
    expect(truth?.label).toBe('True effect')
    expect(truth?.data.every((point) => point.x === 0.5)).toBe(true)
    expect(config.options.scales.y.ticks.callback(4)).toBe('RATE ATT')

    const segments: [number, number, number, number][] = []
    let from: [number, number] = [0, 0]
    const context = {
      save() {}, restore() {}, beginPath() {}, stroke() {}, setLineDash() {},
      moveTo(x: number, y: number) { from = [x, y] },
      lineTo(x: number, y: number) { segments.push([from[0], from[1], x, y]) },
    }
    const chart = {
      ctx: context,
      scales: {
        x: { getPixelForValue: (value: number) => value * 100 },
        y: { getPixelForValue: (value: number) => value * 10, top: 0, bottom: 70 },
      },
    }
    config.plugins[0]?.beforeDatasetsDraw(chart)
    for (const [index, row] of embeddedRows(html).entries()) {
      expect(segments).toContainEqual([(row.low ?? 0) * 100, index * 10, (row.high ?? 0) * 100, index * 10])
    }
    expect(segments).toContainEqual([0, 0, 0, 70])
  })

  it('escapes every caller string', () => {
    const page = renderRateReportHtml(report, {
      chartJsSource: '',
      title: '<img src=x onerror=alert(1)>',
      attribute: '"quoted" & <b>bold</b>',
    })
    expect(page).not.toContain('<img')
    expect(page).toContain('<title>&lt;img src=x onerror=alert(1)&gt;</title>')
    expect(page).toContain('<li>Attribute W: &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;</li>')
    expect(escapeHtml(`<a href='x'>`)).toBe('&lt;a href=&#39;x&#39;&gt;')
  })

  it('keeps a script that contains "</script>" inside its element', () => {
    const page = renderRateReportHtml(report, { chartJsSource: 'var s = "</script><script>alert(1)</script>"; // <!--' })
    expect(scripts(page)).toHaveLength(3)
    expect(scripts(page)[0]).toBe('var s = "\\x3C/script><script>alert(1)\\x3C/script>"; // \\x3C!--')
    expect(runInNewContext(`${scripts(page)[0]}\n; s`)).toBe('</script><script>alert(1)</script>')
  })
})
