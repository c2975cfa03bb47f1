import type { Rule } from '../rule.js';
import { bruteForce } from './brute-force.js';
import { bulkExport } from './bulk-export.js';
import { impossibleTravel } from './impossible-travel.js';
import { keyCreationBurst } from './key-creation-burst.js';
import { loginSpray } from './login-spray.js';
import { mfaRemovedNewIp } from './mfa-removed-new-ip.js';
import { offHoursAdmin } from './off-hours-admin.js';
import { privilegeEscalation } from './privilege-escalation.js';
import { streamFailing } from './stream-failing.js';
import { successAfterFailures } from './success-after-failures.js';

/** The default rule pack. A new rule is a file in this folder and a line here. */
export const DEFAULT_RULES: readonly Rule[] = [
  bruteForce,
  loginSpray,
  successAfterFailures,
  impossibleTravel,
  privilegeEscalation,
  mfaRemovedNewIp,
  offHoursAdmin,
  bulkExport,
  keyCreationBurst,
  streamFailing,
];
