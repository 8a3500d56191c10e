import {
  parseContentType,
  parseMetadata,
  parseSize,
  parseTags,
  sanitizeName,
} from '../services/asset-input';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('asset input', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', '.._.._etc_passwd'],
    ['..\\..\\windows\\win.ini', '.._.._windows_win.ini'],
    ['  two   spaces\tand tab  ', 'two spaces and tab'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['bell\u0007and\u0000nul', 'bellandnul'],
    ['e\u0301', 'é'],
  ])('shows %p as %p', (raw, shown) => {
    expect(sanitizeName(raw)).toBe(shown);
  });

  it.each(['', '   ', '.', '..', '\u200b', 'x'.repeat(256)])('refuses the name %p', (raw) => {
    expect(codeOf(() => sanitizeName(raw))).toBe('BAD_USER_INPUT');
  });

  it('takes content types the configuration allows, in lower case, without parameters', () => {
    expect(parseContentType(' Image/PNG ', ['image/*'])).toBe('image/png');
    expect(parseContentType('text/csv', ['*/*'])).toBe('text/csv');
    expect(codeOf(() => parseContentType('text/csv', ['image/*']))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseContentType('text/html; charset=utf-8', ['*/*']))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(() => parseContentType('nonsense', ['*/*']))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseContentType('text/plain\r\nx: y', ['*/*']))).toBe('BAD_USER_INPUT');
  });

  it('checks sizes against the per-asset limit with PAYLOAD_TOO_LARGE', () => {
    expect(parseSize(0, 10)).toBe(0);
    expect(parseSize(10, 10)).toBe(10);
    expect(codeOf(() => parseSize(11, 10))).toBe('PAYLOAD_TOO_LARGE');
    expect(codeOf(() => parseSize(-1, 10))).toBe('BAD_USER_INPUT');
  });

  it('de-duplicates tags and bounds them', () => {
    expect(parseTags([' a ', 'a', 'b'])).toEqual(['a', 'b']);
    expect(codeOf(() => parseTags(['']))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseTags(['x'.repeat(65)]))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseTags(Array.from({ length: 51 }, (_, i) => `t${i}`)))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('takes metadata as a bounded JSON object', () => {
    expect(parseMetadata({ a: 1 })).toEqual({ a: 1 });
    expect(parseMetadata(null)).toBeNull();
    expect(codeOf(() => parseMetadata([1]))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseMetadata('x'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseMetadata({ a: 'x'.repeat(17_000) }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseMetadata({ a: '\u0000' }))).toBe('BAD_USER_INPUT');
  });
});
