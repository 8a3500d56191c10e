/**
 * A `Content-Disposition` header for a user-chosen file name (RFC 6266): a plain-ASCII
 * `filename` for old clients, and the exact name as UTF-8 in `filename*` (RFC 8187), which
 * every current browser prefers. Nothing from the name can break out of the header: quotes,
 * backslashes, `%` and anything outside printable ASCII are replaced in the fallback and
 * percent-encoded in `filename*`.
 */
export function contentDisposition(
  name: string,
  type: 'attachment' | 'inline' = 'attachment',
): string {
  const fallback =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^\x20-\x7e]|["\\%]/g, '_')
      .trim() || 'download';
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encodeRfc8187(name)}`;
}

/** RFC 8187 `attr-char` is narrower than what encodeURIComponent leaves alone: ' ( ) * too. */
function encodeRfc8187(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
