/** Row types for reading, inserting and updating, all derived from `DB`. */
import type { Insertable, Selectable, Updateable } from 'kysely'
import type { DB } from './schema.ts'

export type Row<T extends keyof DB> = Selectable<DB[T]>
export type NewRow<T extends keyof DB> = Insertable<DB[T]>
export type RowUpdate<T extends keyof DB> = Updateable<DB[T]>

export type Organization = Row<'organizations'>
export type NewOrganization = NewRow<'organizations'>

export type Document = Row<'documents'>
export type NewDocument = NewRow<'documents'>
export type DocumentUpdate = RowUpdate<'documents'>

export type Topic = Row<'topics'>
export type NewTopic = NewRow<'topics'>

export type DocumentTopic = Row<'documentTopics'>
export type DocumentLink = Row<'documentLinks'>

export type Summary = Row<'summaries'>
export type NewSummary = NewRow<'summaries'>
