/**
 * The metrics port as CloudWatch EMF written by hand: for every batch, the
 * same documents `PowertoolsMetricsSink` prints (`powertools-sink.ts`), without
 * Powertools. For runtimes where Powertools costs more than it gives: Workers
 * and plain Node (its bundle weighs about 15 KiB minified with its commons,
 * and each of its lines costs some 15 µs). Lambda keeps Powertools.
 *
 * Same documents means: each object of `emfObjects` (under Powertools' limits,
 * so they split alike) is one directive — the namespace, one dimension set
 * (`service` first, then the group's dimensions), its metrics' names and units
 * — and directives whose members do not clash share one document, in the same
 * order as Powertools' sink merges them; the `service` dimension, each metric's
 * value (one number, or an array of several) and the batch's metadata are
 * members at the top level. Like Powertools, a dimension with an empty name or
 * value is left out, a series without values is absent, a group's own
 * `service` dimension replaces the sink's, and a metric named like a dimension
 * of its own group wins over it. The timestamp is the batch's (Powertools'
 * sink takes the clock when it serializes, the same instant in practice).
 *
 * Each line is built as one string, straight from the batch: no document
 * object, no `JSON.stringify` of a whole; the grouping into documents is a few
 * numbers per object. Configured by its options only (no environment: Workers
 * have none); a disabled sink is no sink (`runtime-metrics.ts`).
 *
 * Not reproduced: Powertools lists integer-like metric names ("404") before
 * the others of a directive, as its store is a plain object; and metadata may
 * not replace `_aws` (it could in Powertools' sink).
 */
import { jsonNumber, quote } from './emf-json.ts'
import { EMF_LIMITS, type EmfLimits, type EmfObject, emfObjects, objectBytes } from './emf-limits.ts'
import type { MetricsBatch, MetricsSink } from './sink.ts'

/** Powertools' limits (`powertools-sink.ts`): one value fewer per metric, so both sinks split a batch alike. */
const LIMITS: EmfLimits = { ...EMF_LIMITS, valuesPerMetric: EMF_LIMITS.valuesPerMetric - 1 }
/** Powertools' defaults when neither its option nor its variable is set. */
const DEFAULT_NAMESPACE = 'default_namespace'
const DEFAULT_SERVICE = 'service_undefined'
const SERVICE = 'service'

export interface EmfSinkOptions {
  /** The metrics' namespace (Powertools' `namespace`). @default 'default_namespace' */
  namespace?: string
  /** The `service` dimension of every metric (Powertools' `serviceName`). @default 'service_undefined' */
  serviceName?: string
  /** Where each line goes. @default console.log, looked up at each line */
  write?: (line: string) => void
}

export class EmfMetricsSink implements MetricsSink {
  readonly #service: string
  /** `{"Namespace":"…","Dimensions":[["service"`: how every directive begins. */
  readonly #directiveHead: string
  readonly #write: (line: string) => void

  constructor(options: EmfSinkOptions = {}) {
    this.#service = options.serviceName || DEFAULT_SERVICE
    this.#directiveHead = `{"Namespace":${JSON.stringify(options.namespace || DEFAULT_NAMESPACE)},"Dimensions":[["service"`
    this.#write = options.write ?? consoleLog
  }

  publish(batch: MetricsBatch): void {
    const objects = emfObjects(batch, LIMITS)
    const count = objects.length
    // the document each object joins, and each document's budget: Powertools' sink merges the same way
    const into: number[] = new Array(count)
    const usedMetrics: number[] = []
    const usedBytes: number[] = []
    for (let i = 0; i < count; i++) {
      const object = objects[i] as EmfObject
      const metrics = object.metrics.length
      const bytes = objectBytes(object)
      let document = 0
      for (; document < usedMetrics.length; document++) {
        if (
          (usedMetrics[document] as number) + metrics <= LIMITS.metricsPerObject &&
          (usedBytes[document] as number) + bytes <= LIMITS.bytesPerObject &&
          this.#agrees(objects, into, i, document)
        )
          break
      }
      into[i] = document
      if (document === usedMetrics.length) {
        usedMetrics.push(metrics)
        usedBytes.push(bytes)
      } else {
        usedMetrics[document] = (usedMetrics[document] as number) + metrics
        usedBytes[document] = (usedBytes[document] as number) + bytes
      }
    }
    for (let document = 0; document < usedMetrics.length; document++) {
      this.#write(this.#line(batch, objects, into, document))
    }
  }

  /** One document: its directives, the metadata no member replaces, then the members of its objects. */
  #line(batch: MetricsBatch, objects: EmfObject[], into: number[], document: number): string {
    let line = `{"_aws":{"Timestamp":${batch.timestamp},"CloudWatchMetrics":[`
    let first = true
    for (let i = 0; i < objects.length; i++) {
      if (into[i] !== document) continue
      if (!first) line += ','
      first = false
      line += this.#directive(objects[i] as EmfObject)
    }
    line += ']}'
    const metadata = batch.metadata
    for (const key in metadata) {
      const value = metadata[key]
      if (value === undefined || key === '_aws' || this.#inDocument(objects, into, objects.length, document, key))
        continue
      line += `,${JSON.stringify(key)}:${JSON.stringify(value)}`
    }
    for (let i = 0; i < objects.length; i++) {
      if (into[i] !== document) continue
      const object = objects[i] as EmfObject
      const dimensions = object.dimensions
      // a dimension an earlier object of the document has too has the same value there (`#agrees`)
      if (!hasMetric(object, SERVICE) && !this.#inDocument(objects, into, i, document, SERVICE)) {
        line += `,"service":${quote(this.#dimension(object, SERVICE) as string)}`
      }
      for (const name in dimensions) {
        if (name === SERVICE || !validDimension(name, dimensions[name]) || hasMetric(object, name)) continue
        if (this.#inDocument(objects, into, i, document, name)) continue
        line += `,${quote(name)}:${quote(dimensions[name] as string)}`
      }
      for (const series of object.metrics) {
        const values = series.values
        if (values.length === 0) continue
        line += `,${quote(series.name)}:`
        if (values.length === 1) {
          line += jsonNumber(values[0] as number)
          continue
        }
        line += '['
        for (let v = 0; v < values.length; v++)
          line += v === 0 ? jsonNumber(values[v] as number) : `,${jsonNumber(values[v] as number)}`
        line += ']'
      }
    }
    return `${line}}`
  }

  /** `{"Namespace":…,"Dimensions":[["service",…]],"Metrics":[{"Name":…,"Unit":…},…]}` */
  #directive(object: EmfObject): string {
    let directive = this.#directiveHead
    const dimensions = object.dimensions
    for (const name in dimensions) {
      if (name !== SERVICE && validDimension(name, dimensions[name])) directive += `,${quote(name)}`
    }
    directive += ']],"Metrics":['
    let first = true
    for (const series of object.metrics) {
      if (series.values.length === 0) continue
      directive += `${first ? '' : ','}{"Name":${quote(series.name)},"Unit":${quote(series.unit)}}`
      first = false
    }
    return `${directive}]}`
  }

  /**
   * Whether object `next` may join `document` (Powertools' sink's `membersAgree`): each of its members
   * that the document has too is a dimension there, with the same value, and a dimension in `next`.
   */
  #agrees(objects: EmfObject[], into: number[], next: number, document: number): boolean {
    const object = objects[next] as EmfObject
    for (const series of object.metrics) {
      if (series.values.length > 0 && this.#memberIn(objects, into, next, document, series.name) !== undefined)
        return false
    }
    if (!this.#agreesOn(objects, into, next, document, SERVICE)) return false
    const dimensions = object.dimensions
    for (const name in dimensions) {
      if (name === SERVICE || !validDimension(name, dimensions[name])) continue
      if (!this.#agreesOn(objects, into, next, document, name)) return false
    }
    return true
  }

  #agreesOn(objects: EmfObject[], into: number[], next: number, document: number, name: string): boolean {
    const theirs = this.#memberIn(objects, into, next, document, name)
    if (theirs === undefined) return true
    return theirs !== METRIC && theirs === this.#member(objects[next] as EmfObject, name)
  }

  /** The member `name` of the document as built from its objects before `end`: a dimension's value, METRIC, or none. */
  #memberIn(
    objects: EmfObject[],
    into: number[],
    end: number,
    document: number,
    name: string,
  ): string | typeof METRIC | undefined {
    for (let i = 0; i < end; i++) {
      if (into[i] !== document) continue
      const member = this.#member(objects[i] as EmfObject, name)
      if (member !== undefined) return member
    }
    return undefined
  }

  /** Whether an object of the document before `end` already has the member `name` (dimension or metric). */
  #inDocument(objects: EmfObject[], into: number[], end: number, document: number, name: string): boolean {
    return this.#memberIn(objects, into, end, document, name) !== undefined
  }

  /** An object's member `name`: its metric (which wins over a dimension, as in Powertools), its dimension, or none. */
  #member(object: EmfObject, name: string): string | typeof METRIC | undefined {
    return hasMetric(object, name) ? METRIC : this.#dimension(object, name)
  }

  /** The value of an object's dimension, `service` included; undefined if it has none by that name. */
  #dimension(object: EmfObject, name: string): string | undefined {
    const value = Object.hasOwn(object.dimensions, name) ? object.dimensions[name] : undefined
    if (name === SERVICE) return validDimension(name, value) ? value : this.#service
    return validDimension(name, value) ? value : undefined
  }
}

const METRIC = Symbol('metric')

/** console.log as of each line, so a replaced console (a test's spy, a log shipper) gets it. */
function consoleLog(line: string): void {
  console.log(line)
}

/** Powertools leaves out a dimension whose name or value is empty or blank. */
function validDimension(name: string, value: string | undefined): value is string {
  return typeof value === 'string' && name.trim().length > 0 && value.trim().length > 0
}

/** Whether the object has values for a metric of this name (a series without values is absent, as in Powertools). */
function hasMetric(object: EmfObject, name: string): boolean {
  for (const series of object.metrics) if (series.name === name && series.values.length > 0) return true
  return false
}
