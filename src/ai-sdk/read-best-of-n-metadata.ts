import type { SharedV4ProviderMetadata } from '@ai-sdk/provider'
import { z } from 'zod'
import type { BestOfNProviderMetadata } from './best-of-n-middleware.js'

const metadataSchema = z.object({
  rewards: z.array(z.number().nullable()),
  chosenIndex: z.number().int().min(0),
  n: z.number().int().min(1),
  requestId: z.string(),
  // Absent from the metadata of bonbon versions before onRewardFailure.
  degraded: z.string().nullable().default(null),
})

/**
 * The best-of-n metadata of a result (`result.providerMetadata` of `generateText`, or the awaited
 * `providerMetadata` of `streamText`), validated; undefined when the call was not a best-of-n one
 * (n = 1 passes through and adds none).
 * @example
 * ```ts
 * const { text, providerMetadata } = await generateText({ model, prompt })
 * console.log(readBestOfNMetadata(providerMetadata)?.rewards)
 * ```
 */
export function readBestOfNMetadata(
  providerMetadata: SharedV4ProviderMetadata | undefined,
): BestOfNProviderMetadata | undefined {
  const parsed = metadataSchema.safeParse(providerMetadata?.['bonbon'])
  return parsed.success ? parsed.data : undefined
}
