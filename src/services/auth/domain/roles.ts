/** Who a user is to the mesh: the role its access tokens carry (src/platform/identity). */
export type { Role } from '../../../platform/identity/principal';
export { ROLES } from '../../../platform/identity/principal';
