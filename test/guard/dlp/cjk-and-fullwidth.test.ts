/**
 * Chinese, Japanese and Korean text: values typed in fullwidth forms (as CJK input methods type
 * them) and values glued to Han, kana or Hangul (no spaces between words) are found, with spans
 * of the text as given — through the registry's DLP detectors, which read fullwidth as ASCII.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DLP_DETECTORS } from '../../../src/guard/detectors/dlp-index.ts';
import { foldWidth } from '../../../src/guard/normalize/width.ts';

const detectors = DLP_DETECTORS.map((d) => d.create(d.optionsSchema.parse({}) as never, { assetsDir: 'assets' }));

function scan(text: string): string[] {
  const out: string[] = [];
  for (const detect of detectors) {
    const findings = detect({ text, channel: 'user' });
    if (findings instanceof Promise) throw new Error('DLP detectors are synchronous');
    for (const f of findings) out.push(`${f.category}:${text.slice(f.start, f.end)}`);
  }
  return out.sort();
}

describe('DLP in Chinese, Japanese and Korean text', () => {
  it('folds fullwidth ASCII and the ideographic space without moving an offset', () => {
    const text = 'ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ　０９０';
    const folded = foldWidth(text);
    assert.equal(folded, 'taro@example.jp 090');
    assert.equal(folded.length, text.length);
    const plain = 'no wide forms here';
    assert.equal(foldWidth(plain), plain);
  });

  const cases: [string, string, string[]][] = [
    ['a fullwidth card number', 'カード番号：４１１１　１１１１　１１１１　１１１１', ['pii.payment_card:４１１１　１１１１　１１１１　１１１１']],
    ['a fullwidth Japanese phone number and address', '電話番号は０９０－１２３４－５６７８です。メールはｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ', ['pii.email:ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ', 'pii.phone:０９０－１２３４－５６７８']],
    ['a fullwidth Korean phone number', '전화번호는 ０１０－１２３４－５６７８입니다.', ['pii.phone:０１０－１２３４－５６７８']],
    ['a Chinese mobile number and an address glued to Han text', '我的手机号是13812345678，邮箱是zhang.wei@example.cn', ['pii.email:zhang.wei@example.cn', 'pii.phone:13812345678']],
    ['a fullwidth number that fails the Luhn check', 'カード番号：４１１１　１１１１　１１１１　１１１２', []],
  ];
  for (const [name, text, expected] of cases) {
    it(`finds ${name}`, () => assert.deepEqual(scan(text), expected));
  }
});
