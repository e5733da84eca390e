/**
 * zod schema of report.json, for reading a saved RATE audit back (to re-render its reports, or to
 * compare runs) without casting `JSON.parse` output.
 * @module
 */
import { z } from 'zod'
import type { RateAuditReport } from './compute-rate-audit.js'
import { rateWarningCodes } from './rate-warnings.js'

const intervalEstimateSchema = z.object({
  estimate: z.number().nullable(),
  se: z.number().nullable(),
  ci: z.tuple([z.number(), z.number()]).nullable(),
})

const effectsSchema = z.object({ att: intervalEstimateSchema, atu: intervalEstimateSchema, ate: intervalEstimateSchema })

const estimateSetSchema = z.object({ naive: intervalEstimateSchema, singleRewrite: effectsSchema, rate: effectsSchema })

const flipShareSchema = z.object({ onTarget: z.number(), labelled: z.number(), share: z.number().nullable() }).nullable()

const directionFlipsSchema = z.object({ rewrite: flipShareSchema, rewriteOfRewrite: flipShareSchema })

const nullableNumber = z.number().nullable()

/** Validates a parsed report.json as written from a {@link RateAuditReport}. */
export const rateAuditReportSchema = estimateSetSchema.extend({
  normalized: estimateSetSchema,
  diagnostics: z.object({
    rewardSd: nullableNumber,
    flips: z.object({ toW0: directionFlipsSchema, toW1: directionFlipsSchema }),
    roundTrip: z.object({ w1: intervalEstimateSchema, w0: intervalEstimateSchema, asymmetry: intervalEstimateSchema }),
    unpairedRateSe: z.object({ att: nullableNumber, atu: nullableNumber, ate: nullableNumber }),
    droppedItems: z.object({ w1: z.number(), w0: z.number() }),
    method: z.object({
      interval: z.literal('normal'),
      intervalZ: z.number(),
      standardError: z.literal('paired'),
      normalization: z.literal('pooled-within-group-sd-of-original-rewards'),
    }),
    warnings: z.array(
      z.object({ code: z.enum(rateWarningCodes), message: z.string() }),
    ),
  }),
  n1: z.number(),
  n0: z.number(),
})

/** Parses report.json text into a {@link RateAuditReport}; throws a `ZodError` or `SyntaxError` if it is not one. */
export function parseRateAuditReport(text: string): RateAuditReport {
  return rateAuditReportSchema.parse(JSON.parse(text))
}
