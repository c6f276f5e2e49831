import { ClientDuplexStream } from '@grpc/grpc-js';
import { StreamInterviewRequest, StreamInterviewResponse } from '../gen/interview';

/**
 * A client-side view of StreamInterview: write events and await the responses they cause, in order.
 */
export class InterviewStreamClient {
  private readonly buffered: StreamInterviewResponse[] = [];
  private waiting: ((response: StreamInterviewResponse | Error) => void) | undefined;
  private failure: Error | undefined;

  constructor(private readonly call: ClientDuplexStream<StreamInterviewRequest, StreamInterviewResponse>) {
    call.on('data', (response: StreamInterviewResponse) => {
      this.deliver(response);
    });
    call.on('error', (error: Error) => {
      this.failure = error;
      this.deliver(error);
    });
  }

  send(request: Partial<StreamInterviewRequest>): void {
    this.call.write(StreamInterviewRequest.fromPartial(request));
  }

  /** The next response, or rejects when the stream failed. */
  next(): Promise<StreamInterviewResponse> {
    const response = this.buffered.shift();
    if (response) return Promise.resolve(response);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = (r) => {
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
    });
  }

  /** Responses until one satisfies `done` (included). */
  async until(done: (response: StreamInterviewResponse) => boolean): Promise<StreamInterviewResponse[]> {
    const responses: StreamInterviewResponse[] = [];
    for (;;) {
      const response = await this.next();
      responses.push(response);
      if (done(response)) return responses;
    }
  }

  end(): void {
    this.call.end();
  }

  private deliver(item: StreamInterviewResponse | Error): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting(item);
    } else if (!(item instanceof Error)) {
      this.buffered.push(item);
    }
  }
}
