/**
 * Names shared by the tenancy migrations (`tenancy-schema.ts`) and the
 * sessions that rely on them: every tenant table admits only rows of the
 * organization in the transaction-local setting `app.organization_id`, and
 * sessions switch to `dal_app`, a role that owns nothing, for each
 * transaction — superusers (PGlite's user, a local `postgres`) bypass RLS,
 * `dal_app` cannot.
 */
export const APP_ROLE = 'dal_app'
export const ORGANIZATION_SETTING = 'app.organization_id'
