/**
 * The header a cell sits under, as the DLP detectors ask for it: found across many rows, with
 * CRLF line ends and quoted delimiters, and not confused when texts alternate (the line index and
 * the row memo are kept for the text last seen).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { columnHeader } from '../../../src/guard/detectors/dlp/table-columns.ts';

const at = (text: string, needle: string) => text.indexOf(needle);

describe('columnHeader', () => {
  it('names the header of the cell, however many rows below it', () => {
    const rows = Array.from({ length: 500 }, (_, i) => `user${i},${100000 + i},gold`).join('\n');
    const text = `name,ssn,plan\n${rows}`;
    assert.equal(columnHeader(text, at(text, '100499')), 'ssn');
    assert.equal(columnHeader(text, at(text, 'user0')), 'name');
  });

  it('reads CRLF lines and quoted delimiters', () => {
    const text = 'id;"full; name";dob\r\n1;"Ada; Countess";1815-12-10\r\n2;"Bob";1990-01-01';
    assert.equal(columnHeader(text, at(text, '1990')), 'dob');
    assert.equal(columnHeader(text, at(text, '"Bob"')), 'full; name');
  });

  it('has no header on a single line or on the header line itself', () => {
    assert.equal(columnHeader('name,ssn 536-22-8741', 9), undefined);
    const text = 'name,ssn\nAda,536228741';
    assert.equal(columnHeader(text, 5), undefined);
  });

  it('finds the row after a very long first line', () => {
    const text = `${'x'.repeat(100_000)}\nname,iban\nAda,DE89370400440532013000`;
    assert.equal(columnHeader(text, at(text, 'DE89')), 'iban');
  });

  it('answers for each text when texts alternate', () => {
    const a = 'name,ssn\nAda,536228741';
    const b = 'city\nnote,nhs\nx,9434765919';
    for (let i = 0; i < 3; i++) {
      assert.equal(columnHeader(a, at(a, '5362')), 'ssn');
      assert.equal(columnHeader(b, at(b, '9434')), 'nhs');
    }
  });
});
