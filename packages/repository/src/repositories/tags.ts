/**
 * Cache tags, built in one place per table so that the reads that depend on
 * a tag and the writes that bump it cannot spell it two ways:
 *
 * ```ts
 * export const projectTags = tagsOf(projectDefinition)
 * export const documentTags = tagsOf(documentDefinition, ['graph'])
 * // a read:  tags: ({ id }) => [projectTags.row(id), projectTags.all]
 * // a write: hooks.invalidate([projectTags.row(id), projectTags.list])
 * ```
 *
 * Tags are per organization: the cache scopes every tag to the tenant that
 * bumps it, so `projects:list` of one organization never touches another's.
 */

const RESERVED = new Set(['row', 'list', 'all'])
const FACET = /^[A-Za-z][\w-]{0,63}$/

declare const TAG: unique symbol

/**
 * A cache tag, `<table>:<facet>`. Only `tableTags` makes them: a string typed
 * by hand (`'tsks:list'`) does not compile where a tag is expected.
 */
export type Tag = string & { readonly [TAG]: true }

export interface TableTags {
  /** One row: reads of it depend on it; updates and deletes bump it. */
  row(id: number): Tag
  /** Lists of the table: every create, update and delete bumps it. */
  readonly list: Tag
  /** Everything of the table: for writes that change many of its rows at once. */
  readonly all: Tag
}

/** The tags of one table (by its repository's name), with `facets` of your own (`graph`, …). */
export function tableTags<Facet extends string = never>(
  name: string,
  facets: readonly Facet[] = [],
): TableTags & Readonly<Record<Facet, Tag>> {
  const tag = (facet: string | number) => `${name}:${facet}` as Tag // the one place tags are made
  const own: Partial<Record<Facet, Tag>> = {}
  for (const facet of facets) {
    if (RESERVED.has(facet) || !FACET.test(facet)) throw new TypeError(`"${facet}" cannot name a tag of ${name}`)
    own[facet] = tag(facet)
  }
  return { ...(own as Record<Facet, Tag>), row: tag, list: tag('list'), all: tag('*') }
}

/** The tags of a repository's table, by the name its definition gives it (the same as its `this.tags`). */
export function tagsOf<Facet extends string = never>(
  definition: { name?: string; table: string },
  facets: readonly Facet[] = [],
): TableTags & Readonly<Record<Facet, Tag>> {
  return tableTags(definition.name ?? definition.table, facets)
}
