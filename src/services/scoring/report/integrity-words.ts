/** The integrity section's values in the words a reader of the report sees (the PDF). */
import { IntegrityEventKind, IntegrityStatus, IntegrityVerdict } from '../../../gen/report';

export const VERDICT_WORDS: Readonly<Record<IntegrityVerdict, string>> = {
  [IntegrityVerdict.INTEGRITY_VERDICT_UNSPECIFIED]: 'not given',
  [IntegrityVerdict.INTEGRITY_VERDICT_CLEAR]: 'clear',
  [IntegrityVerdict.INTEGRITY_VERDICT_REVIEW]: 'review',
  [IntegrityVerdict.INTEGRITY_VERDICT_FLAGGED]: 'flagged',
  [IntegrityVerdict.UNRECOGNIZED]: 'not given',
};

export const EVENT_WORDS: Readonly<Record<IntegrityEventKind, string>> = {
  [IntegrityEventKind.INTEGRITY_EVENT_KIND_UNSPECIFIED]: 'unspecified',
  [IntegrityEventKind.INTEGRITY_EVENT_KIND_LOOKING_AWAY]: 'looking away',
  [IntegrityEventKind.INTEGRITY_EVENT_KIND_FACE_MISSING]: 'no face in view',
  [IntegrityEventKind.INTEGRITY_EVENT_KIND_MULTIPLE_FACES]: 'several faces',
  [IntegrityEventKind.INTEGRITY_EVENT_KIND_HEAD_TURNED]: 'head turned',
  [IntegrityEventKind.INTEGRITY_EVENT_KIND_PHONE_IN_VIEW]: 'phone in view',
  [IntegrityEventKind.INTEGRITY_EVENT_KIND_BOOK_IN_VIEW]: 'book in view',
  [IntegrityEventKind.INTEGRITY_EVENT_KIND_SCREEN_IN_VIEW]: 'another screen in view',
  [IntegrityEventKind.INTEGRITY_EVENT_KIND_ANOTHER_PERSON]: 'another person',
  [IntegrityEventKind.UNRECOGNIZED]: 'unspecified',
};

/** Why a section holds no assessment, a sentence; undefined for an assessed one. */
export function missingAssessment(status: IntegrityStatus): string | undefined {
  switch (status) {
    case IntegrityStatus.INTEGRITY_STATUS_ASSESSED:
      return undefined;
    case IntegrityStatus.INTEGRITY_STATUS_NOT_ASSESSED:
      return (
        'Not assessed: the integrity service analysed no frame of this interview (no video was sent, integrity ' +
        'sampling is off, or its queue had not reached the frames yet). Nothing is said about its integrity.'
      );
    case IntegrityStatus.INTEGRITY_STATUS_UNAVAILABLE:
      return (
        'Unavailable: the integrity service did not answer when this report was made, so nothing is said about ' +
        "the interview's integrity. Asking for the report again later may give its assessment."
      );
    default:
      return 'Not recorded: this report was made before integrity was assessed.';
  }
}

/** Milliseconds after `origin` as m:ss (h:mm:ss past an hour), or the UTC time without an origin. */
export function elapsed(ms: number, origin: number | undefined): string {
  if (origin === undefined) return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
  const total = Math.max(0, Math.round((ms - origin) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
