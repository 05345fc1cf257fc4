/**
 * A small sample data set for the embedded default, written on its first
 * start: organization `acme` with a few documents, topics, links and a
 * summary, so that every route has something to show.
 */
import type { DocumentsFactory } from '@serverless-dal/documents'

export const SAMPLE_ORG = 'acme'

/** Seeds `acme` unless it already has documents; returns how many it created. */
export async function seedSampleData(factory: DocumentsFactory): Promise<number> {
  const repos = factory.forTenant({ orgId: SAMPLE_ORG, role: 'admin' })
  try {
    if ((await repos.documents.count()) > 0) return 0
    return await repos.transaction(async (tx) => {
      const [serverless, postgres] = await tx.topics.createMany([{ name: 'serverless' }, { name: 'postgres' }])
      const docs = await tx.documents.createMany([
        { title: 'Connections on Workers', body: 'A Neon pool lives and dies with its request.', status: 'published' },
        { title: 'Caching with tag generations', body: 'One MGET per read, one EVAL per write.', status: 'published' },
        { title: 'Row-level security', body: 'A second wall behind the organization filter.', status: 'draft' },
        { title: 'Keyset pagination', body: 'Cursors signed over the query they belong to.', status: 'archived' },
      ])
      const [workers, caching, rls, keyset] = docs.map((doc) => doc.id) as [number, number, number, number]
      await tx.documents.setTopics(workers, [(serverless as { id: number }).id])
      await tx.documents.setTopics(caching, [(serverless as { id: number }).id, (postgres as { id: number }).id])
      await tx.documents.setTopics(rls, [(postgres as { id: number }).id])
      await tx.documents.link(workers, caching)
      await tx.documents.link(caching, rls)
      await tx.documents.link(rls, keyset)
      await tx.summaries.create({
        documentId: caching,
        text: 'Reads check generations; writes bump them after COMMIT.',
      })
      return docs.length
    })
  } finally {
    await repos.dispose()
  }
}
