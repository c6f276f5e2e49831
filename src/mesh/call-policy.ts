import { CallPolicy } from '../platform/tls/call-policy';

/**
 * Which workload may call which RPC of the mesh, in one table (deny by default): each caller is
 * known by the SPIFFE ID of its client certificate (spiffe://interview-mesh/service/<name>, or
 * .../operator/<name> for people and tools operating the mesh: grpcurl, the interop clients, the
 * benchmark). Health and reflection are open to every TLS client of the mesh's CA.
 */
export const CALL_POLICY: CallPolicy = {
  // The public API: people, whose access tokens say who they are (the identity issue).
  'interview.v1.InterviewService': { '*': 'anyone' },
  'auth.v1.AuthService': { '*': 'anyone' },
  // Candidates' faces: the interview service sends frames; operators may analyse for diagnosis.
  'emotion.EmotionService': {
    AnalyzeFrame: ['service:interview', 'operator'],
    AnalyzeStream: ['service:interview', 'operator'],
    AnalyzeBatch: ['operator'],
    DetectFace: ['operator'],
    DetectBlink: ['operator'],
  },
  // Reports hold every answer of a session: only the interview service, which checks ownership, asks for them.
  'scoring.ScoringService': {
    GenerateReport: ['service:interview'],
    CalculateScore: ['operator'],
    AnalyzeAnswer: ['operator'],
  },
  // Integrity findings of a candidate's frames: scoring reads a session's assessment for its report;
  // operators may analyse a frame or read an assessment for diagnosis. Sessions are fed by the bus alone.
  'integrity.v1.IntegrityService': {
    AnalyzeFrame: ['operator'],
    GetAssessment: ['service:scoring', 'operator'],
  },
};
