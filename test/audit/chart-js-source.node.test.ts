import { describe, expect, it } from 'vitest'
import { readChartJsSource } from '../../src/audit/chart-js-source.node.js'

describe('readChartJsSource', () => {
  it('reads the UMD build of the installed Chart.js, which defines a global Chart', async () => {
    const source = await readChartJsSource()
    expect(source).toMatch(/^\/\*!\n \* Chart\.js v4\./)
    expect(source).toContain('.Chart=')
    expect(source.length).toBeGreaterThan(100_000)
  })
})
