/**
 * Finds slow statements. A Kysely plugin attached to one operation's database
 * handle times each statement from compilation to result; one slower than the
 * operation's threshold counts `SlowQuery` and logs a warning with the
 * statement's shape: its SQL with `$1` placeholders, never parameter values.
 * A statement that fails (cancelled by `statement_timeout`, say) is checked
 * when the operation ends.
 */
import {
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PostgresQueryCompiler,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely'
import type { Logger } from '../logger.ts'
import type { InvocationMetrics } from './invocation-metrics.ts'

const MAX_SHAPE_LENGTH = 2_000

interface Running {
  node: RootOperationNode
  queryId: QueryId
  started: number
}

export interface SlowQueryContext {
  repository: string
  operation: string
  orgId: string
  metrics: InvocationMetrics
  logger: Logger
}

export class SlowQueryDetector implements KyselyPlugin {
  readonly #context: SlowQueryContext
  readonly #thresholdMs: number
  readonly #running = new Map<QueryId, Running>()

  constructor(context: SlowQueryContext) {
    this.#context = context
    this.#thresholdMs = context.metrics.slowQueryThresholdMs(context.repository, context.operation)
  }

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    this.#running.set(queryId, { node, queryId, started: this.#context.metrics.now() })
    return node
  }

  async transformResult({ queryId, result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const running = this.#running.get(queryId)
    if (running) {
      this.#running.delete(queryId)
      this.#check(running)
    }
    return result
  }

  /** Checks the statements that never returned a result (they failed); call when the operation ends. */
  finish(): void {
    for (const running of this.#running.values()) this.#check(running)
    this.#running.clear()
  }

  #check(running: Running): void {
    const { metrics, logger, repository, operation, orgId } = this.#context
    const durationMs = metrics.now() - running.started
    if (durationMs < this.#thresholdMs) return
    metrics.count('SlowQuery', { repository, operation })
    logger.warn('slow query', {
      repository,
      operation,
      orgId,
      durationMs: Math.round(durationMs),
      thresholdMs: this.#thresholdMs,
      statement: statementShape(running),
    })
  }
}

/** The SQL Kysely sent, whitespace collapsed: values travel as parameters, so none appear here. */
function statementShape({ node, queryId }: Running): string {
  const text = new PostgresQueryCompiler().compileQuery(node, queryId).sql.replace(/\s+/g, ' ').trim()
  return text.length > MAX_SHAPE_LENGTH ? `${text.slice(0, MAX_SHAPE_LENGTH)}…` : text
}
