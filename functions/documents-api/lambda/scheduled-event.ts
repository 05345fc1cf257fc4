/**
 * What started a scheduled run on Lambda, read from the invocation's payload:
 *
 * - **EventBridge Scheduler** (SAM `ScheduleV2`, what `infra/template.yaml` deploys). Scheduler
 *   sends the schedule's `Input` and nothing else, so the template sets one: the schedule's ARN,
 *   the time it was due, the execution id and the attempt number, as Scheduler's context
 *   attributes (`<aws.scheduler.schedule-arn>`, …) which it fills in at each invocation.
 * - **An EventBridge rule** (SAM `Schedule`, the classic scheduled event): `"detail-type":
 *   "Scheduled Event"`, `source: "aws.events"`, the rule's ARN in `resources`.
 * - **Anything else** (`aws lambda invoke`, `sam local invoke`, a schedule without our `Input`):
 *   the run still happens, labelled `unrecognized-event`, and the shape is logged.
 *
 * The trigger labels the run's metrics (metadata, never a dimension) and its log line.
 */
import type { StructuredLogger } from '@serverless-dal/repository'

export type ScheduledSource = 'scheduler' | 'eventbridge-rule' | 'unrecognized'

export interface ScheduledTrigger {
  source: ScheduledSource
  /** The schedule's or the rule's ARN (or name); `unrecognized-event` otherwise. */
  trigger: string
  /** When the run was due (Scheduler's scheduled time, the rule event's `time`). */
  scheduledTime?: string
  /** Scheduler's id of this attempt, or the rule event's id: what to look for in the dead-letter queue. */
  executionId?: string
  /** Scheduler's attempt number, from 1; above 1 is a retry of the same run. */
  attempt?: number
}

/** The label of a run whose payload is neither a Scheduler `Input` of ours nor a rule's scheduled event. */
export const UNRECOGNIZED_TRIGGER = 'unrecognized-event'

/**
 * The `Input` of the template's `ScheduleV2` event: Scheduler's context attributes, filled in
 * per invocation. `infra/template.test.ts` checks that the template sends exactly this.
 */
export const SCHEDULER_INPUT = {
  schedule: '<aws.scheduler.schedule-arn>',
  scheduledTime: '<aws.scheduler.scheduled-time>',
  executionId: '<aws.scheduler.execution-id>',
  attempt: '<aws.scheduler.attempt-number>',
} as const

const MAX_LABEL = 256

export function scheduledTrigger(event: unknown): ScheduledTrigger {
  if (!isRecord(event)) return { source: 'unrecognized', trigger: UNRECOGNIZED_TRIGGER }

  const schedule = filled(event.schedule)
  if (schedule !== undefined) {
    const attempt = Number(filled(event.attempt))
    return withOptional(
      { source: 'scheduler', trigger: schedule },
      {
        scheduledTime: filled(event.scheduledTime),
        executionId: filled(event.executionId),
        attempt: Number.isInteger(attempt) && attempt >= 1 ? attempt : undefined,
      },
    )
  }

  if (event['detail-type'] === 'Scheduled Event' && event.source === 'aws.events') {
    const rule = Array.isArray(event.resources) ? filled(event.resources[0]) : undefined
    return withOptional(
      { source: 'eventbridge-rule', trigger: rule ?? 'eventbridge-rule' },
      { scheduledTime: filled(event.time), executionId: filled(event.id) },
    )
  }

  return { source: 'unrecognized', trigger: UNRECOGNIZED_TRIGGER }
}

/** A short description of a payload nobody recognized, for the log: its keys, never its values. */
export function describeUnrecognized(event: unknown): string {
  if (!isRecord(event)) return event === null ? 'null' : typeof event
  const keys = Object.keys(event)
  return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.slice(0, 20).join(', ')}`
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * A string that Scheduler filled in: not empty, not the bare placeholder (as `sam local invoke`
 * with the template's `Input` would pass it), bounded for a log line and EMF metadata.
 */
function filled(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value !== 'string') return undefined
  const trimmed = value.trim()
  if (trimmed === '' || /^<aws\.scheduler\.[a-z-]+>$/.test(trimmed)) return undefined
  return trimmed.slice(0, MAX_LABEL)
}

function withOptional(
  base: Pick<ScheduledTrigger, 'source' | 'trigger'>,
  optional: Omit<ScheduledTrigger, 'source' | 'trigger'>,
): ScheduledTrigger {
  const result: ScheduledTrigger = { ...base }
  if (optional.scheduledTime !== undefined) result.scheduledTime = optional.scheduledTime
  if (optional.executionId !== undefined) result.executionId = optional.executionId
  if (optional.attempt !== undefined) result.attempt = optional.attempt
  return result
}

/**
 * The trigger label of a scheduled invocation, after one log line on the invocation's logger
 * that says where it came from (a warning, with the payload's keys, when nobody recognized it).
 */
export function scheduledTriggerLabel(event: unknown, log: Pick<StructuredLogger, 'info' | 'warn'>): string {
  const trigger = scheduledTrigger(event)
  if (trigger.source === 'unrecognized') {
    log.warn('scheduled handler invoked with an unrecognized payload: running anyway', {
      trigger: trigger.trigger,
      payload: describeUnrecognized(event),
    })
  } else {
    log.info('scheduled invocation', { ...trigger })
  }
  return trigger.trigger
}
