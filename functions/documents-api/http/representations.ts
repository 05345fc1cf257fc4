/** What the API sends for the package's rows: dates as ISO strings, topics always listed. */
import type { DocumentRow, RelatedDocument, Topic } from '@serverless-dal/repository'

export function documentJson(row: DocumentRow) {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    status: row.status,
    version: row.version,
    topicIds: row.topicIds ?? [],
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    ...(row.summaries && {
      summaries: row.summaries.map((s) => ({ id: s.id, text: s.text, createdAt: iso(s.createdAt) })),
    }),
  }
}

export function relatedJson({ document: d, depth }: RelatedDocument) {
  const document = {
    id: d.id,
    title: d.title,
    body: d.body,
    status: d.status,
    version: d.version,
    topicIds: d.topicIds,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
  }
  return { document, depth }
}

export function topicJson(topic: Topic) {
  return { id: topic.id, name: topic.name, createdAt: iso(topic.createdAt) }
}

const iso = (value: Date | string) => new Date(value).toISOString()
