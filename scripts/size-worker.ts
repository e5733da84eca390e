/**
 * `npm run size:worker`: bundles the Worker the way `wrangler deploy` does (`--dry-run --outdir`),
 * then prints the size of the upload and its gzip size, which is what Cloudflare's script-size
 * limit counts, against bonbon's own budget of 1 MiB gzipped. Exits 1 over budget. Offline: no
 * account, no telemetry.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'

const budgetBytes = 1024 * 1024
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const wrangler = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js')

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`

async function bundle(outdir: string, minify: boolean): Promise<{ raw: number; gzip: number; files: string[] }> {
  const args = [wrangler, 'deploy', '--dry-run', '--outdir', outdir, ...(minify ? ['--minify'] : [])]
  await promisify(execFile)(process.execPath, args, {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CI: '1', NO_COLOR: '1' },
    maxBuffer: 16 * 1024 * 1024,
  })
  // What is uploaded: the modules, not their source maps or wrangler's README.
  const files = (await readdir(outdir)).filter((name) => /\.(m?js|wasm)$/.test(name))
  const contents = await Promise.all(files.map((name) => readFile(join(outdir, name))))
  const all = Buffer.concat(contents)
  return { raw: all.byteLength, gzip: gzipSync(all, { level: 9 }).byteLength, files }
}

const folder = await mkdtemp(join(tmpdir(), 'bonbon-size-'))
try {
  const plain = await bundle(join(folder, 'plain'), false)
  const minified = await bundle(join(folder, 'minified'), true)
  console.log(`Worker bundle (${plain.files.join(', ')}), budget ${kib(budgetBytes)} gzipped`)
  console.log(`  as deployed:  ${kib(plain.raw).padStart(10)} raw  ${kib(plain.gzip).padStart(10)} gzip`)
  console.log(`  --minify:     ${kib(minified.raw).padStart(10)} raw  ${kib(minified.gzip).padStart(10)} gzip`)
  const share = ((plain.gzip / budgetBytes) * 100).toFixed(0)
  if (plain.gzip > budgetBytes) {
    console.error(`Over budget: ${kib(plain.gzip)} gzipped exceeds ${kib(budgetBytes)}.`)
    process.exitCode = 1
  } else {
    console.log(`  within budget: ${share}% of ${kib(budgetBytes)}`)
  }
} finally {
  await rm(folder, { recursive: true, force: true })
}
