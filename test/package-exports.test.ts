import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = new URL('../', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  name: string
  exports: Record<string, { types: string; import: string }>
  bin: Record<string, string>
}

/** The names a subpath exports as a user's Node resolves it: by package name, through `exports`, from dist. */
function publishedNames(specifier: string): string[] {
  const script = `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).sort()))`
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(root), encoding: 'utf8' })
  return JSON.parse(output) as string[]
}

describe('package.json exports', () => {
  it.each(Object.entries(manifest.exports))('maps %s to a built entry with the same exports as its source', async (subpath, target) => {
    expect(target.types).toBe(target.import.replace(/\.js$/, '.d.ts'))
    expect(existsSync(new URL(target.import, root))).toBe(true)
    expect(existsSync(new URL(target.types, root))).toBe(true)
    const source = target.import.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')
    const sourceNames = Object.keys((await import(new URL(source, root).href)) as Record<string, unknown>).sort()

    const names = publishedNames(subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`)

    expect(names.length).toBeGreaterThan(0)
    expect(names, 'dist is stale: run npm run build').toEqual(sourceNames)
  })

  it('ships the bonbon command', () => {
    expect(existsSync(new URL(manifest.bin['bonbon'] ?? 'missing', root))).toBe(true)
  })
})
