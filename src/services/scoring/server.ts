import { ScoringServiceService } from '../../gen/scoring';
import { grpcService, NoDownstreams, ResourceSpec, ServiceContext, ServiceParts } from '../../platform/service/descriptor';
import { AnswerAnalyzer } from './answer-analyzer';
import { completedHandler, emotionAnalyzedHandler, SCORING_QUEUES } from './consumers';
import { scoringHandlers } from './handlers';
import { LlmJudge } from './judge/llm-judge';
import { SentenceEncoder } from './semantic/sentence-encoder';
import { ScoringSettings } from './settings';
import { ScoringStore, ScoringTables } from './store';

/**
 * The sentence-embedding model (all-MiniLM-L6-v2 on onnxruntime-node): loaded once the server is
 * up and NOT_SERVING, closed after it stopped. Until it is there, analyses answer UNAVAILABLE and
 * the consumers' messages are retried.
 */
export const TEXT_MODEL: ResourceSpec<ScoringSettings, SentenceEncoder> = {
  name: 'text-model',
  whileMissing: 'the answer-analysis model is still loading; retry shortly',
  create: (settings) => SentenceEncoder.load(settings.textModelDir, { memoEntries: settings.textMemoEntries }),
  close: (encoder) => encoder.release(),
};

/** The scoring service's wiring: scoring.ScoringService, and a consumer for each of its queues. */
export function startScoring(context: ServiceContext<ScoringSettings, NoDownstreams, SentenceEncoder>): ServiceParts {
  const store = new ScoringStore(context.db<ScoringTables>());
  const judge = context.settings.judge && new LlmJudge(context.settings.judge, { log: context.log, registry: context.metrics.registry });
  const analyzer = new AnswerAnalyzer(context.resource, judge);
  const consumerDeps = { store, analyzer, outbox: context.outbox<ScoringTables>(), log: context.log };
  return {
    grpc: [grpcService('scoring.ScoringService', ScoringServiceService, scoringHandlers(store, analyzer))],
    consumers: {
      [SCORING_QUEUES.emotionAnalyzed]: emotionAnalyzedHandler(consumerDeps),
      [SCORING_QUEUES.completed]: completedHandler(consumerDeps),
    },
    release: async () => {
      await judge?.close();
    },
  };
}
