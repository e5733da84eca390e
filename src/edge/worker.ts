import { createBonbonWorker } from './create-bonbon-worker.js'

/**
 * The Worker entry that wrangler.toml's `main` points at: the bonbon gateway configured from the
 * Worker's environment. See docs/edge.md.
 */
export default createBonbonWorker()
