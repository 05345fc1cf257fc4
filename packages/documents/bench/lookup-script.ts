/**
 * bench:cache's lookup section (issue 19): the cache's Redis lookup as the
 * plain MGET (entry, 2 generations, write mark) against the leased lookup,
 * `EVALSHA` of `LEASE_LOOKUP` on the same keys and the lease's, through
 * `@upstash/redis` and the local bridge, alternating call by call. A hit's entry is
 * written as the cache writes it (`encodeEntry`, stamped with the current
 * generations), so the script finds it valid and takes no lease; a miss has
 * no entry and takes the lease (deleted, untimed and uncounted, before each
 * call). A 256 KiB entry shows what the value's size costs each: the script
 * parses only the stamp, yet both answer the whole entry and the script's
 * copies it through Lua (into the script, back into its reply).
 */
import { createHash } from 'node:crypto'
import { Redis } from '@upstash/redis'
// not exported from the package entry: from their sources, as the cache uses them
import { entryKey, generationKey, lockKey, markKey } from '../../repository/src/cache/keys.ts'
import { LEASE_LOOKUP } from '../../repository/src/cache/lease-lookup.ts'
import { encodeEntry } from '../../repository/src/cache/stored-entry.ts'
import { median } from './local-services.ts'

const TTL_MS = 3_600_000
const LARGE = 256 * 1024

export async function benchLookupScript(env: Record<string, string>, orgId: string, rounds: number, calls: number) {
  const client = new Redis({
    url: env.UPSTASH_REDIS_REST_URL as string,
    token: env.UPSTASH_REDIS_REST_TOKEN as string,
    enableAutoPipelining: false, // one call, one HTTP request
    enableTelemetry: false,
  })
  let requests = 0
  let leases = 0
  const counted = <T>(call: () => Promise<T>) => {
    requests += 1
    return call()
  }
  const sha1 = createHash('sha1').update(LEASE_LOOKUP).digest('hex')
  const generations = [generationKey(orgId, 'documents'), generationKey(orgId, 'documents:1')]
  const mark = markKey(orgId)
  const stamp = [String(Date.now() * 1000 + 1), String(Date.now() * 1000 + 2)]
  const doc = { id: 1, organizationId: orgId, title: 'doc 0', body: 'a short body', createdAt: new Date() }
  const entries = {
    small: entryKey(orgId, 'documents', 'findById', { id: 1 }),
    large: entryKey(orgId, 'documents', 'findById', { id: 2 }),
    absent: entryKey(orgId, 'documents', 'findById', { id: 3 }),
  }
  const texts = {
    small: encodeEntry(doc, stamp, TTL_MS),
    large: encodeEntry({ ...doc, id: 2, body: 'x'.repeat(LARGE) }, stamp, TTL_MS),
  }
  await client.set(generations[0] as string, stamp[0], { px: TTL_MS })
  await client.set(generations[1] as string, stamp[1], { px: TTL_MS })
  await client.set(mark, '7', { px: TTL_MS })
  await client.set(entries.small, texts.small, { px: TTL_MS })
  await client.set(entries.large, texts.large, { px: TTL_MS })

  const keysOf = (entry: string) => [entry, ...generations, mark]
  const mget = (entry: string) => () => counted(() => client.mget(...keysOf(entry)))
  const script = (entry: string) => async () => {
    const args = ['2', String(Date.now()), 'bench-token', '5000', '0']
    const values = await counted(() => client.evalsha(sha1, [...keysOf(entry), lockKey(entry)], args))
    leases += Number((values as unknown[]).at(-2)) === 1 ? 1 : 0 // the lease state (then its time left): 1, this caller took it
    return values
  }
  const releaseLease = () => client.del(lockKey(entries.absent))
  type Path = { run: () => Promise<unknown>; before?: () => Promise<unknown> }
  const paths: Record<string, Path> = {
    'hit, MGET': { run: mget(entries.small) },
    'hit, script': { run: script(entries.small) },
    'miss, MGET': { run: mget(entries.absent) },
    'miss, script': { run: script(entries.absent), before: releaseLease },
    'hit 256 KiB, MGET': { run: mget(entries.large) },
    'hit 256 KiB, script': { run: script(entries.large) },
  }

  // Redis learns the script by one EVAL (as RedisScripts does); then every path must answer as described
  await client.eval(LEASE_LOOKUP, [...keysOf(entries.absent), lockKey(entries.absent)], ['2', '0', 'x', '1', '0'])
  await releaseLease()
  for (const [name, path] of Object.entries(paths)) {
    await path.before?.()
    const found = (await path.run()) as unknown[]
    const leased = name.includes('script') ? Number(found.at(-2)) : 0
    const expected = name.startsWith('miss') ? null : name.includes('256') ? texts.large : texts.small
    if (found[0] !== expected || leased !== (name === 'miss, script' ? 1 : 0))
      throw new Error(`lookup bench: ${name} answered an unexpected entry or lease`)
    for (let i = 0; i < 10; i++) {
      await path.before?.()
      await path.run()
    }
  }

  // each case's two forms alternate call by call (which goes first, too), so load drift hits both alike
  const samples: Record<string, number[]> = {}
  const sums: Record<string, { requests: number; leases: number }> = {}
  for (let round = 1; round <= rounds; round++) {
    for (const lookup of ['hit', 'miss', 'hit 256 KiB']) {
      process.stderr.write(`\rround ${round}/${rounds}: lookup ${lookup}`.padEnd(70))
      const forms = [`${lookup}, MGET`, `${lookup}, script`]
      const totals: Record<string, number> = {}
      for (let i = 0; i < calls; i++) {
        for (const name of i % 2 ? [...forms].reverse() : forms) {
          const path = paths[name] as Path
          await path.before?.()
          const before = { requests, leases }
          const started = performance.now()
          await path.run()
          totals[name] = (totals[name] ?? 0) + performance.now() - started
          const sum = sums[name] ?? { requests: 0, leases: 0 }
          sums[name] = {
            requests: sum.requests + requests - before.requests,
            leases: sum.leases + leases - before.leases,
          }
        }
      }
      for (const name of forms) samples[name] = [...(samples[name] ?? []), ((totals[name] ?? 0) / calls) * 1000]
    }
  }
  const perCall = Object.fromEntries(
    Object.entries(sums).map(([name, sum]) => [
      name,
      { requests: sum.requests / (rounds * calls), leases: sum.leases / (rounds * calls) },
    ]),
  )
  process.stderr.write(`\r${' '.repeat(70)}\r`)
  await client.del(...Object.values(entries), ...generations, mark, lockKey(entries.absent))

  const us = (name: string) => median(samples[name] ?? [])
  console.log(
    `\nThe Redis lookup alone (\`@upstash/redis\` → bridge): MGET of entry, 2 generations and mark vs EVALSHA of LEASE_LOOKUP on the same keys + the lease; median of ${rounds} interleaved rounds of ${calls} calls of each, alternating (mean per round)\n`,
  )
  console.log(
    '| lookup | MGET µs / call | script µs / call | script / MGET | HTTP requests / call (MGET, script) | leases taken / call |',
  )
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
  const rows = { 'hit (entry valid)': 'hit', 'miss (no entry)': 'miss', 'hit, 256 KiB entry': 'hit 256 KiB' }
  const ratios: number[] = []
  for (const [label, name] of Object.entries(rows)) {
    const [plain, leased] = [us(`${name}, MGET`), us(`${name}, script`)]
    ratios.push(leased / plain)
    const trips = `${perCall[`${name}, MGET`]?.requests.toFixed(2)}, ${perCall[`${name}, script`]?.requests.toFixed(2)}`
    console.log(
      `| ${label} | ${plain.toFixed(0)} | ${leased.toFixed(0)} | ${(leased / plain).toFixed(2)}× | ${trips} | ${perCall[`${name}, script`]?.leases.toFixed(2)} |`,
    )
  }
  const extra = (name: string) => us(`${name}, script`) - us(`${name}, MGET`)
  const signed = (us: number) => `${us < 0 ? '−' : '+'}${Math.abs(us).toFixed(0)}`
  const [least, most] = [Math.min(...ratios), Math.max(...ratios)]
  console.log(
    `\nOne HTTP request each: the script costs ${least.toFixed(2)}–${most.toFixed(2)}× the MGET (${signed(extra('hit'))} µs on a small hit, ${signed(extra('miss'))} µs on a miss, the lease's SET NX included, and ${signed(extra('hit 256 KiB'))} µs on a 256 KiB hit, where both move the whole value: the script parses only its stamp but copies the value through Lua into its reply).`,
  )
}
