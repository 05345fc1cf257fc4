/** Local stand-ins for the hosted services (Neon; Upstash next), for development and tests. */
export { type NeonStandIn, type NeonStandInOptions, startNeonStandIn } from './neon/stand-in.ts'
