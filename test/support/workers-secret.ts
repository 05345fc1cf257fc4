/** The Worker's JWT_SECRET in the Workers test project (a binding in vitest.config.ts); test/workers signs with it. */
export const WORKERS_TEST_JWT_SECRET = 'workers-test-jwt-secret-0123456789'
