/**
 * `npx tsx infra/bench/goals.ts`: issue 18's figures alone, baseline and now
 * (`npm run bench` runs them too and writes them into docs/benchmarks.md).
 * Prints its section.
 *
 *   BENCH_BASELINE_REF   the baseline git ref (default d20693f: where issue 18's work starts)
 *   BENCH_NOW_REF        measure this ref as "now" instead of the working tree (e.g. HEAD: uncommitted work left out)
 *   BENCH_WORKERD_COPIES isolates started to time one isolate's init in workerd (default 6)
 *   BENCH_GOALS_ROUNDS   requests/s rounds per path, tree and concurrency (default 5); BENCH_GOALS_SECONDS each (default 2)
 *   BENCH_INIT_RUNS      fresh processes / workerd instances per bundle for init (default 7)
 *   BENCH_METRICS_RUNS   runs of each tree's bench:metrics (default 2), each of BENCH_METRICS_ROUNDS (12) × BENCH_METRICS_REQUESTS (150)
 *   BENCH_DATABASE_URL   an admin URL of the Postgres bench:metrics uses
 */
import { goalsOptionsFromEnv, runGoalsBench } from './goals/goals-bench.ts'
import { goalsMarkdown } from './goals/goals-report.ts'

const progress = (text: string) => process.stderr.write(`\r${text}`.slice(0, 110).padEnd(110))
const figures = await runGoalsBench({ ...goalsOptionsFromEnv(), progress })
process.stderr.write(`\r${' '.repeat(110)}\r`)
console.log(goalsMarkdown(figures))
if (process.env.BENCH_GOALS_JSON) console.log(JSON.stringify(figures, null, 2))
process.exit(0)
