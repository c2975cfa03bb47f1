import { ACTION_NAMES, ACTIONS, actionDefinition, checkTargets, InvalidEventError, isAction, isReservedAction, type Action } from '@trailmark/domain';

// Facts from the released OCSF schema 1.8.0 (ocsf/ocsf-schema, events/iam and events/application):
// class_uid → class caption and the captions of its activity ids (99 "Other" is common to all classes).
const OCSF_1_8_0: Record<number, { name: string; activities: Record<number, string> }> = {
  3001: {
    name: 'Account Change',
    activities: {
      1: 'Create', 2: 'Enable', 3: 'Password Change', 4: 'Password Reset', 5: 'Disable', 6: 'Delete',
      7: 'Attach Policy', 8: 'Detach Policy', 9: 'Lock', 10: 'MFA Factor Enable', 11: 'MFA Factor Disable', 12: 'Unlock',
    },
  },
  3002: {
    name: 'Authentication',
    activities: {
      1: 'Logon', 2: 'Logoff', 3: 'Authentication Ticket', 4: 'Service Ticket Request', 5: 'Service Ticket Renew',
      6: 'Preauth', 7: 'Account Switch',
    },
  },
  3003: { name: 'Authorize Session', activities: { 1: 'Assign Privileges', 2: 'Assign Groups' } },
  3004: {
    name: 'Entity Management',
    activities: {
      1: 'Create', 2: 'Read', 3: 'Update', 4: 'Delete', 5: 'Move', 6: 'Enroll', 7: 'Unenroll', 8: 'Enable', 9: 'Disable',
      10: 'Activate', 11: 'Deactivate', 12: 'Suspend', 13: 'Resume',
    },
  },
  3005: { name: 'User Access Management', activities: { 1: 'Assign Privileges', 2: 'Revoke Privileges' } },
  3006: {
    name: 'Group Management',
    activities: {
      1: 'Assign Privileges', 2: 'Revoke Privileges', 3: 'Add User', 4: 'Remove User', 5: 'Delete', 6: 'Create',
      7: 'Add Subgroup', 8: 'Remove Subgroup',
    },
  },
  6001: {
    name: 'Web Resources Activity',
    activities: { 1: 'Create', 2: 'Read', 3: 'Update', 4: 'Delete', 5: 'Search', 6: 'Import', 7: 'Export', 8: 'Share' },
  },
  6003: { name: 'API Activity', activities: { 1: 'Create', 2: 'Read', 3: 'Update', 4: 'Delete' } },
  6005: {
    name: 'Datastore Activity',
    activities: {
      1: 'Read', 2: 'Update', 3: 'Connect', 4: 'Query', 5: 'Write', 6: 'Create', 7: 'Delete', 8: 'List', 9: 'Encrypt', 10: 'Decrypt',
    },
  },
};

// DESIGN.md "Event model": the actions the vocabulary must have at least.
const DESIGN_ACTIONS = {
  authentication: [
    'user.login', 'user.logout', 'user.password.changed', 'user.password.reset', 'user.mfa.enrolled',
    'user.mfa.verified', 'user.mfa.disabled', 'session.started', 'session.ended', 'api_key.used',
  ],
  authorization: [
    'role.granted', 'role.revoked', 'permission.changed', 'permission.denied', 'api_key.created',
    'api_key.deleted', 'oauth.token.granted', 'oauth.token.revoked',
  ],
  administration: [
    'user.created', 'user.updated', 'user.deactivated', 'user.deleted', 'org.settings.changed',
    'sso.config.changed', 'security.policy.changed',
  ],
  data_access: ['data.exported', 'data.imported', 'data.sensitive.read', 'audit_log.read', 'audit_log.exported'],
  ai_use: ['ai.prompt.submitted', 'ai.response.returned', 'ai.documents.retrieved'],
  alert: ['alert.raised', 'alert.acknowledged', 'alert.closed', 'alert.rules.changed'],
} as const;

// Reserved actions the service records about itself (issue 17: log streams).
const STREAM_ACTIONS = ['stream.created', 'stream.changed', 'stream.paused', 'stream.resumed', 'stream.replayed', 'stream.tested', 'stream.deleted', 'stream.failing'];

// Reserved action of the console's viewer tokens (issue 19).
const CONSOLE_ACTIONS = ['audit_log.viewer_token.issued'];

describe('action vocabulary', () => {
  test('has every action of DESIGN.md, in its category', () => {
    for (const [category, actions] of Object.entries(DESIGN_ACTIONS)) {
      for (const action of actions) {
        expect(actionDefinition(action)?.category).toBe(category);
      }
    }
    for (const action of STREAM_ACTIONS) expect(actionDefinition(action)?.category).toBe('administration');
    for (const action of CONSOLE_ACTIONS) expect(actionDefinition(action)?.category).toBe('data_access');
    expect(ACTION_NAMES).toHaveLength(Object.values(DESIGN_ACTIONS).flat().length + STREAM_ACTIONS.length + CONSOLE_ACTIONS.length);
  });

  test.each(ACTION_NAMES)('%s has an OCSF 1.8.0 class and activity', (action) => {
    const { ocsf } = ACTIONS[action];
    const cls = OCSF_1_8_0[ocsf.classUid];
    expect(cls).toBeDefined();
    expect(ocsf.className).toBe(cls!.name);
    const activity = ocsf.activityId === 99 ? 'Other' : cls!.activities[ocsf.activityId];
    expect(ocsf.activityName).toBe(activity);
  });

  test.each(ACTION_NAMES)('%s declares its targets; only the first can be the subject', (action) => {
    const { targets } = ACTIONS[action];
    expect(targets.length).toBeGreaterThan(0);
    expect(targets[0]!.name).toBe('subject');
    expect(targets.slice(1).every((target) => target.name !== 'subject')).toBe(true);
  });

  test('unknown actions have no definition, and inherited names are not actions', () => {
    expect(actionDefinition('user.exploded')).toBeUndefined();
    expect(actionDefinition('toString')).toBeUndefined();
    expect(isAction('constructor')).toBe(false);
  });

  test('maps a few actions as documented', () => {
    expect(ACTIONS['user.login'].ocsf).toEqual({ classUid: 3002, className: 'Authentication', activityId: 1, activityName: 'Logon' });
    expect(ACTIONS['role.granted'].ocsf).toMatchObject({ classUid: 3005, activityId: 1 });
    expect(ACTIONS['role.revoked'].ocsf).toMatchObject({ classUid: 3005, activityId: 2 });
    expect(ACTIONS['user.mfa.enrolled'].ocsf).toMatchObject({ classUid: 3001, activityId: 10 });
    expect(ACTIONS['data.exported'].ocsf).toMatchObject({ classUid: 6001, activityId: 7 });
  });
});

describe('checkTargets', () => {
  const user = { type: 'user', id: 'u_1' };
  const group = { type: 'group', id: 'g_1' };
  const role = { type: 'role', id: 'admin' };

  function refusal(action: Action, targets: { type: string; id: string }[], prefix = ''): InvalidEventError {
    try {
      checkTargets(action, targets, prefix);
    } catch (error) {
      if (error instanceof InvalidEventError) return error;
      throw error;
    }
    throw new Error('expected a refusal');
  }

  test('role.granted takes a user or group subject and a role', () => {
    expect(() => checkTargets('role.granted', [user, role])).not.toThrow();
    expect(() => checkTargets('role.granted', [group, role])).not.toThrow();
    expect(() => checkTargets('role.revoked', [user, { type: 'application', id: 'crm' }, role])).not.toThrow();
  });

  test('role.granted without a role is refused, naming targets', () => {
    const error = refusal('role.granted', [user]);
    expect(error.field).toBe('targets');
    expect(error.message).toBe('role.granted needs a target of type "role" (the role) in targets');
    expect(refusal('role.granted', [user, user], 'events[2]').field).toBe('events[2].targets');
  });

  test('the subject comes first', () => {
    const error = refusal('role.granted', [role, user]);
    expect(error.field).toBe('targets[0]');
    expect(error.message).toBe('targets[0] is the subject of role.granted and must be a target of type "user" or "group", not "role"');
    expect(refusal('user.login', []).field).toBe('targets');
    expect(refusal('user.login', [], 'events[0]').message).toBe('user.login needs a target of type "user" as events[0].targets[0], its subject');
  });

  test('"any" subjects take any type; optional ones take none', () => {
    expect(() => checkTargets('data.exported', [{ type: 'report', id: 'q3' }])).not.toThrow();
    expect(refusal('data.exported', []).field).toBe('targets');
    expect(() => checkTargets('audit_log.read', [])).not.toThrow();
    expect(() => checkTargets('ai.documents.retrieved', [])).not.toThrow();
    expect(() => checkTargets('ai.documents.retrieved', [{ type: 'document', id: 'd1' }, { type: 'document', id: 'd2' }])).not.toThrow();
  });
});

describe('reserved actions', () => {
  test.each([
    ['audit_log.read', true],
    ['audit_log.exported', true],
    ['alert.raised', true],
    ['alert.acknowledged', true],
    ['stream.created', true],
    ['retention.policy.changed', true],
    ['hold.placed', true],
    ['data.erased', true],
    ['data.exported', false],
    ['data.sensitive.read', false],
    ['user.login', false],
    ['alerting.x', false],
    ['audit_logger.read', false],
  ])('%s reserved: %s', (action, reserved) => expect(isReservedAction(action)).toBe(reserved));
});
