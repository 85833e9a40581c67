import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailDetector } from '../../../src/guard/detectors/pii-email.ts';
import { detector, found, type Case } from './support.ts';

const detect = detector(emailDetector);

const CASES: Case[] = [
  { text: 'write to jane.doe@contoso.org today', expect: ['jane.doe@contoso.org'] },
  { text: 'cc: a_b+tag@mail.example-co.co.uk.', expect: ['a_b+tag@mail.example-co.co.uk'], why: 'trailing sentence dot is not part of it' },
  { text: '<Bob.Smith99@Globex.NET>', expect: ['Bob.Smith99@Globex.NET'] },
  { text: 'mailto:support@initech.io?subject=hi', expect: ['support@initech.io'] },
  { text: 'two: x@ab.io,y@cd.io', expect: ['x@ab.io', 'y@cd.io'] },
  { text: 'écrire à josé.müller@bücher.de', expect: ['josé.müller@bücher.de'], why: 'internationalized address (RFC 6531)' },
  { text: "email jane.o'neil+tag@sub.example.co.uk now", expect: ["jane.o'neil+tag@sub.example.co.uk"], why: 'an apostrophe inside the local part (RFC 5322 atext)' },
  { text: "write to 'bob@example.com' or \"amy@example.com\"", expect: ['bob@example.com', 'amy@example.com'], why: 'quotes around an address are not part of it' },
  { text: "it's ann@example.com", expect: ['ann@example.com'] },
  { text: 'logo@2x.png and icon@3x.webp', expect: [], why: 'retina asset names' },
  { text: 'git@github.com:acme/app.git', expect: [], why: 'scp-style git remote' },
  { text: 'postgres://svc:p4ss@db.acme.io/app', expect: [], why: 'URL user info' },
  { text: 'npm i lodash@4.17.21 @types/node', expect: [], why: 'package versions' },
  { text: 'user@localhost and root@host', expect: [], why: 'no public domain' },
  { text: 'a..b@example.com', expect: [], why: 'consecutive dots' },
  { text: '@decorator and foo@ and @bar.com', expect: [] },
  { text: 'foo@-bad.com', expect: [], why: 'label starts with a hyphen' },
];

describe('pii-email', () => {
  for (const c of CASES) {
    it(`${c.expect.length ? 'finds' : 'ignores'} ${JSON.stringify(c.text)}${c.why ? ` (${c.why})` : ''}`, () => {
      assert.deepEqual(found(detect(c.text), c.text), c.expect);
    });
  }

  it('scores e-mail context higher', () => {
    const [plain] = detect('ping jo@acme.io');
    const [withContext] = detect('my email is jo@acme.io');
    assert.ok(withContext!.score > plain!.score);
  });
});
