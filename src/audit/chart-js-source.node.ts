/**
 * Reads the UMD build of the installed Chart.js for `renderRateReportHtml`, which inlines it so
 * that report.html works offline. Node only: the core renderer takes the text as a parameter.
 * @module
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/**
 * Returns the text of `chart.js/dist/chart.umd.js`. The package's `exports` map does not expose
 * that file, so the path is found next to the package's resolved CommonJS entry (`dist/chart.cjs`).
 */
export async function readChartJsSource(): Promise<string> {
  const entry = createRequire(import.meta.url).resolve('chart.js')
  return readFile(join(dirname(entry), 'chart.umd.js'), 'utf8')
}
