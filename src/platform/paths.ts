import path from 'node:path';

/** The repository root: proto/, models/ and .data/ are found from here. */
export const REPO_ROOT = path.resolve(__dirname, '../..');
