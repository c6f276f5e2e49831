/** Who a user is to the mesh (auth.proto's Role). */
export type Role = 'candidate' | 'interviewer';

export const ROLES: readonly Role[] = ['candidate', 'interviewer'];
