import {
  generateServiceKey,
  SERVICE_NAMES,
  signingKeyFromSeed,
  type ServiceName,
} from '../platform/context/service-keys';
import { RequestSigner } from '../platform/context/signed-request';
import { signingKeyVariable } from '../platform/config/service-keys';

/** Fresh keys for one test stack, as the processes read them, and signers for the tests. */
export interface TestServiceKeys {
  /** Every process's `<SERVICE>_SIGNING_KEY`, and SERVICE_PUBLIC_KEYS listing them all. */
  env: Record<string, string>;
  /** Signs as `service` with its key, as that process does. */
  signer(service: ServiceName): RequestSigner;
  /** The seed of `service`'s private key (what keys derived from it start from). */
  seed(service: ServiceName): Buffer;
}

export function generateTestServiceKeys(): TestServiceKeys {
  const env: Record<string, string> = {};
  const signers = new Map<ServiceName, RequestSigner>();
  const seeds = new Map<ServiceName, Buffer>();
  const publicKeys: string[] = [];
  for (const service of SERVICE_NAMES) {
    const { signingKey, publicKey } = generateServiceKey(service, 'test');
    env[signingKeyVariable(service)] = signingKey;
    publicKeys.push(publicKey);
    const seed = Buffer.from(signingKey.slice('test:'.length), 'base64');
    seeds.set(service, seed);
    signers.set(service, new RequestSigner(signingKeyFromSeed(service, 'test', seed)));
  }
  env.SERVICE_PUBLIC_KEYS = publicKeys.join(',');
  return {
    env,
    signer: (service) => signers.get(service)!,
    seed: (service) => seeds.get(service)!,
  };
}
