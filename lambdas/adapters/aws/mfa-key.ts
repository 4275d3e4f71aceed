import { keyMaterial } from './key-material';

/** The key material MFA secrets are sealed with. */
export const mfaSealingKey = keyMaterial('MFA sealing key', {
  secretArn: 'MFA_KEY_SECRET_ARN',
  local: 'MFA_KEY',
});
