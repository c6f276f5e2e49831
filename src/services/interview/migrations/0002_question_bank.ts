import { Kysely } from 'kysely';

/**
 * The seeded question bank: a software engineering interview's questions by category and
 * difficulty. Fixed ids so every database has the same bank.
 */
const QUESTIONS: readonly [id: string, category: string, difficulty: string, seconds: number, text: string][] = [
  ['6f0c7a52-0d0e-4c64-9a53-01c5a8a10001', 'introduction', 'easy', 90, 'Tell me about yourself and the kind of engineering work you enjoy most.'],
  [
    '6f0c7a52-0d0e-4c64-9a53-01c5a8a10002',
    'behavioral',
    'medium',
    120,
    'Tell me about a time you debugged a production incident. What happened and what did you change afterwards?',
  ],
  [
    '6f0c7a52-0d0e-4c64-9a53-01c5a8a10003',
    'behavioral',
    'medium',
    120,
    'Describe a disagreement with a colleague about a technical decision and how you resolved it.',
  ],
  ['6f0c7a52-0d0e-4c64-9a53-01c5a8a10004', 'behavioral', 'hard', 150, 'Tell me about a project that failed. What would you do differently?'],
  ['6f0c7a52-0d0e-4c64-9a53-01c5a8a10005', 'technical', 'easy', 90, 'How does a hash map handle collisions, and what does that mean for lookup time?'],
  [
    '6f0c7a52-0d0e-4c64-9a53-01c5a8a10006',
    'technical',
    'medium',
    120,
    'What is the difference between a process and a thread, and when would you choose one over the other?',
  ],
  ['6f0c7a52-0d0e-4c64-9a53-01c5a8a10007', 'technical', 'medium', 120, 'How would you find and fix a memory leak in a long-running Node.js service?'],
  ['6f0c7a52-0d0e-4c64-9a53-01c5a8a10008', 'technical', 'hard', 150, 'Explain how a database index speeds up queries and what it costs on writes.'],
  ['6f0c7a52-0d0e-4c64-9a53-01c5a8a10009', 'system_design', 'medium', 180, 'Design a URL shortener. How do you generate keys and scale reads?'],
  [
    '6f0c7a52-0d0e-4c64-9a53-01c5a8a10010',
    'system_design',
    'hard',
    240,
    'Design a system that delivers each message exactly once to its consumers despite crashes and retries.',
  ],
  ['6f0c7a52-0d0e-4c64-9a53-01c5a8a10011', 'system_design', 'hard', 240, 'How would you design rate limiting for a public API served by many instances?'],
  ['6f0c7a52-0d0e-4c64-9a53-01c5a8a10012', 'closing', 'easy', 60, 'What questions do you have about the team and how we work?'],
];

/** The `questions` table as this migration writes it (0001_initial's columns; `created_at` keeps its default). */
interface QuestionBankTables {
  questions: { id: string; category: string; difficulty: string; expected_duration: number; text: string };
}

export async function up(db: Kysely<QuestionBankTables>): Promise<void> {
  await db
    .insertInto('questions')
    .values(QUESTIONS.map(([id, category, difficulty, expected_duration, text]) => ({ id, category, difficulty, expected_duration, text })))
    .execute();
}

export async function down(db: Kysely<QuestionBankTables>): Promise<void> {
  await db
    .deleteFrom('questions')
    .where(
      'id',
      'in',
      QUESTIONS.map(([id]) => id),
    )
    .execute();
}
