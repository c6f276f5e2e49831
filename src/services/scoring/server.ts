import { IntegrityServiceClient } from '../../gen/integrity';
import { ScoringServiceService } from '../../gen/scoring';
import { DownstreamSpec, grpcService, ResourceSpec, ServiceContext, ServiceParts } from '../../platform/service/descriptor';
import { AnswerAnalyzer } from './answer-analyzer';
import { completedHandler, emotionAnalyzedHandler, SCORING_QUEUES } from './consumers';
import { scoringHandlers } from './handlers';
import { LlmJudge } from './judge/llm-judge';
import { PdfMaker } from './report/pdf/pdf-maker';
import { integrityReader } from './report/integrity-section';
import { ReportDocuments } from './report/report-documents';
import type { SentenceEmbedder } from './domain/semantic';
import { EncoderPool } from './semantic/encoder-pool';
import { RememberingEmbedder } from './semantic/remembering-embedder';
import { ScoringSettings } from './settings';
import { ScoringStore, ScoringTables } from './store';

/** The sentence-embedding model as the service uses it: on worker threads, short texts remembered. */
export interface TextModel extends SentenceEmbedder {
  close(): Promise<void>;
}

/**
 * The sentence-embedding model (all-MiniLM-L6-v2 on onnxruntime-node, EncoderPool): loaded once the
 * server is up and NOT_SERVING, closed after it stopped. Until it is there, analyses answer
 * UNAVAILABLE and the consumers' messages are retried.
 */
export const TEXT_MODEL: ResourceSpec<ScoringSettings, TextModel> = {
  name: 'text-model',
  whileMissing: 'the answer-analysis model is still loading; retry shortly',
  create: async (settings) => {
    const pool = await EncoderPool.start(settings.textModelDir, settings.textThreads);
    const embedder = settings.textMemoEntries > 0 ? new RememberingEmbedder(pool, settings.textMemoEntries) : pool;
    return { encode: (texts) => embedder.encode(texts), close: () => pool.close() };
  },
  close: (model) => model.close(),
};

/**
 * GetAssessment's budget, milliseconds (INTEGRITY_DEADLINE_MS overrides it): a stored assessment is
 * one row read, answered in milliseconds; 2 s leaves most of the interview service's 5 s for
 * GenerateReport to the PDF, and past it the report says its integrity section is unavailable.
 */
export const INTEGRITY_DEADLINE_MS = 2000;

/** What the scoring service calls: the integrity service, for the assessment its reports show. */
export const SCORING_DOWNSTREAMS = {
  integrity: {
    service: 'integrity',
    grpcService: 'integrity.v1.IntegrityService',
    client: IntegrityServiceClient,
    deadlineMs: INTEGRITY_DEADLINE_MS,
    idempotentMethods: ['GetAssessment'],
  } satisfies DownstreamSpec<IntegrityServiceClient>,
};

/**
 * The scoring service's wiring: scoring.ScoringService, and a consumer for each of its queues;
 * GenerateReport reads each report's integrity section from the integrity service.
 */
export function startScoring(context: ServiceContext<ScoringSettings, typeof SCORING_DOWNSTREAMS, TextModel>): ServiceParts {
  const { integrity } = context.downstreams;
  const store = new ScoringStore(context.db<ScoringTables>());
  const judge =
    context.settings.judge && new LlmJudge(context.settings.judge, { log: context.log, registry: context.metrics.registry, breakerMetrics: context.metrics });
  const analyzer = new AnswerAnalyzer(context.resource, judge);
  const consumerDeps = { store, analyzer, outbox: context.outbox<ScoringTables>(), log: context.log };
  // Report PDFs on a worker thread of their own, started with the first one asked for.
  const pdfs = new PdfMaker(context.settings.pdfThreads);
  const handlers = scoringHandlers(store, analyzer, new ReportDocuments(store, pdfs), integrityReader(integrity, context.log));
  return {
    grpc: [grpcService('scoring.ScoringService', ScoringServiceService, handlers)],
    consumers: {
      [SCORING_QUEUES.emotionAnalyzed]: emotionAnalyzedHandler(consumerDeps),
      [SCORING_QUEUES.completed]: completedHandler(consumerDeps),
    },
    release: async () => {
      await judge?.close();
      await pdfs.close();
    },
  };
}
