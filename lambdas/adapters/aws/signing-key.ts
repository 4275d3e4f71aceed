import { keyMaterial } from './key-material';

/** The key sessions are signed with. */
export const sessionSigningKey = keyMaterial('session signing key', {
  secretArn: 'JWT_SECRET_ARN',
  local: 'JWT_SIGNING_KEY',
});
