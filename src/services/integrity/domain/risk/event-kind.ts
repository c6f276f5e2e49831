/**
 * What the risk engine raises events for, in the order they are evaluated on a frame (the order of
 * integrity.v1.EventKind): when several are confirmed by one frame, each adds its weight in turn.
 */
export const EVENT_KINDS = [
  'looking_away',
  'face_missing',
  'multiple_faces',
  'head_turned',
  'phone_in_view',
  'book_in_view',
  'screen_in_view',
  'another_person',
] as const;

/** An integrity event's kind: integrity.v1.EventKind without its prefix, in lower case. */
export type IntegrityEventKind = (typeof EVENT_KINDS)[number];

/**
 * The kinds read from the object detector, which runs only on some analysed frames
 * (`Observation.objectsChecked`): their debounce counts object checks, not frames.
 */
export const OBJECT_EVENT_KINDS: readonly IntegrityEventKind[] = ['phone_in_view', 'book_in_view', 'screen_in_view', 'another_person'];

/** The kinds that name COCO labels in the policy (`RiskPolicy.objectLabels`); another_person counts COCO's `person`. */
export type LabelledObjectKind = 'phone_in_view' | 'book_in_view' | 'screen_in_view';
