import { ScoreRequest } from '../../../src/gen/scoring';
import { provided } from '../../../src/platform/service/provisioned';
import { AnswerAnalyzer } from '../../../src/services/scoring/answer-analyzer';
import { status } from '@grpc/grpc-js';
import { BOUNDS } from '../../../src/platform/contracts/bounds';
import { LimitExceededError } from '../../../src/platform/errors/domain-errors';
import { toStatus } from '../../../src/platform/grpc/errors';
import { scoringHandlers } from '../../../src/services/scoring/handlers';
import { ReportDocuments } from '../../../src/services/scoring/report/report-documents';
import type { ScoringStore } from '../../../src/services/scoring/store';
import { testCallContext } from '../../support/call-context';
import { testEncoder } from '../../support/text-model';
import { HASH_MAP_GOOD, HASH_MAP_QUESTION, INCIDENT_GOOD, INCIDENT_QUESTION } from './transcripts';

/** CalculateScore reads no stored state: a store it must never touch. */
const NO_STORE = new Proxy(Object.create(null) as ScoringStore, {
  get: () => {
    throw new Error('CalculateScore touched the store');
  },
});
const CONTEXT = testCallContext('/scoring.ScoringService/CalculateScore');
/** CalculateScore makes no document either. */
const NO_DOCUMENTS = new ReportDocuments(NO_STORE, { make: () => Promise.reject(new Error('CalculateScore made a PDF')) });
/** Nor does it read an integrity assessment. */
const NO_INTEGRITY = () => Promise.reject(new Error('CalculateScore read an integrity assessment'));

async function handlers() {
  return scoringHandlers(NO_STORE, new AnswerAnalyzer(provided(await testEncoder()), undefined), NO_DOCUMENTS, NO_INTEGRITY);
}

const answer = (question: string, transcript: string, category: string) => ({ questionId: 'q', question, transcript, category, duration: 40 });

describe('CalculateScore', () => {
  it('analyses every answer, side by side, into the score card', async () => {
    const request = ScoreRequest.fromPartial({
      sessionId: 's',
      answers: [answer(HASH_MAP_QUESTION, HASH_MAP_GOOD, 'technical'), answer(INCIDENT_QUESTION, INCIDENT_GOOD, 'behavioral')],
    });
    const response = await (await handlers()).calculateScore(request, CONTEXT);
    const single = await (await handlers()).calculateScore(ScoreRequest.fromPartial({ sessionId: 's', answers: [request.answers[0]] }), CONTEXT);
    expect(response.sessionId).toBe('s');
    expect(response.technicalScore).toBeGreaterThan(0);
    expect(single.technicalScore).not.toBe(response.technicalScore);
  });

  it(`refuses more than BOUNDS.scoredAnswers answers with RESOURCE_EXHAUSTED before analysing any`, async () => {
    const neverAsked = scoringHandlers(
      NO_STORE,
      new AnswerAnalyzer(
        provided({
          encode: () => Promise.reject(new Error('the model was asked')),
        }),
        undefined,
      ),
      NO_DOCUMENTS,
      NO_INTEGRITY,
    );
    const answers = Array.from({ length: BOUNDS.scoredAnswers + 1 }, () => answer(HASH_MAP_QUESTION, HASH_MAP_GOOD, 'technical'));
    const refused = neverAsked.calculateScore(ScoreRequest.fromPartial({ sessionId: 's', answers }), CONTEXT);
    await expect(refused).rejects.toBeInstanceOf(LimitExceededError);
    await expect(refused).rejects.toThrow(`the request has ${BOUNDS.scoredAnswers + 1} answers; the limit is ${BOUNDS.scoredAnswers} answers`);
    expect(toStatus(await refused.catch((error: unknown) => error)).code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it('names the answer whose input the analysis refuses', async () => {
    const request = ScoreRequest.fromPartial({
      sessionId: 's',
      answers: [answer(HASH_MAP_QUESTION, HASH_MAP_GOOD, 'technical'), answer('  ', 'x', 'technical')],
    });
    await expect((await handlers()).calculateScore(request, CONTEXT)).rejects.toMatchObject({ field: 'answers[1].question' });
  });
});
