import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** What the check needs of an incoming request. */
export interface SignedRequest {
  method?: string;
  /** The path and query exactly as received. */
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Whether a request's Signature V4 (Authorization header form) was made with `secretAccessKey`:
 * the request is signed again with the headers it names as signed and compared. s3rver checks
 * only the access key id, so the local S3 server uses this to refuse a wrong secret as S3 does.
 */
export async function signedWith(
  request: SignedRequest,
  accessKeyId: string,
  secretAccessKey: string,
): Promise<boolean> {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : (value ?? '');
  };
  const match = AUTHORIZATION.exec(header('authorization'));
  const when = AMZ_DATE.exec(header('x-amz-date'));
  if (!match || !when || match[1] !== accessKeyId) return false;
  const [, year, month, day, hour, minute, second] = when;
  const signer = new SignatureV4({
    service: 's3',
    region: match[3]!,
    credentials: { accessKeyId, secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
  });
  const url = new URL(request.url ?? '/', 'http://s3.local');
  const headers = Object.fromEntries(
    match[4]!.split(';').map((name) => [name, header(name)] as const),
  );
  const signed = await signer.sign(
    {
      method: request.method ?? 'GET',
      protocol: 'http:',
      hostname: header('host').split(':')[0] ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
    },
    { signingDate: new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`) },
  );
  return signed.headers.authorization === header('authorization');
}
