/**
 * Han, kana and Hangul: the scripts written without spaces between words. Normalization reads
 * fullwidth letters among them as typography, and the DLP recognizers count them as word
 * boundaries (a number glued to `手机号是` still stands alone). One definition for both.
 */
export function isSpacelessScript(c: number): boolean {
  return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff);
}

/** How many code units of `text` are Han, kana or Hangul. */
export function spacelessCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (isSpacelessScript(text.charCodeAt(i))) n++;
  return n;
}
