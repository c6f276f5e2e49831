/**
 * Reference points of the question categories whose questions say little of the subject an answer
 * should have ("Tell me about yourself", "Tell me about a time…", "What questions do you have?"):
 * short statements of what answers of that kind talk about, written for this project (not taken
 * from a published source). An answer close to one of them is of the expected kind even when its
 * words are far from the question's (`relevance.ts`). Technical and design questions name their
 * subject, so they have none.
 */
import { normaliseCategory } from './vocabulary';

const INTRODUCTION = [
  'I am a software engineer with several years of experience building products and services.',
  'I started my career at a small company and later joined a larger engineering team.',
  'The work I enjoy most is designing systems and solving hard problems with my team.',
  'I have mostly worked on backend services, APIs, data pipelines and the infrastructure they run on.',
];

const BEHAVIORAL = [
  'At a previous job I was in a difficult situation; I explain what happened, what I did and what the result was.',
  'Our team had a serious problem in production, and I worked with colleagues to find the cause and fix it.',
  'I disagreed with a colleague about a technical approach; we discussed the trade-offs and agreed on a decision.',
  'The project did not go as planned, and looking back I learned what I would do differently next time.',
];

const CLOSING = [
  'I would like to know how the team works day to day and how decisions are made.',
  'Could you tell me more about the role, the team and the way you plan, build and ship software?',
  'How does the team work: planning, priorities, code review, releases, on-call and incidents?',
  'What does success look like in the first months, and how does the team grow its engineers?',
  'Thank you for your time; I would like to add one more thing about my background and why I want this role.',
];

const BY_CATEGORY: ReadonlyMap<string, readonly string[]> = new Map([
  ['introduction', INTRODUCTION],
  ['intro', INTRODUCTION],
  ...['behavioral', 'behavioural', 'situational', 'leadership', 'teamwork'].map((k) => [k, BEHAVIORAL] as const),
  ['closing', CLOSING],
]);

/** The reference points of `category` (any spelling `normaliseCategory` accepts); none for other categories. */
export function categoryReferences(category: string): readonly string[] {
  return BY_CATEGORY.get(normaliseCategory(category)) ?? [];
}
