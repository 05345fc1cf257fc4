/** Local stand-ins for the hosted services, for development and tests: Neon and Upstash; and a delay to see round trips. */
export { type DelayProxy, type DelayProxyOptions, startDelayProxy } from './delay/delay-proxy.ts'
export { type NeonStandIn, type NeonStandInOptions, startNeonStandIn } from './neon/stand-in.ts'
export { startUpstashBridge, type UpstashBridge, type UpstashBridgeOptions } from './upstash/bridge.ts'
