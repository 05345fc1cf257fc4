import { describe, expect, it } from 'vitest'
import { SCHEDULER_INPUT, scheduledTrigger, scheduledTriggerLabel, UNRECOGNIZED_TRIGGER } from './scheduled-event.ts'

const SCHEDULE_ARN = 'arn:aws:scheduler:eu-central-1:123456789012:schedule/default/dal-prod-Every15Minutes'
const RULE_ARN = 'arn:aws:events:eu-central-1:123456789012:rule/documents-maintenance'

/** What EventBridge Scheduler delivers for the template's Input: its context attributes filled in. */
const schedulerPayload = {
  schedule: SCHEDULE_ARN,
  scheduledTime: '2026-11-27T10:15:00Z',
  executionId: 'd32c5kddcf5bb8c3',
  attempt: '1',
}

/** The classic scheduled event of an EventBridge rule (SAM `Schedule`). */
const rulePayload = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-11-27T10:15:00Z',
  region: 'eu-central-1',
  resources: [RULE_ARN],
  detail: {},
}

describe('scheduledTrigger', () => {
  it('reads the ScheduleV2 Input: the schedule, when it was due, the execution and the attempt', () => {
    expect(scheduledTrigger(schedulerPayload)).toEqual({
      source: 'scheduler',
      trigger: SCHEDULE_ARN,
      scheduledTime: '2026-11-27T10:15:00Z',
      executionId: 'd32c5kddcf5bb8c3',
      attempt: 1,
    })
    expect(scheduledTrigger({ ...schedulerPayload, attempt: '3' }).attempt).toBe(3)
  })

  it('reads the template Input as SAM local passes it, placeholders unfilled: the schedule unknown', () => {
    // `sam local invoke` with the template's Input: nothing was substituted
    expect(scheduledTrigger(SCHEDULER_INPUT)).toEqual({ source: 'unrecognized', trigger: UNRECOGNIZED_TRIGGER })
    // a schedule without an execution id or attempt still counts as Scheduler's
    expect(scheduledTrigger({ ...SCHEDULER_INPUT, schedule: SCHEDULE_ARN })).toEqual({
      source: 'scheduler',
      trigger: SCHEDULE_ARN,
    })
  })

  it('reads the classic EventBridge rule event: the rule, its time and its id', () => {
    expect(scheduledTrigger(rulePayload)).toEqual({
      source: 'eventbridge-rule',
      trigger: RULE_ARN,
      scheduledTime: '2026-11-27T10:15:00Z',
      executionId: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    })
    expect(scheduledTrigger({ ...rulePayload, resources: [] }).trigger).toBe('eventbridge-rule')
  })

  it('labels anything else clearly instead of guessing', () => {
    for (const payload of [
      {},
      null,
      undefined,
      'tick',
      42,
      [SCHEDULE_ARN],
      { 'detail-type': 'Object Created', source: 'aws.s3', resources: ['arn:aws:s3:::bucket'] },
      { 'detail-type': 'Scheduled Event', source: 'someone.else', resources: [RULE_ARN] },
      { schedule: '' },
      { schedule: 17n },
    ]) {
      expect(scheduledTrigger(payload)).toEqual({ source: 'unrecognized', trigger: UNRECOGNIZED_TRIGGER })
    }
  })

  it('bounds what it copies from the payload', () => {
    const long = `arn:aws:scheduler:eu-central-1:123456789012:schedule/default/${'x'.repeat(1000)}`
    expect(scheduledTrigger({ schedule: long }).trigger).toHaveLength(256)
    expect(scheduledTrigger({ schedule: SCHEDULE_ARN, attempt: 'first' }).attempt).toBeUndefined()
    expect(scheduledTrigger({ schedule: SCHEDULE_ARN, attempt: 0 }).attempt).toBeUndefined()
  })
})

describe('scheduledTriggerLabel', () => {
  function capture() {
    const lines: Array<{ stream: 'info' | 'warn'; line: Record<string, unknown> }> = []
    return {
      lines,
      log: {
        info: (message: string, context?: object) => lines.push({ stream: 'info', line: { message, ...context } }),
        warn: (message: string, context?: object) => lines.push({ stream: 'warn', line: { message, ...context } }),
      },
    }
  }

  it('logs where a run came from, once, and returns its trigger', () => {
    const { lines, log } = capture()
    expect(scheduledTriggerLabel(schedulerPayload, log)).toBe(SCHEDULE_ARN)
    expect(lines).toEqual([
      {
        stream: 'info',
        line: {
          message: 'scheduled invocation',
          source: 'scheduler',
          trigger: SCHEDULE_ARN,
          scheduledTime: '2026-11-27T10:15:00Z',
          executionId: 'd32c5kddcf5bb8c3',
          attempt: 1,
        },
      },
    ])
  })

  it('warns about an unrecognized payload with its keys, never its values', () => {
    const { lines, log } = capture()
    expect(scheduledTriggerLabel({ password: 'hunter2', other: 1 }, log)).toBe(UNRECOGNIZED_TRIGGER)
    expect(lines).toHaveLength(1)
    expect(lines[0]?.stream).toBe('warn')
    expect(lines[0]?.line.payload).toBe('an object with keys password, other')
    expect(JSON.stringify(lines)).not.toContain('hunter2')
  })
})
