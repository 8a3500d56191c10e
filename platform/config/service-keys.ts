import { z } from 'zod';
import {
  DEVELOPMENT_KEY_ID,
  developmentPublicKeys,
  developmentSeed,
  isServiceName,
  KEY_ID_PATTERN,
  publicKeyFromRaw,
  rawPublicKey,
  SEED_BYTES,
  ServicePublicKeys,
  signingKeyFromSeed,
  type ServiceName,
  type ServicePublicKey,
  type ServiceSigningKey,
} from '../context/service-keys';
import { RequestSigner, RequestVerifier } from '../context/signed-request';
import { exactBase64, integer } from './fields';
import type { ConfigRule } from './load';

/** `GATEWAY_SIGNING_KEY`, `AUTH_SIGNING_KEY`, …: each process reads only its own. */
export function signingKeyVariable(service: ServiceName): string {
  return `${service.toUpperCase()}_SIGNING_KEY`;
}

const HOW_TO_GENERATE = 'npm run env:generate writes fresh keys to .env';

function parseSigningKey(service: ServiceName) {
  return (value: string, ctx: z.RefinementCtx<string>): ServiceSigningKey => {
    const colon = value.indexOf(':');
    const kid = value.slice(0, colon);
    const seed = colon > 0 ? exactBase64(value.slice(colon + 1), SEED_BYTES) : null;
    if (!KEY_ID_PATTERN.test(kid) || !seed) {
      ctx.addIssue(
        `must be kid:base64 of a ${SEED_BYTES}-byte Ed25519 private key (${HOW_TO_GENERATE})`,
      );
      return z.NEVER;
    }
    return signingKeyFromSeed(service, kid, seed);
  };
}

/** `service:kid:base64,…`; every bad entry is reported by position. */
function parsePublicKeys(value: string, ctx: z.RefinementCtx<string>): ServicePublicKey[] {
  const keys: ServicePublicKey[] = [];
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  entries.forEach((entry, index) => {
    const at = `entry ${index + 1}`;
    const [service = '', kid = '', encoded = '', ...rest] = entry.split(':');
    const raw = exactBase64(encoded, SEED_BYTES);
    if (!isServiceName(service) || !KEY_ID_PATTERN.test(kid) || !raw || rest.length > 0) {
      ctx.addIssue(
        `${at} must be service:kid:base64 of a ${SEED_BYTES}-byte Ed25519 public key, the service one of gateway, auth, tenancy, assets, jobs, observability, worker`,
      );
      return;
    }
    if (keys.some((other) => other.service === service && other.kid === kid)) {
      ctx.addIssue(`${at}: ${service}:${kid} appears twice`);
      return;
    }
    try {
      keys.push({ service, kid, publicKey: publicKeyFromRaw(raw) });
    } catch {
      ctx.addIssue(`${at} (${service}:${kid}) is not an Ed25519 public key`);
    }
  });
  if (entries.length === 0) ctx.addIssue('needs at least one service:kid:base64 entry');
  return keys;
}

/**
 * How a process signs its requests and checks those it serves. Its own private key is in
 * `<SERVICE>_SIGNING_KEY` (`kid:base64`); the public keys of every service it may hear from in
 * SERVICE_PUBLIC_KEYS (`service:kid:base64,…`, several per service while one rotates). A local
 * run needs neither: each service's development key is derived from its name, and production
 * refuses those ({@link refuseDevelopmentKeysInProduction}).
 */
export function serviceKeys(service: ServiceName) {
  const seed = developmentSeed(service).toString('base64');
  return {
    [signingKeyVariable(service)]: z
      .string()
      .default(`${DEVELOPMENT_KEY_ID}:${seed}`)
      .meta({
        documentedDefault:
          'a development key derived from the service name (refused in production)',
      })
      .transform(parseSigningKey(service))
      .describe(
        `kid:base64 of the ${service} process's 32-byte Ed25519 private key: signs every request it sends another process. Refused unset or development in production.`,
      ),
    SERVICE_PUBLIC_KEYS: z
      .string()
      .default(developmentPublicKeys())
      .meta({ documentedDefault: "every service's development public key (refused in production)" })
      .transform(parsePublicKeys)
      .describe(
        'service:kid:base64,… (32-byte Ed25519 public keys) of every process, several per service while one rotates. Refused unset or development in production.',
      ),
    CONTEXT_MAX_AGE_SECONDS: integer(60, 1, 600).describe(
      'A signed request older (or further in the future) than this is refused; nonces are kept twice as long.',
    ),
  } as {
    SERVICE_PUBLIC_KEYS: z.ZodType<ServicePublicKey[], string | undefined>;
    CONTEXT_MAX_AGE_SECONDS: ReturnType<typeof integer>;
  };
}

/** What {@link serviceKeys} parses, as the rest of the process sees it. */
export interface ServiceKeysConfig {
  NODE_ENV: string;
  SERVICE_PUBLIC_KEYS: ServicePublicKey[];
  CONTEXT_MAX_AGE_SECONDS: number;
}

/** The private key `<SERVICE>_SIGNING_KEY` held (the one variable whose name depends on it). */
export function ownSigningKey(config: ServiceKeysConfig, service: ServiceName): ServiceSigningKey {
  return (config as unknown as Record<string, ServiceSigningKey>)[signingKeyVariable(service)]!;
}

/** A process's signer and verifier, built once at start (keys imported, never per request). */
export interface ServiceSigning {
  service: ServiceName;
  signer: RequestSigner;
  verifier: RequestVerifier;
  key: ServiceSigningKey;
}

export function serviceSigning(config: ServiceKeysConfig, service: ServiceName): ServiceSigning {
  const key = ownSigningKey(config, service);
  return {
    service,
    key,
    signer: new RequestSigner(key),
    verifier: new RequestVerifier({
      self: service,
      keys: new ServicePublicKeys(config.SERVICE_PUBLIC_KEYS),
      maxAgeSeconds: config.CONTEXT_MAX_AGE_SECONDS,
    }),
  };
}

/**
 * The development keys are public (derived from a service's name), so production refuses
 * them: unset, a process would sign with one, and accept requests signed with them.
 */
export function refuseDevelopmentKeysInProduction(
  service: ServiceName,
): ConfigRule<ServiceKeysConfig> {
  const developmentKeys = new Set(
    developmentPublicKeys()
      .split(',')
      .map((entry) => entry.split(':')[2]),
  );
  return (config) => {
    if (config.NODE_ENV !== 'production') return [];
    const problems: { variable: string; message: string }[] = [];
    if (ownSigningKey(config, service).seed.reveal().equals(developmentSeed(service))) {
      problems.push({
        variable: signingKeyVariable(service),
        message: `must be set to a key of your own when NODE_ENV=production (${HOW_TO_GENERATE})`,
      });
    }
    const development = config.SERVICE_PUBLIC_KEYS.filter(({ publicKey }) =>
      developmentKeys.has(rawPublicKey(publicKey).toString('base64')),
    );
    if (development.length > 0) {
      problems.push({
        variable: 'SERVICE_PUBLIC_KEYS',
        message: `must list your own keys when NODE_ENV=production, not the development keys of ${development.map((key) => key.service).join(', ')} (${HOW_TO_GENERATE})`,
      });
    }
    return problems;
  };
}
