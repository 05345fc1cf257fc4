/**
 * Text that is not valid Unicode: a UTF-16 surrogate without its pair
 * (`"\ud800"` in JSON). Stored, it would silently become U+FFFD; a request
 * that sends one gets a 400 instead.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Whether any string in a parsed JSON value holds a lone surrogate (keys included). */
export function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value)
  if (Array.isArray(value)) return value.some(hasLoneSurrogate)
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([key, inner]) => LONE_SURROGATE.test(key) || hasLoneSurrogate(inner))
  }
  return false
}
