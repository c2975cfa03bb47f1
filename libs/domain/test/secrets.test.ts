import { findSecretFields, isSecretName, parseIdentityEventInput } from '@trailmark/domain';

describe('isSecretName', () => {
  test.each([
    'password', 'Password', 'newPassword', 'new_password', 'PASSWD', 'passphrase', 'passcode',
    'secret', 'clientSecret', 'client-secret', 'secrets',
    'token', 'accessToken', 'refresh_token', 'id_token', 'csrf-token', 'tokens',
    'apiKey', 'api_key', 'X-Api-Key', 'x.api.key', 'API KEY',
    'privateKey', 'private_key_pem', 'secretAccessKey', 'aws_access_key', 'sessionKey', 'signingKey', 'encryptionKey',
    'authorization', 'Authorization', 'authorizationCode', 'cookie', 'set-cookie', 'sessionCookie', 'cookies',
    'credential', 'credentials', 'recoveryCodes', 'jwt',
    'pwd', 'pin', 'otp',
    'passwordHash', 'tokenValue', 'passwordHint', 'tokenizerSecret',
  ])('%s is a secret', (name) => expect(isSecretName(name)).toBe(true));

  test.each([
    // AI token counts (DESIGN.md: AI events carry token counts)
    'tokenCount', 'token_count', 'promptTokens', 'prompt_tokens', 'completion_tokens', 'totalTokens', 'max_tokens',
    'inputTokens', 'output_tokens', 'gen_ai.usage.input_tokens', 'cachedTokens', 'reasoningTokens', 'totalTokenCount',
    'promptTokenCount', 'candidatesTokenCount', 'tokensUsed', 'tokenUsage', 'tokenLimit', 'tokenizer',
    // names that describe a secret without carrying it
    'apiKeyId', 'api_key_name', 'accessKeyId', 'tokenType', 'token_type', 'tokenExpiresAt', 'tokenEndpoint', 'jwtId',
    'secretName', 'credentialId', 'credentialType', 'cookieName', 'authorizationEndpoint',
    'passwordChangedAt', 'passwordMinLength', 'password_max_age', 'passwordExpiryDays', 'passwordPolicy', 'passwordHistory',
    'passwordStrength', 'passwordResetRequired', 'secretRotationDays',
    // ordinary names that merely contain a short secret word
    'footprint', 'pwdLastSet', 'pinned', 'spinner', 'keyboard', 'monkey', 'sessionId', 'requestId', 'email', 'author',
  ])('%s is not a secret', (name) => expect(isSecretName(name)).toBe(false));
});

function secretsOf(parts: Record<string, unknown>): string[] {
  return findSecretFields(
    parseIdentityEventInput({
      tenant: 'acme',
      action: 'user.updated',
      outcome: 'success',
      actor: { type: 'user', id: 'u_1' },
      targets: [{ type: 'user', id: 'u_2' }],
      ...parts,
    }),
  );
}

describe('findSecretFields', () => {
  test('finds nothing in an ordinary event', () => {
    expect(secretsOf({ context: { ip: '203.0.113.7', sessionId: 's1' }, metadata: { email: 'a@example.com' } })).toEqual([]);
  });

  test('finds secrets at any depth of changes and metadata, inside arrays', () => {
    const paths = secretsOf({
      changes: {
        before: { password: 'hunter2' },
        after: { profile: { settings: { 'X-Api-Key': 'k_live_1' } }, credentials: [{ type: 'api_key', id: 'c1', apiKey: 'k_live_2' }] },
      },
      metadata: { request: { headers: [{ name: 'x', authorization: 'Bearer abc' }] }, pin: 1234 },
    });
    expect(paths).toEqual([
      'changes.before.password',
      'changes.after.profile.settings.X-Api-Key',
      'changes.after.credentials[0].apiKey',
      'metadata.request.headers[0].authorization',
      'metadata.pin',
    ]);
  });

  test('a container of secrets: every plain value in it, except descriptions', () => {
    const paths = secretsOf({
      metadata: {
        cookies: { sid: 'abc', prefs: 'dark', name: 'session' },
        recoveryCodes: ['1111', '2222'],
        tokens: [{ id: 't1', type: 'refresh', value: 'rt_1', scopes: ['openid'] }],
        credentials: [{ type: 'password', id: 'cred_1', createdAt: '2026-01-01T00:00:00Z', lastUsedAt: null, apiKeyId: 'k1' }],
      },
    });
    expect(paths).toEqual([
      'metadata.cookies.sid',
      'metadata.cookies.prefs',
      'metadata.recoveryCodes[0]',
      'metadata.recoveryCodes[1]',
      'metadata.tokens[0].value',
      'metadata.tokens[0].scopes[0]',
    ]);
  });

  test('null and booleans carry no secret', () => {
    expect(secretsOf({ changes: { before: { password: null, mfaSecretEnabled: true }, after: { cookieConsent: false } } })).toEqual([]);
  });

  test('allows AI token counts and hashes of prompts', () => {
    const paths = secretsOf({
      metadata: {
        model: 'gpt-x',
        promptSha256: 'ab12',
        usage: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 },
        tokenCount: 42,
        max_tokens: 1024,
      },
    });
    expect(paths).toEqual([]);
  });

  test('allows password policy settings in security.policy.changed', () => {
    expect(
      secretsOf({ changes: { before: { passwordMinLength: 8, passwordMaxAgeDays: 90 }, after: { passwordMinLength: 12, passwordPolicy: { history: 5 } } } }),
    ).toEqual([]);
  });

  test('numbers and empty strings under secret names are secrets too', () => {
    expect(secretsOf({ metadata: { otp: 123456, password: '' } })).toEqual(['metadata.otp', 'metadata.password']);
  });
});

describe('names are normalised, words are whole, and more names are known', () => {
  // One case a line: the key, whether it carries a secret, and why.
  test.each([
    ['pаsswоrd', true], // Cyrillic а and о: the UTS #39 skeleton is "password"
    ['ｐａｓｓｗｏｒｄ', true], // fullwidth: NFKC
    ['pass\u200bword', true], // a zero-width space
    ['pass\u00adword', true], // a soft hyphen (format character)
    ['to\u2060ken', true], // a word joiner
    ['\u202epassword', true], // a bidi override
    ['passw0rd', true], // digit zero for o
    ['АРІ_KEY', true], // Cyrillic capitals that look like API
    ['passwordReset', true], // a password, not a description of one
    ['password_reset', true],
    ['tokenOffset', true], // "offset" is not a "set"
    ['passwordResetAt', false], // ends with the whole words reset, at
    ['passwordSet', false], // ends with the whole word set
    ['otp', true],
    ['otpSeed', true],
    ['otp_code', true],
    ['otpEnabled', false],
    ['pin', true],
    ['pinCode', true],
    ['spinCount', false],
    ['mfaCode', true],
    ['mfa_backup_code', true],
    ['mfaEnabled', false],
    ['pw', true],
    ['user_pw', true],
    ['pass', true],
    ['bypassCount', false],
    ['passport', false],
    ['creds', true],
    ['awsCreds', true],
    ['sshKey', true],
    ['ssh_host_key', true],
    ['sshKeyFingerprint', false],
    ['privateKey', true],
    ['private_signing_key', true],
    ['sessionSecret', true],
    ['session_secret_name', false],
    ['X-Auth-Token', true],
    ['X-Auth-Key', true],
    ['x-auth', true],
    ['X-Authorization', true],
    ['x-request-id', false],
    ['offset', false],
    ['authorId', false],
  ])('%s carries a secret: %s', (name, secret) => expect(isSecretName(name)).toBe(secret));

  test.each([
    [{ passwordHistory: ['hunter1'] }, ['metadata.passwordHistory[0]']],
    [{ passwordHistory: { last: 'hunter1' } }, ['metadata.passwordHistory.last']],
    [{ passwordHistory: 5 }, []],
    [{ tokenPolicy: { maxAgeDays: 30, format: 'jwt' } }, []],
    [{ scopes: ['openid'], tokenType: 'bearer' }, []],
    [{ 'pаsswоrd': 'hunter2' }, ['["pаsswоrd"]'].map((key) => `metadata${key}`)],
  ])('under a secret-named key %j the refused paths are %j', (metadata, paths) => expect(secretsOf({ metadata })).toEqual(paths));
});
