import { CallOptions, ServiceError as GrpcClientError, status } from '@grpc/grpc-js';
import { carriesStatus } from '../../src/platform/errors/classify';
import { toStatus } from '../../src/platform/grpc/errors';
import { InterviewServiceClient } from '../../src/gen/interview';
import { callUnary, UnaryMethod } from '../../src/platform/grpc/unary-call';
import { bearer } from '../../src/platform/identity/authentication';
import { TEST_CHANNEL_OPTIONS, testCredentials } from './tls';

/**
 * Promise-returning calls on the interview service, with a 20 s deadline, each carrying
 * `authorization: Bearer <accessToken>` (signUp gives one).
 */
export function interviewClient(address: string, accessToken: string) {
  const client = new InterviewServiceClient(address, testCredentials(), TEST_CHANNEL_OPTIONS);
  const call =
    <Req, Res>(method: UnaryMethod<Req, Res>) =>
    (request: Req) =>
      callUnary(method, request, { deadline: new Date(Date.now() + 20_000), metadata: bearer(accessToken) });
  return {
    raw: client,
    /** The call's metadata (the bearer token), a new copy each time: for calls made on `raw`. */
    metadata: () => bearer(accessToken),
    /** StreamInterview with the token. */
    streamInterview: (options: Partial<CallOptions> = {}) => client.streamInterview(bearer(accessToken), options),
    startInterview: call(client.startInterview.bind(client)),
    getInterview: call(client.getInterview.bind(client)),
    submitAnswer: call(client.submitAnswer.bind(client)),
    sendFrame: call(client.sendFrame.bind(client)),
    completeInterview: call(client.completeInterview.bind(client)),
    getInterviewStatus: call(client.getInterviewStatus.bind(client)),
    getReport: call(client.getReport.bind(client)),
    close: () => {
      client.close();
    },
  };
}

/**
 * `CODE: details` of a failed call, or `OK`: a gRPC client's error as it came, a DomainError (from
 * a DownstreamClient) as the gRPC edge would report it.
 */
export async function statusOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'OK',
    (error: unknown) => {
      const { code, details } = carriesStatus(error) ? error : toStatus(error);
      return `${status[code]}: ${details}`;
    },
  );
}

/** The status code and details a gRPC call failed with; throws when it succeeded. */
export async function failure(result: Promise<unknown>): Promise<{ code: status; details: string }> {
  try {
    await result;
  } catch (error) {
    const { code, details } = error as GrpcClientError;
    return { code, details };
  }
  throw new Error('the call succeeded');
}
