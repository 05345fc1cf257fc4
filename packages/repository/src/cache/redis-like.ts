/**
 * The part of a Redis client the cache uses, shaped like `@upstash/redis`
 * (which satisfies it as is) so the package never imports a vendor. Every
 * method is one HTTP round trip on Upstash.
 */
export interface RedisLike {
  mget(...keys: string[]): Promise<unknown[]>
  set(key: string, value: string, options?: { px?: number; nx?: boolean }): Promise<unknown>
  eval(script: string, keys: string[], args: string[]): Promise<unknown>
  /** A script by its SHA-1, when the client has it: the lookup then sends 40 bytes, not the script. */
  evalsha?(sha1: string, keys: string[], args: string[]): Promise<unknown>
}
