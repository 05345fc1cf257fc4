/**
 * Upstash's script flag `allow-key-locking`, as Upstash takes it: a script
 * whose shebang sets it locks only its KEYS there, instead of the whole
 * database. Plain Redis refuses the flag ("Unexpected flag in script
 * shebang"), so the bridge, standing in for Upstash, takes it out of every
 * script before Redis sees it — and, since that changes the script's SHA-1,
 * answers `EVALSHA` of the script as sent by running the script as stored.
 * Without this, code written for Upstash would have to leave the flag out
 * (and lock the whole database there) to run against the bridge.
 */
import { createHash } from 'node:crypto'
import type { Command } from './rest-protocol.ts'

const UPSTASH_ONLY_FLAG = 'allow-key-locking'
const SHEBANG = /^#!lua flags=([^\n]*)\n/

export class ScriptFlags {
  /** SHA-1 of a script as sent → SHA-1 of the script Redis was given. */
  readonly #digests = new Map<string, string>()

  /** The command as Redis must get it. */
  forRedis(command: Command): Command {
    const name = command[0]?.toString('utf8').toLowerCase()
    if ((name === 'eval' || name === 'eval_ro') && command[1]) return this.#withScript(command, 1)
    if (name === 'script' && command[1]?.toString('utf8').toLowerCase() === 'load' && command[2]) {
      return this.#withScript(command, 2)
    }
    if ((name === 'evalsha' || name === 'evalsha_ro') && command[1]) {
      const stored = this.#digests.get(command[1].toString('utf8').toLowerCase())
      if (stored) return [command[0] as Buffer, Buffer.from(stored), ...command.slice(2)]
    }
    return command
  }

  #withScript(command: Command, at: number): Command {
    const script = (command[at] as Buffer).toString('utf8')
    const flags = SHEBANG.exec(script)?.[1]
      ?.split(',')
      .map((flag) => flag.trim())
    if (!flags?.includes(UPSTASH_ONLY_FLAG)) return command
    const kept = flags.filter((flag) => flag !== UPSTASH_ONLY_FLAG && flag !== '')
    const stored = script.replace(SHEBANG, kept.length > 0 ? `#!lua flags=${kept.join(',')}\n` : '#!lua\n')
    this.#digests.set(sha1(script), sha1(stored))
    return [...command.slice(0, at), Buffer.from(stored), ...command.slice(at + 1)]
  }
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex')
