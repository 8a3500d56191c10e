import { exitOnSignals } from '../platform/http';
import { loadGatewayConfig } from './config';
import { startGateway } from './gateway-server';

const config = loadGatewayConfig();
startGateway(config).then(
  (gateway) => exitOnSignals(gateway, gateway.logger),
  (error: unknown) => {
    process.stderr.write(
      `gateway failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
