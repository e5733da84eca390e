import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const root = new URL('../', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  exports: Record<string, { types: string; import: string }>
  bin: Record<string, string>
}

describe('package.json exports', () => {
  it.each(Object.entries(manifest.exports))('maps %s to an entry file that exists and exports something', async (_subpath, target) => {
    const source = target.import.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')
    expect(target.types).toBe(target.import.replace(/\.js$/, '.d.ts'))
    expect(existsSync(new URL(source, root))).toBe(true)
    const module = (await import(new URL(source, root).href)) as Record<string, unknown>
    expect(Object.keys(module).length).toBeGreaterThan(0)
  })

  it('ships the bonbon command', () => {
    expect(existsSync(new URL(manifest.bin['bonbon'] ?? 'missing', root))).toBe(true)
  })
})
