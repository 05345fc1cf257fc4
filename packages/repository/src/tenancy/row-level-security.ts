/**
 * Names shared by the row-level-security migration and the sessions that rely on it.
 *
 * Every tenant table has a policy admitting only rows of the organization in
 * the transaction-local setting `app.organization_id`, and FORCE ROW LEVEL
 * SECURITY so it binds the tables' owner too. Sessions switch to `dal_app`, a
 * role that owns nothing, for each transaction: superusers (PGlite's user, a
 * local `postgres`) bypass RLS, `dal_app` cannot.
 */
export const APP_ROLE = 'dal_app'
export const ORGANIZATION_SETTING = 'app.organization_id'

/** Tables whose rows belong to one organization, with the column that says which. */
export const TENANT_TABLES = {
  organizations: 'id',
  documents: 'organization_id',
  topics: 'organization_id',
  document_topics: 'organization_id',
  document_links: 'organization_id',
  summaries: 'organization_id',
} as const
