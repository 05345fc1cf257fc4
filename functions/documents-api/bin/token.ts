/**
 * `npm run token -- --org acme --role editor [--sub alice] [--ttl 3600]`:
 * prints a Bearer token signed with JWT_SECRET, or the development secret.
 */
import { parseArgs } from 'node:util'
import { ROLES, type Role } from '@serverless-dal/repository'
import { DEVELOPMENT_JWT_SECRET, signToken } from '../http/auth.ts'

const { values } = parseArgs({
  options: {
    org: { type: 'string', default: 'acme' },
    role: { type: 'string', default: 'editor' },
    sub: { type: 'string', default: 'dev' },
    ttl: { type: 'string', default: '86400' },
  },
})
const role = values.role as Role
const ttl = Number(values.ttl)
if (!ROLES.includes(role) || !/^[A-Za-z0-9_-]{1,64}$/.test(values.org) || !(ttl > 0)) {
  console.error(
    `usage: npm run token -- --org <1-64 of A-Za-z0-9_-> --role <${ROLES.join('|')}> [--sub id] [--ttl seconds]`,
  )
  process.exit(2)
}
if (!process.env.JWT_SECRET) console.error('JWT_SECRET is not set: signing with the development secret')
console.log(
  await signToken(process.env.JWT_SECRET || DEVELOPMENT_JWT_SECRET, { org: values.org, role, sub: values.sub }, ttl),
)
