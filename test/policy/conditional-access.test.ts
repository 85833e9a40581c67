/**
 * The conditional-access rule evaluator, the time windows and the risk counter, as tables: pure
 * functions of the rules and the request's facts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessSchema, timeWindowSchema } from '../../src/config/access.ts';
import { ConfigError } from '../../src/config/load.ts';
import type { Principal } from '../../src/core/principal.ts';
import { ConditionalAccess, type AccessFacts } from '../../src/policy/conditional-access.ts';
import type { Action } from '../../src/policy/policy.ts';
import { RiskTracker } from '../../src/policy/risk-tracker.ts';
import { compileTimeWindow } from '../../src/policy/time-window.ts';

const NOW = Date.UTC(2026, 0, 5, 10, 0); // Monday 2026-01-05 10:00 UTC

const alice: Principal = {
  id: 'oidc:https://idp.example.com#alice',
  kind: 'user',
  roles: ['user'],
  groups: ['eng'],
  authMethod: 'oidc',
  tenant: 'acme',
  clientId: 'chat-app',
  acr: 'urn:acme:mfa',
  amr: ['pwd', 'mfa'],
  authTime: NOW / 1000 - 120,
};
const keyApp: Principal = { id: 'key:k1', kind: 'app', roles: ['user'], groups: [], authMethod: 'api-key', apiKeyId: 'k1' };
const agent: Principal = { id: 'oidc:https://idp.example.com#bot', kind: 'agent', roles: ['user'], groups: [], authMethod: 'oidc', clientId: 'bot-app' };

const DEPLOYMENTS = [{ name: 'chat' }, { name: 'embed', sensitivity: 'medium' as const }, { name: 'secret', sensitivity: 'high' as const }];
const invoke = (deployment: string): Action => ({ kind: 'invoke', deployment });
const admin = (permission: 'keys:write' | 'audit:read' = 'audit:read'): Action => ({ kind: 'admin', permission });

function engine(rules: unknown[]): ConditionalAccess {
  return new ConditionalAccess(accessSchema.parse({ rules }).rules, { deployments: DEPLOYMENTS });
}

function facts(over: Partial<AccessFacts> = {}): AccessFacts {
  return { principal: alice, action: invoke('chat'), sourceIp: '10.1.2.3', country: null, now: NOW, risk: 'low', ...over };
}

describe('conditional access: networks', () => {
  const ca = engine([{ name: 'corp-only', when: {}, unless: { networks: ['10.0.0.0/8', '192.168.1.5', '2001:db8::/32', '::ffff:172.16.0.0/108'] }, action: 'block' }]);
  const table: [string | null, 'allow' | 'block'][] = [
    ['10.1.2.3', 'allow'],
    ['::ffff:10.1.2.3', 'allow'], // IPv4-mapped IPv6 from a dual-stack socket
    ['::FFFF:10.200.0.1', 'allow'],
    ['11.0.0.1', 'block'],
    ['::ffff:11.0.0.1', 'block'],
    ['192.168.1.5', 'allow'],
    ['192.168.1.6', 'block'],
    ['2001:db8::1', 'allow'],
    ['2001:db8:ffff::1', 'allow'],
    ['2001:db9::1', 'block'],
    ['::1', 'block'],
    ['172.16.5.4', 'allow'], // written as a mapped IPv6 range, matches the IPv4 client
    ['172.32.0.1', 'block'],
    [null, 'block'], // unknown address: not in the allowed networks, fail closed
    ['not-an-ip', 'block'],
  ];
  for (const [ip, effect] of table) {
    it(`${effect}s a request from ${ip ?? 'an unknown address'}`, () => {
      const d = ca.evaluate(facts({ sourceIp: ip }));
      assert.equal(d.effect, effect);
      if (effect === 'block') assert.equal(d.rule, 'corp-only');
    });
  }

  it('blocks a listed network and leaves others alone', () => {
    const deny = engine([{ name: 'no-tor-exit', when: { networks: ['203.0.113.0/24'] }, action: 'block' }]);
    assert.equal(deny.evaluate(facts({ sourceIp: '203.0.113.9' })).effect, 'block');
    assert.equal(deny.evaluate(facts({ sourceIp: '203.0.114.9' })).effect, 'allow');
  });

  it('refuses malformed networks in the config', () => {
    for (const bad of ['10.0.0.0/33', '2001:db8::/129', 'example.com', '10.0.0.0/8/1', '10.0.0.0/x']) {
      assert.equal(accessSchema.safeParse({ rules: [{ name: 'r', when: { networks: [bad] }, action: 'block' }] }).success, false, bad);
    }
  });
});

describe('conditional access: time windows', () => {
  const at = (iso: string) => Date.parse(iso);
  const table: [string, Record<string, unknown>, string, boolean][] = [
    ['office hours, Paris winter (UTC+1), inside', { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00', timezone: 'Europe/Paris' }, '2026-01-05T08:30:00Z', true],
    ['office hours, Paris winter, 17:30 local', { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00', timezone: 'Europe/Paris' }, '2026-01-05T16:30:00Z', false],
    ['office hours, Paris winter, end is exclusive', { days: ['mon'], from: '09:00', to: '17:00', timezone: 'Europe/Paris' }, '2026-01-05T16:00:00Z', false],
    ['office hours, Paris summer (UTC+2), 09:30 local', { days: ['mon'], from: '09:00', to: '17:00', timezone: 'Europe/Paris' }, '2026-07-06T07:30:00Z', true],
    ['office hours, Paris summer, 08:30 local', { days: ['mon'], from: '09:00', to: '17:00', timezone: 'Europe/Paris' }, '2026-07-06T06:30:00Z', false],
    ['office hours on a Saturday', { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00', timezone: 'Europe/Paris' }, '2026-01-10T10:00:00Z', false],
    ['Tokyo Monday morning is Sunday in UTC', { days: ['mon'], from: '09:00', to: '18:00', timezone: 'Asia/Tokyo' }, '2026-01-05T00:30:00Z', true],
    ['across midnight, Friday 23:00 New York', { days: ['fri'], from: '22:00', to: '06:00', timezone: 'America/New_York' }, '2026-01-10T04:00:00Z', true],
    ['across midnight, Saturday 03:00 New York belongs to Friday', { days: ['fri'], from: '22:00', to: '06:00', timezone: 'America/New_York' }, '2026-01-10T08:00:00Z', true],
    ['across midnight, Saturday 07:00 New York', { days: ['fri'], from: '22:00', to: '06:00', timezone: 'America/New_York' }, '2026-01-10T12:00:00Z', false],
    ['across midnight, Friday 21:00 New York', { days: ['fri'], from: '22:00', to: '06:00', timezone: 'America/New_York' }, '2026-01-10T02:00:00Z', false],
    ['across midnight, Friday 03:00 New York belongs to Thursday', { days: ['fri'], from: '22:00', to: '06:00', timezone: 'America/New_York' }, '2026-01-09T08:00:00Z', false],
    ['across midnight, any day, 23:59 UTC', { from: '22:00', to: '06:00' }, '2026-01-05T23:59:00Z', true],
    ['days only', { days: ['sat', 'sun'] }, '2026-01-11T12:00:00Z', true],
  ];
  for (const [name, cfg, iso, inside] of table) {
    it(`${name}: ${inside ? 'inside' : 'outside'}`, () => {
      assert.equal(compileTimeWindow(timeWindowSchema.parse(cfg)).contains(at(iso)), inside);
    });
  }

  it('blocks outside office hours through a rule', () => {
    const ca = engine([{ name: 'office-hours', when: { principalKinds: ['user'] }, unless: { time: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '19:00', timezone: 'Europe/Paris' } }, action: 'block' }]);
    assert.equal(ca.evaluate(facts({ now: at('2026-01-05T10:00:00Z') })).effect, 'allow');
    assert.equal(ca.evaluate(facts({ now: at('2026-01-05T22:00:00Z') })).rule, 'office-hours');
    assert.equal(ca.evaluate(facts({ now: at('2026-01-05T22:00:00Z'), principal: agent })).effect, 'allow');
  });

  it('refuses unknown time zones and malformed times', () => {
    assert.equal(timeWindowSchema.safeParse({ timezone: 'Mars/Olympus' }).success, false);
    assert.equal(timeWindowSchema.safeParse({ from: '24:00' }).success, false);
    assert.equal(timeWindowSchema.safeParse({ from: '9:00' }).success, false);
    assert.equal(timeWindowSchema.safeParse({ to: '24:00' }).success, true);
  });
});

describe('conditional access: principal, country, risk and deployment conditions', () => {
  const table: [string, Record<string, unknown>, Partial<AccessFacts>, boolean][] = [
    ['principal kind', { principalKinds: ['agent'] }, { principal: agent }, true],
    ['principal kind, other', { principalKinds: ['agent'] }, {}, false],
    ['auth method', { authMethods: ['api-key'] }, { principal: keyApp }, true],
    ['role', { roles: ['auditor', 'user'] }, {}, true],
    ['group', { groups: ['contractors'] }, {}, false],
    ['group, member', { groups: ['eng'] }, {}, true],
    ['tenant', { tenants: ['acme'] }, {}, true],
    ['tenant unknown', { tenants: ['acme'] }, { principal: keyApp }, false],
    ['client app', { clientIds: ['bot-app'] }, { principal: agent }, true],
    ['client app, other', { clientIds: ['bot-app'] }, {}, false],
    ['country', { countries: ['FR', 'DE'] }, { country: 'FR' }, true],
    ['country unknown', { countries: ['FR'] }, { country: null }, false],
    ['risk', { risk: ['high'] }, { risk: 'high' }, true],
    ['risk, lower', { risk: ['high'] }, { risk: 'medium' }, false],
    ['action admin', { actions: ['admin'] }, { action: admin() }, true],
    ['action admin on invoke', { actions: ['admin'] }, {}, false],
    ['permission', { permissions: ['keys:write'] }, { action: admin('keys:write') }, true],
    ['permission on invoke', { permissions: ['keys:write'] }, {}, false],
    ['deployment', { deployments: ['embed'] }, { action: invoke('embed') }, true],
    ['deployment on admin', { deployments: ['embed'] }, { action: admin() }, false],
    ['sensitivity high', { sensitivity: ['high'] }, { action: invoke('secret') }, true],
    ['sensitivity defaults to low', { sensitivity: ['low'] }, { action: invoke('chat') }, true],
    ['sensitivity medium', { sensitivity: ['high'] }, { action: invoke('embed') }, false],
    ['all conditions together', { principalKinds: ['user'], groups: ['eng'], networks: ['10.0.0.0/8'], risk: ['low'] }, {}, true],
    ['one of several fails', { principalKinds: ['user'], groups: ['eng'], networks: ['192.168.0.0/16'] }, {}, false],
  ];
  for (const [name, when, over, applies] of table) {
    it(`${name}: ${applies ? 'applies' : 'does not apply'}`, () => {
      const d = engine([{ name: 'r', when, action: 'block' }]).evaluate(facts(over));
      assert.equal(d.effect, applies ? 'block' : 'allow');
      assert.deepEqual(d.matched, applies ? ['r'] : []);
    });
  }
});

describe('conditional access: outcomes', () => {
  it('restricts a principal to named deployments, for invoke only', () => {
    const ca = engine([{ name: 'agents-chat-only', when: { principalKinds: ['agent'] }, action: 'restrict', deployments: ['chat'] }]);
    assert.equal(ca.evaluate(facts({ principal: agent })).effect, 'allow');
    const d = ca.evaluate(facts({ principal: agent, action: invoke('embed') }));
    assert.equal(d.effect, 'block');
    assert.equal(d.rule, 'agents-chat-only');
    assert.match(d.reason, /restricts the principal to deployments chat/);
    assert.equal(ca.evaluate(facts({ principal: agent, action: admin() })).effect, 'allow');
    assert.equal(ca.evaluate(facts({ action: invoke('embed') })).effect, 'allow');
  });

  it('lets an allow rule exempt a request from the rules after it', () => {
    const ca = engine([
      { name: 'break-glass', when: { groups: ['break-glass'] }, action: 'allow' },
      { name: 'lockdown', action: 'block' },
    ]);
    const d = ca.evaluate(facts({ principal: { ...alice, groups: ['break-glass'] } }));
    assert.deepEqual([d.effect, d.rule, d.matched], ['allow', 'break-glass', ['break-glass']]);
    assert.equal(ca.evaluate(facts()).rule, 'lockdown');
  });

  it('requires step-up and says what is missing', () => {
    const ca = engine([{ name: 'admin-mfa', when: { actions: ['admin'] }, action: 'step-up', stepUp: { amr: ['mfa'], maxAgeSec: 600 } }]);
    assert.equal(ca.evaluate(facts({ action: admin() })).effect, 'allow');
    const noMfa = ca.evaluate(facts({ action: admin(), principal: { ...alice, amr: ['pwd'] } }));
    assert.equal(noMfa.effect, 'step-up');
    assert.deepEqual(noMfa.stepUp?.missing, ['amr mfa']);
    const stale = ca.evaluate(facts({ action: admin(), principal: { ...alice, authTime: NOW / 1000 - 3600 } }));
    assert.deepEqual(stale.stepUp?.missing, ['a sign-in within 600 s']);
    const noAuthTime = ca.evaluate(facts({ action: admin(), principal: { ...alice, authTime: undefined } }));
    assert.deepEqual(noAuthTime.stepUp?.missing, ['a sign-in within 600 s (no auth_time)']);
    assert.deepEqual(ca.evaluate(facts({ action: admin(), principal: keyApp })).stepUp?.missing, ['a user sign-in']);
    assert.equal(ca.evaluate(facts()).effect, 'allow');
  });

  it('checks acr (any of) and Entra authentication contexts (all of)', () => {
    const ca = engine([{ name: 'secret-strong', when: { sensitivity: ['high'] }, action: 'step-up', stepUp: { acr: ['urn:acme:phr', 'urn:acme:mfa'], authContexts: ['c1', 'c2'] } }]);
    const d = ca.evaluate(facts({ action: invoke('secret'), principal: { ...alice, authContexts: ['c1'] } }));
    assert.deepEqual(d.stepUp?.missing, ['authentication context c2']);
    assert.equal(ca.evaluate(facts({ action: invoke('secret'), principal: { ...alice, authContexts: ['c2', 'c1'] } })).effect, 'allow');
    assert.deepEqual(ca.evaluate(facts({ action: invoke('secret'), principal: { ...alice, acr: '1', authContexts: ['c1', 'c2'] } })).stepUp?.missing, ['acr one of urn:acme:phr, urn:acme:mfa']);
  });

  it('lets a block or restriction win over a step-up that came first', () => {
    const ca = engine([
      { name: 'mfa-everywhere', action: 'step-up', stepUp: { amr: ['hwk'] } },
      { name: 'risky', when: { risk: ['high'] }, action: 'block' },
    ]);
    assert.equal(ca.evaluate(facts()).rule, 'mfa-everywhere');
    const d = ca.evaluate(facts({ risk: 'high' }));
    assert.deepEqual([d.effect, d.rule, d.matched], ['block', 'risky', ['mfa-everywhere', 'risky']]);
  });

  it('keeps a step-up an earlier rule asked for when a later rule allows', () => {
    const ca = engine([
      { name: 'admin-mfa', when: { actions: ['admin'] }, action: 'step-up', stepUp: { amr: ['mfa'] } },
      { name: 'office-ok', action: 'allow' },
    ]);
    const d = ca.evaluate(facts({ action: admin(), principal: { ...alice, amr: ['pwd'] } }));
    assert.deepEqual([d.effect, d.rule, d.matched], ['step-up', 'admin-mfa', ['admin-mfa', 'office-ok']]);
    assert.equal(ca.evaluate(facts({ action: admin() })).effect, 'allow', 'met: the allow applies');
  });

  it('names every rule that applied when it allows', () => {
    const ca = engine([
      { name: 'eng-mfa', when: { groups: ['eng'] }, action: 'step-up', stepUp: { amr: ['mfa'] } },
      { name: 'chat-ok', action: 'restrict', deployments: ['chat', 'embed'] },
    ]);
    const d = ca.evaluate(facts());
    assert.deepEqual([d.effect, d.matched], ['allow', ['eng-mfa', 'chat-ok']]);
  });

  it('refuses unknown deployments and permissions when compiled, naming the path', () => {
    assert.throws(() => engine([{ name: 'r', action: 'restrict', deployments: ['chat', 'gpt-5'] }]), (e: unknown) => e instanceof ConfigError && /access\.rules\[0\]\.deployments\[1\]: unknown deployment 'gpt-5'/.test(e.message));
    assert.throws(() => engine([{ name: 'r', when: { permissions: ['keys:destroy'] }, action: 'block' }]), (e: unknown) => e instanceof ConfigError && /access\.rules\[0\]\.when\.permissions\[0\]/.test(e.message));
    assert.throws(() => engine([{ name: 'r', unless: { deployments: ['nope'] }, action: 'block' }]), ConfigError);
  });

  it('refuses inconsistent rules in the config', () => {
    const bad = [
      { name: 'r', action: 'step-up' },
      { name: 'r', action: 'block', stepUp: { amr: ['mfa'] } },
      { name: 'r', action: 'restrict' },
      { name: 'r', action: 'step-up', stepUp: {} },
      { name: 'r', action: 'step-up', stepUp: { authContexts: ['x1'] } },
      { name: 'r', action: 'step-up', stepUp: { acr: ['has space'] } },
      { name: 'r', action: 'block', when: { colour: ['red'] } },
    ];
    for (const rule of bad) assert.equal(accessSchema.safeParse({ rules: [rule] }).success, false, JSON.stringify(rule));
    assert.equal(accessSchema.safeParse({ rules: [{ name: 'a', action: 'block' }, { name: 'a', action: 'allow' }] }).success, false);
  });
});

describe('principal risk from blocked detections', () => {
  const MIN = 60_000;
  const tracker = () => new RiskTracker({ windowMs: 10 * MIN, medium: 2, high: 3, categories: ['prompt_injection', 'jailbreak'] });
  const blocked = (requestId: string, time: number, over: Record<string, unknown> = {}) => ({ principalId: 'p1', requestId, category: 'prompt_injection', action: 'block', time, ...over });

  it('rises to medium then high after repeated blocked attacks, and decays after the window', () => {
    const r = tracker();
    const t0 = NOW;
    assert.equal(r.level('p1', t0), 'low');
    r.observe(blocked('q1', t0));
    assert.equal(r.level('p1', t0), 'low');
    r.observe(blocked('q2', t0 + MIN));
    assert.equal(r.level('p1', t0 + MIN), 'medium');
    r.observe(blocked('q3', t0 + 2 * MIN, { category: 'jailbreak' }));
    assert.equal(r.level('p1', t0 + 2 * MIN), 'high');
    assert.equal(r.level('p2', t0 + 2 * MIN), 'low'); // per principal
    assert.equal(r.level('p1', t0 + 10 * MIN + 1), 'medium'); // the first one aged out
    assert.equal(r.level('p1', t0 + 12 * MIN + 1), 'low');
  });

  it('counts one request once, only blocks, only the configured categories', () => {
    const r = tracker();
    const request = {}; // the guard context of one request
    for (let i = 0; i < 5; i++) r.observe(blocked('same', NOW), request);
    r.observe(blocked('flagged', NOW, { action: 'annotate' }));
    r.observe(blocked('pii', NOW, { category: 'pii.email' }));
    r.observe(blocked('anon', NOW, { principalId: null }));
    assert.equal(r.count('p1', NOW), 1);
    r.observe(blocked('sub', NOW, { category: 'jailbreak.roleplay' }));
    assert.equal(r.count('p1', NOW), 2);
  });

  it('counts requests, not request ids: a caller repeating its x-request-id is counted every time', () => {
    const r = tracker();
    for (let i = 0; i < 3; i++) r.observe(blocked('replayed-id', NOW), {});
    assert.equal(r.count('p1', NOW), 3);
    assert.equal(r.level('p1', NOW), 'high');
  });

  it('forgets the least recently active principals beyond its bound', () => {
    const r = new RiskTracker({ windowMs: 10 * MIN, medium: 1, high: 2, categories: ['jailbreak'], maxPrincipals: 2 });
    for (const p of ['a', 'b', 'c']) r.observe({ principalId: p, category: 'jailbreak', action: 'block', time: NOW });
    assert.deepEqual(['a', 'b', 'c'].map((p) => r.level(p, NOW)), ['low', 'medium', 'medium']);
  });
});

describe('the country header', () => {
  const req = (peer: string, country?: string) => ({ socket: { remoteAddress: peer }, headers: country ? { 'cf-ipcountry': country } : {} }) as unknown as import('node:http').IncomingMessage;
  it('is believed only from a trusted proxy', async () => {
    const { trustedHeaderReader } = await import('../../src/server/client-ip.ts');
    const read = trustedHeaderReader(['10.0.0.0/8'], 'cf-ipcountry');
    assert.equal(read(req('10.0.0.2', 'FR')), 'FR');
    assert.equal(read(req('::ffff:10.0.0.2', 'FR')), 'FR');
    assert.equal(read(req('198.51.100.1', 'FR')), null);
    assert.equal(read(req('10.0.0.2')), null);
    assert.equal(trustedHeaderReader([], 'cf-ipcountry')(req('10.0.0.2', 'FR')), null);
  });
});

describe('client addresses', () => {
  const req = (peer: string, xff?: string) => ({ socket: { remoteAddress: peer }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as import('node:http').IncomingMessage;
  it('fold every spelling of an IPv4-mapped address, so IPv4 rules see the IPv4 client', async () => {
    const { plainIp, networkMatcher } = await import('../../src/config/cidr.ts');
    for (const spelled of ['::ffff:203.0.113.9', '::ffff:cb00:7109', '0:0:0:0:0:ffff:203.0.113.9', '::FFFF:CB00:7109', '0000:0000:0000:0000:0000:ffff:cb00:7109']) {
      assert.equal(plainIp(spelled), '203.0.113.9', spelled);
      assert.equal(networkMatcher(['203.0.113.0/24'])(spelled), true, spelled);
    }
    assert.equal(plainIp('2001:db8::ffff:1'), '2001:db8::ffff:1', 'not mapped');
    assert.equal(plainIp('fe80::ffff:1%eth0'), 'fe80::ffff:1%eth0');
    const { clientIpResolver } = await import('../../src/server/client-ip.ts');
    assert.equal(clientIpResolver(['10.0.0.0/8'])(req('10.0.0.1', '::ffff:cb00:7109')), '203.0.113.9');
  });

  it('server.trustedProxies must be addresses or CIDRs the config check can read', async () => {
    const { rampartConfigSchema } = await import('../../src/server/config.ts');
    const { validateConfig, ConfigError } = await import('../../src/config/load.ts');
    const config = (trustedProxies: string[]) => ({ deployments: [{ name: 'x', targets: [{ provider: 'echo' }] }], server: { trustedProxies } });
    assert.doesNotThrow(() => validateConfig(rampartConfigSchema(), config(['10.0.0.0/8', '::1', '2001:db8::/32'])));
    for (const bad of ['10.0.0.0/99', '10.0.0.0/8/16', '192.168.1.0/24abc', 'proxy.internal']) {
      assert.throws(() => validateConfig(rampartConfigSchema(), config([bad])), (e: unknown) => e instanceof ConfigError && /server\.trustedProxies\[0\]: must be an IP address or a CIDR/.test(e.message), bad);
    }
  });
});
