import { defineService } from '../../platform/service/descriptor';
import { GATEWAY_DOWNSTREAMS, startGateway } from './server';
import { gatewaySettings } from './settings';

/**
 * The gateway (issue 14): the mesh's front door for browsers. REST (seed 003 section 4) and the
 * WebSocket protocol (section 5) over HTTPS on GATEWAY_HTTPS_PORT (8080), each request forwarded
 * with the caller's bearer token to the interview or auth service over gRPC; an OpenAPI 3.1
 * document at /openapi.json. It stores nothing: no tables, no events. Its gRPC port carries health
 * and reflection only.
 */
export const gatewayService = defineService({
  name: 'gateway',
  defaultPort: 50058,
  migrations: {},
  consumes: [],
  publishes: [],
  consulTags: ['api', 'http', 'gateway'],
  grpcServices: [],
  downstreams: GATEWAY_DOWNSTREAMS,
  settings: gatewaySettings,
  start: startGateway,
});
