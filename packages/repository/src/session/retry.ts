/**
 * Bounded retry with "full jitter" backoff: each wait is random between zero
 * and an exponentially growing cap, so transactions that collided once do not
 * collide again in lockstep. Only serialization failures and deadlocks retry.
 */
import { isRetryable } from '../error-mapping.ts'
import { TransientError } from '../errors.ts'
import type { InvocationMetrics } from '../metrics/invocation-metrics.ts'

export interface RetryPolicy {
  /** Attempts in all, the first included. @default 4 */
  attempts: number
  /** Cap of the first wait. @default 20 */
  baseDelayMs: number
  /** Largest wait. @default 500 */
  maxDelayMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 20, maxDelayMs: 500 }

export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1))
  return Math.floor(random() * cap)
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Runs `attempt` until it succeeds or fails for good; each retry counts `TransactionRetry`. */
export async function withRetry<T>(
  policy: RetryPolicy,
  metrics: InvocationMetrics,
  attempt: () => Promise<T>,
): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt()
    } catch (error) {
      if (!isRetryable(error)) throw error
      if (tried >= policy.attempts) {
        throw new TransientError(`the transaction still conflicted after ${tried} attempts`, {}, { cause: error })
      }
      metrics.count('TransactionRetry')
      await sleep(backoffDelay(policy, tried))
    }
  }
}
