import { ConfigError, parseConfig } from '../../platform/config/load';
import { gatewayConfigRules, gatewayConfigShape } from '../config';

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(gatewayConfigShape, env, gatewayConfigRules);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.lines;
    throw error;
  }
}

describe('gateway configuration in generic mode', () => {
  it('serves any supergraph in production with policies off and no secret, database or Redis', () => {
    const config = parseConfig(
      gatewayConfigShape,
      {
        NODE_ENV: 'production',
        GATEWAY_POLICIES: 'off',
        GATEWAY_SUPERGRAPH_PATH: '/tmp/any-supergraph.graphql',
        GATEWAY_METRICS_PORT: '9464',
      },
      gatewayConfigRules,
    );
    expect(config.GATEWAY_POLICIES).toBe('off');
    expect(config.GATEWAY_SUPERGRAPH_PATH).toBe('/tmp/any-supergraph.graphql');
  });

  it('still refuses the development keys in production with policies on', () => {
    expect(
      problems({ NODE_ENV: 'production', GATEWAY_METRICS_PORT: '9464' }).map((line) =>
        line.split(':')[1]!.trim(),
      ),
    ).toEqual(['GATEWAY_SIGNING_KEY', 'SERVICE_PUBLIC_KEYS']);
  });
});
