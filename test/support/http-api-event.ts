/** An API Gateway HTTP API (payload 2.0) event, as Lambda hands it to `handler`. */
export function httpApiEvent(
  method: string,
  path: string,
  options: {
    query?: string
    headers?: Record<string, string>
    body?: string
    base64?: boolean
    requestId?: string
  } = {},
) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: options.query ?? '',
    ...(options.query && { queryStringParameters: Object.fromEntries(new URLSearchParams(options.query)) }),
    headers: { host: 'api.example.test', ...options.headers },
    ...(options.body !== undefined && { body: options.body }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.test',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: options.requestId ?? 'gateway-request',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: options.base64 ?? false,
  }
}
