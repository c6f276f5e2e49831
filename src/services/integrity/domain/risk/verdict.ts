import { RiskPolicy } from './policy';

/** integrity.v1.Verdict without its prefix, in lower case, least severe first. */
export type IntegrityVerdict = 'clear' | 'review' | 'flagged';

const SEVERITY: Record<IntegrityVerdict, number> = { clear: 0, review: 1, flagged: 2 };

/** The verdict for a risk (0..1): clear below the review threshold, flagged at or above the flag threshold, review between. */
export function verdictOf(risk: number, policy: Pick<RiskPolicy, 'reviewThreshold' | 'flagThreshold'>): IntegrityVerdict {
  if (risk >= policy.flagThreshold) return 'flagged';
  if (risk >= policy.reviewThreshold) return 'review';
  return 'clear';
}

/** The more severe of two verdicts: a session's verdict only rises. */
export function moreSevere(a: IntegrityVerdict, b: IntegrityVerdict): IntegrityVerdict {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}
