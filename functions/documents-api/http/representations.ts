/** What the API sends for the package's rows: dates as ISO strings, topics always listed. */
import type { DocumentInclude, DocumentRow, RelatedDocument, Topic } from '@serverless-dal/documents'
import type { Page } from '@serverless-dal/repository'

/** Topics always come with a document; summaries when `include=` names them. */
export function includes(include: string | undefined): DocumentInclude[] {
  return include?.split(',').includes('summaries') ? ['topics', 'summaries'] : ['topics']
}

/** The repository options of a page request: what was given, nothing undefined. */
export function pageOptions(query: {
  limit?: number | undefined
  cursor?: string | undefined
  include?: string | undefined
}) {
  return {
    include: includes(query.include),
    ...(query.limit !== undefined && { limit: query.limit }),
    ...(query.cursor !== undefined && { cursor: query.cursor }),
  }
}

export function pageJson(page: Page<DocumentRow>) {
  return { items: page.items.map(documentJson), nextCursor: page.nextCursor }
}

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
