import { S } from './schemas';

/** Where the gateway serves its OpenAPI document. */
export const OPENAPI_PATH = '/openapi.json';

const ref = (name: keyof typeof S) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: keyof typeof S) => ({ content: { 'application/json': { schema: ref(name) } } });
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), { description: ERROR_TEXT[c] ?? 'error', ...json('Error') }]));
const ERROR_TEXT: Record<number, string> = {
  400: 'INVALID_ARGUMENT or FAILED_PRECONDITION',
  401: 'UNAUTHENTICATED: no, or no valid, bearer token',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND (another candidate’s interview reads as an unknown one)',
  409: 'ALREADY_EXISTS or ABORTED',
  413: 'body larger than the route allows',
  429: 'RESOURCE_EXHAUSTED: a limit; Retry-After and google.rpc.RetryInfo say when to retry',
  503: 'UNAVAILABLE: a service behind the gateway; retry shortly',
  504: 'DEADLINE_EXCEEDED',
};
const COMMON = [400, 401, 404, 429, 503, 504];
const id = [{ name: 'id', in: 'path', required: true, schema: S.InterviewId.properties.id }];
const bearer = [{ bearer: [] }];

/**
 * The gateway's OpenAPI 3.1 document: seed 003 section 4's interview endpoints, the auth endpoints
 * and the report, with the request schemas Fastify validates (schemas.ts), the google.rpc.Status
 * error body and the WebSocket endpoint described in prose (OpenAPI has no WebSocket operations).
 */
export function openApiDocument(serverUrl?: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Interview mesh gateway',
      version: '1.0.0',
      description:
        'REST and WebSocket front door of the interview mesh (seed 003 sections 4 and 5). Errors are google.rpc.Status in JSON with the HTTP status from the gRPC code (google.api mapping). WebSocket: GET /ws/interviews/{id}, first message {"type":"auth","data":{"token":"<access token>"}} within the auth deadline; then seed 003 section 5 messages (emotion_update: components.schemas.EmotionUpdateMessage).',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: S,
    },
    paths: {
      '/api/v1/auth/register': {
        post: {
          operationId: 'register',
          summary: 'Create an account',
          requestBody: { required: true, ...json('RegisterRequest') },
          responses: { '201': { description: 'created', ...json('RegisterResponse') }, ...errors(400, 403, 409, 429, 503) },
        },
      },
      '/api/v1/auth/login': {
        post: {
          operationId: 'login',
          summary: 'Log in: an access and a refresh token',
          requestBody: { required: true, ...json('LoginRequest') },
          responses: { '200': { description: 'tokens', ...json('TokenPair') }, ...errors(400, 401, 429, 503) },
        },
      },
      '/api/v1/auth/refresh': {
        post: {
          operationId: 'refresh',
          summary: 'A new token pair for a refresh token',
          requestBody: { required: true, ...json('RefreshRequest') },
          responses: { '200': { description: 'tokens', ...json('TokenPair') }, ...errors(400, 401, 429, 503) },
        },
      },
      '/api/v1/auth/logout': {
        post: {
          operationId: 'logout',
          summary: 'Revoke a refresh token',
          requestBody: { required: true, ...json('RefreshRequest') },
          responses: { '204': { description: 'revoked' }, ...errors(400, 401, 429, 503) },
        },
      },
      '/api/v1/interviews': {
        get: {
          operationId: 'listInterviews',
          security: bearer,
          parameters: [
            { name: 'page_size', in: 'query', required: false, schema: S.ListInterviewsQuery.properties.page_size },
            { name: 'page_token', in: 'query', required: false, schema: S.ListInterviewsQuery.properties.page_token },
          ],
          responses: { '200': { description: 'a page of interviews, newest first', ...json('InterviewList') }, ...errors(...COMMON) },
        },
      },
      '/api/v1/interviews/start': {
        post: {
          operationId: 'startInterview',
          security: bearer,
          requestBody: { required: false, ...json('StartInterviewRequest') },
          responses: { '201': { description: 'started', ...json('Interview') }, ...errors(...COMMON, 403) },
        },
      },
      '/api/v1/interviews/{id}': {
        get: {
          operationId: 'getInterview',
          security: bearer,
          parameters: id,
          responses: { '200': { description: 'the interview', ...json('Interview') }, ...errors(...COMMON) },
        },
      },
      '/api/v1/interviews/{id}/frames': {
        post: {
          operationId: 'sendFrame',
          security: bearer,
          parameters: id,
          requestBody: { required: true, ...json('FrameRequest') },
          responses: { '200': { description: 'received (analysed now, or queued)', ...json('FrameResponse') }, ...errors(...COMMON, 403, 413) },
        },
      },
      '/api/v1/interviews/{id}/answers': {
        post: {
          operationId: 'submitAnswer',
          security: bearer,
          parameters: id,
          requestBody: { required: true, ...json('AnswerRequest') },
          responses: { '200': { description: 'recorded; the next question', ...json('AnswerResponse') }, ...errors(...COMMON, 403, 413) },
        },
      },
      '/api/v1/interviews/{id}/complete': {
        post: {
          operationId: 'completeInterview',
          security: bearer,
          parameters: id,
          responses: { '200': { description: 'completed', ...json('Interview') }, ...errors(...COMMON, 403) },
        },
      },
      '/api/v1/interviews/{id}/status': {
        get: {
          operationId: 'getInterviewStatus',
          security: bearer,
          parameters: id,
          responses: { '200': { description: 'progress', ...json('InterviewStatus') }, ...errors(...COMMON) },
        },
      },
      '/api/v1/interviews/{id}/report': {
        get: {
          operationId: 'getReport',
          security: bearer,
          parameters: [
            ...id,
            { name: 'format', in: 'query', required: false, schema: S.ReportQuery.properties.format },
            { name: 'include_emotions', in: 'query', required: false, schema: S.ReportQuery.properties.include_emotions },
          ],
          responses: {
            '200': {
              description:
                'the report once scored: JSON (interview.v1.Report; its report in proto3 JSON with the proto field names, snake_case, defaults left out), or the PDF',
              content: {
                'application/json': { schema: { type: 'object' } },
                'application/pdf': { schema: { type: 'string', contentMediaType: 'application/pdf' } },
              },
            },
            ...errors(...COMMON),
          },
        },
      },
      '/healthz': { get: { operationId: 'health', responses: { '200': { description: 'serving' }, '503': { description: 'stopping' } } } },
    },
  };
}
