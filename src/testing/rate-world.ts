/**
 * A seeded synthetic world for RATE audits, where the true effect of the attribute W on reward is
 * known, so that estimators can be checked against it. W is confounded with quality, and the
 * rewriter leaves an artifact in every text it touches: the two ways in which naive and
 * single-rewrite estimates go wrong on real data (reference/rate.md §1 and §3).
 * @module
 */
import { InvalidOptionsError } from '../errors.js'
import type { RateAuditInput, RateGroupInput, RateTruth } from '../audit/compute-rate-audit.js'
import { createSeededRandom, type RandomSource } from '../util/random.js'

/** Options of {@link createRateWorld}. */
export interface RateWorldOptions {
  /** Seed of the generator: the same seed and options give the same world. */
  readonly seed: number
  /**
   * Number of items (originals).
   * @default 300
   */
  readonly items?: number
  /**
   * τ, the true causal effect on reward of W=1 over W=0.
   * @default 0.5
   */
  readonly effect?: number
  /**
   * Reward gained per unit of the latent quality q (q ~ N(0, 1)).
   * @default 1
   */
  readonly qualityEffect?: number
  /**
   * Slope of logit P(W=1) in q: how strongly better originals tend to have W=1 (the confounding).
   * @default 1.5
   */
  readonly confounding?: number
  /**
   * Logit P(W=1) at average quality; negative makes W=1 the smaller group.
   * @default -0.8
   */
  readonly treatedLogit?: number
  /**
   * δ, the reward change a rewrite causes besides W (a rewriter that fixes typos, say).
   * @default 0.8
   */
  readonly artifact?: number
  /**
   * How much more artifact a rewrite toward W=1 leaves than one toward W=0 (δ ± a/2). Non-zero
   * values break RATE's assumption that rewrite errors do not depend on direction.
   * @default 0
   */
  readonly artifactAsymmetry?: number
  /**
   * `'idempotent'`: a rewritten text carries the artifact of its last rewrite, whatever came before
   * (RATE's assumption: rewrites and rewrites of rewrites share one error distribution).
   * `'cumulative'`: each pass adds δ again, so a rewrite of a rewrite carries 2δ and RATE is biased.
   * @default 'idempotent'
   */
  readonly artifactMode?: 'idempotent' | 'cumulative'
  /**
   * Probability that a rewrite reaches its target W; otherwise the text keeps the W it had.
   * @default 1
   */
  readonly flipProbability?: number
  /**
   * SD of the reward part that belongs to an item's content and is shared by its rewrites.
   * @default 0.5
   */
  readonly itemNoise?: number
  /**
   * SD of the fresh noise in the reward of every text (original or rewrite).
   * @default 0.3
   */
  readonly textNoise?: number
}

/** One text of a synthetic item: its true W and its reward. */
export interface RateWorldText {
  /** The W the text really has (what a perfect labeller says). */
  readonly w: boolean
  /** Its reward. */
  readonly reward: number
}

/** One synthetic item: an original, its rewrite and the rewrite of that rewrite. */
export interface RateWorldItem {
  /** The latent quality q that drives both W and reward. */
  readonly quality: number
  /** The original response y. */
  readonly original: RateWorldText
  /** Re(y, 1 − w). */
  readonly rewrite: RateWorldText
  /** Re(Re(y, 1 − w), w). */
  readonly rewriteOfRewrite: RateWorldText
}

/** A generated world: the audit input, the items behind it and the true effects. */
export interface RateWorld {
  /** τ, the true effect of W on reward, the same for every item. */
  readonly tau: number
  /** The true ATT, ATU and ATE (all τ: the effect is homogeneous). */
  readonly truth: RateTruth
  /** Rewards and perfect labels, ready for `computeRateAudit`. */
  readonly input: RateAuditInput
  /** Every item, in generation order. */
  readonly items: readonly RateWorldItem[]
}

/**
 * Generates a synthetic RATE world. Reward of a text = qualityEffect·q + τ·W + item noise +
 * artifact + text noise, where P(W=1 | q) = logistic(treatedLogit + confounding·q).
 *
 * @example
 * ```ts
 * const world = createRateWorld({ seed: 7 })
 * const report = computeRateAudit(world.input)
 * report.rate.ate.ci // covers world.tau in about 95% of seeds
 * ```
 */
export function createRateWorld(options: RateWorldOptions): RateWorld {
  const resolved = resolveRateWorldOptions(options)
  // `>>> 0` keeps the worlds that seeds outside [0, 2³²) have always given: createSeededRandom
  // folds such seeds, which would change them.
  const random = createSeededRandom(resolved.seed >>> 0)
  const normal = () => gaussian(random)
  const items: RateWorldItem[] = []
  for (let index = 0; index < resolved.items; index++) {
    const quality = normal()
    const w = random() < logistic(resolved.treatedLogit + resolved.confounding * quality)
    const content = resolved.qualityEffect * quality + resolved.itemNoise * normal()
    const text = (textW: boolean, artifact: number): RateWorldText => ({
      w: textW,
      reward: content + (textW ? resolved.effect : 0) + artifact + resolved.textNoise * normal(),
    })
    const rewriteStep = (fromW: boolean, target: boolean, previousArtifact: number) => {
      const reached = random() < resolved.flipProbability ? target : fromW
      const step = resolved.artifact + (target ? 0.5 : -0.5) * resolved.artifactAsymmetry
      return { w: reached, artifact: resolved.artifactMode === 'cumulative' ? previousArtifact + step : step }
    }
    const first = rewriteStep(w, !w, 0)
    const second = rewriteStep(first.w, w, first.artifact)
    items.push({
      quality,
      original: text(w, 0),
      rewrite: text(first.w, first.artifact),
      rewriteOfRewrite: text(second.w, second.artifact),
    })
  }
  return {
    tau: resolved.effect,
    truth: { att: resolved.effect, atu: resolved.effect, ate: resolved.effect },
    input: { w1: groupInput(items, true), w0: groupInput(items, false) },
    items,
  }
}

type ResolvedRateWorldOptions = Required<RateWorldOptions>

function resolveRateWorldOptions(options: RateWorldOptions): ResolvedRateWorldOptions {
  const resolved: ResolvedRateWorldOptions = {
    seed: options.seed,
    items: options.items ?? 300,
    effect: options.effect ?? 0.5,
    qualityEffect: options.qualityEffect ?? 1,
    confounding: options.confounding ?? 1.5,
    treatedLogit: options.treatedLogit ?? -0.8,
    artifact: options.artifact ?? 0.8,
    artifactAsymmetry: options.artifactAsymmetry ?? 0,
    artifactMode: options.artifactMode ?? 'idempotent',
    flipProbability: options.flipProbability ?? 1,
    itemNoise: options.itemNoise ?? 0.5,
    textNoise: options.textNoise ?? 0.3,
  }
  const { artifactMode, ...numbers } = resolved
  for (const [key, value] of Object.entries(numbers)) {
    if (!Number.isFinite(value)) throw new InvalidOptionsError(`${key} must be a finite number.`, { key })
  }
  if (!Number.isSafeInteger(resolved.seed)) throw new InvalidOptionsError('seed must be an integer.', { key: 'seed' })
  if (!Number.isSafeInteger(resolved.items) || resolved.items < 0) {
    throw new InvalidOptionsError('items must be an integer ≥ 0.', { key: 'items' })
  }
  if (resolved.flipProbability < 0 || resolved.flipProbability > 1) {
    throw new InvalidOptionsError('flipProbability must lie in [0, 1].', { key: 'flipProbability' })
  }
  if (resolved.itemNoise < 0 || resolved.textNoise < 0) {
    throw new InvalidOptionsError('Noise SDs must be ≥ 0.', { key: resolved.itemNoise < 0 ? 'itemNoise' : 'textNoise' })
  }
  if (artifactMode !== 'idempotent' && artifactMode !== 'cumulative') {
    throw new InvalidOptionsError("artifactMode must be 'idempotent' or 'cumulative'.", { key: 'artifactMode' })
  }
  return resolved
}

function groupInput(items: readonly RateWorldItem[], w: boolean): RateGroupInput {
  const group = items.filter((item) => item.original.w === w)
  return {
    original: group.map((item) => item.original.reward),
    rewrite: group.map((item) => item.rewrite.reward),
    rewriteOfRewrite: group.map((item) => item.rewriteOfRewrite.reward),
    rewriteLabels: group.map((item) => item.rewrite.w),
    rewriteOfRewriteLabels: group.map((item) => item.rewriteOfRewrite.w),
  }
}

function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x))
}

// Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
function gaussian(random: RandomSource): number {
  const u = 1 - random()
  const v = random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}
