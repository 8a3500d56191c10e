import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { z } from 'zod';
import { gatewayConfigRules, gatewayConfigShape } from '../../gateway/config';
import { ownSigningKey, signingKeyVariable } from '../../platform/config/service-keys';
import { parseConfig } from '../../platform/config/load';
import { SERVICE_NAMES } from '../../platform/context/service-keys';
import { serviceRole } from '../../platform/db/roles';
import { subgraphConfigSchema } from '../../platform/subgraph/subgraph-service';
import { createServiceMetrics } from '../../platform/observability/metrics';
import { repoRoot, SUBGRAPH_NAMES } from '../../platform/paths';
import { assetsSubgraph } from '../../subgraphs/assets/subgraph';
import { authSubgraph } from '../../subgraphs/auth/subgraph';
import { jobsSubgraph } from '../../subgraphs/jobs/subgraph';
import { workerConfigRules, workerConfigShape } from '../../subgraphs/jobs/worker/config';
import { observabilitySubgraph } from '../../subgraphs/observability/subgraph';
import { tenancySubgraph } from '../../subgraphs/tenancy/subgraph';
import { SERVICE_ENTRIES, SERVICE_NODE_FLAGS, type ServiceName } from '../lib/service-process';
import { generateEnv } from '../generate-env';
import { migrationConfigShape, serviceDatabaseUrls } from '../migrate';

// The deployment files (Dockerfile, docker-compose.yml, deploy/) cannot be run here without a
// Docker engine; this checks what can be checked without one: the files parse, name every
// process the launcher knows, hand each one an environment its own config accepts, and
// monitor only metrics the processes really expose.

const root = repoRoot();
const SUBGRAPHS = {
  auth: authSubgraph,
  tenancy: tenancySubgraph,
  assets: assetsSubgraph,
  jobs: jobsSubgraph,
  observability: observabilitySubgraph,
} as const;
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  volumes?: string[];
}
const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
const processNames = Object.keys(SERVICE_ENTRIES) as ServiceName[];

/** An `.env` as `npm run env:generate` writes it: every secret compose requires. */
const dotEnv = generateEnv();

/**
 * What a process's environment looks like with that `.env` and nothing else set: each
 * `${NAME:-default}` its default, each `${NAME:?error}` the value from `.env`.
 */
function composeEnv(service: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(services[service]?.environment ?? {}).map(([key, value]) => [
      key,
      String(value)
        .replace(/\$\{\w+:-([^}]*)\}/g, '$1')
        .replace(/\$\{(\w+):\?[^}]*\}/g, (_match, name: string) => {
          if (!(name in dotEnv)) throw new Error(`compose requires ${name}, which .env lacks`);
          return dotEnv[name]!;
        }),
    ]),
  );
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A test that needs a tool: skipped, with the reason in its name and on the console, if absent. */
function withTool(tool: string, name: string, fn: () => void): void {
  if (onPath(tool)) return it(name, fn);
  const reason = `${tool} is not on PATH`;
  console.warn(`deployment-files: skipping "${name}": ${reason}`);
  it.skip(`${name} (skipped: ${reason})`, fn);
}

/** Every metric name the processes expose, so a dashboard or alert cannot refer to a typo. */
function exposedMetricNames(): Set<string> {
  const metrics = createServiceMetrics('deployment-files-test');
  const names = new Set(metrics.registry.getMetricsAsArray().map((metric) => metric.name));
  metrics.registry.clear();
  // Metrics registered outside createServiceMetrics (SQL statements, jobs), by their literal name.
  for (const dir of ['gateway', 'platform', 'subgraphs']) {
    for (const file of readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || /__tests__|generated/.test(file)) continue;
      const source = readFileSync(join(root, dir, file), 'utf8');
      for (const match of source.matchAll(/name: '(tessera_[a-z_]+)'/g)) names.add(match[1]!);
    }
  }
  names.add('up');
  return names;
}

/** The metric names a PromQL expression selects (functions, labels and keywords left out). */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ')
    .replace(/\b\d+(\.\d+)?(e[+-]?\d+)?\b/gi, ' ');
  const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
  return [...bare.matchAll(/([a-zA-Z_:][\w:]*)(\s*\()?/g)]
    .filter((match) => match[2] === undefined && !keywords.has(match[1]!.toLowerCase()))
    .map((match) => match[1]!);
}

function expectKnownMetrics(where: string, expr: string, known: Set<string>): void {
  const names = metricNames(expr);
  expect({ where, names: names.length > 0 }).toEqual({ where, names: true });
  for (const name of names) {
    const base = name.replace(/_(bucket|sum|count)$/, '');
    expect({ where, name, tesseraOrUp: /^tessera_/.test(name) || name === 'up' }).toEqual({
      where,
      name,
      tesseraOrUp: true,
    });
    expect({ where, name, exposed: known.has(name) || known.has(base) }).toEqual({
      where,
      name,
      exposed: true,
    });
  }
}

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds with npm ci and npm run build, and runs the gateway by default as a non-root user', () => {
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^RUN npm run build\b/m);
    expect(runtime).toMatch(/^USER node$/m);
    const command = ['node', ...(SERVICE_NODE_FLAGS.gateway ?? []), SERVICE_ENTRIES.gateway];
    expect(runtime).toContain(`CMD ${JSON.stringify(command).replace(/","/g, '", "')}`);
    // What repoRoot() and the processes need at run time.
    for (const path of ['package.json', 'node_modules', 'schema', 'dist']) {
      expect(runtime).toMatch(new RegExp(`^COPY --from=build /app/${path} `, 'm'));
    }
  });

  it("has PostgreSQL's client tools for the worker's backups, of the compose server's version", () => {
    const server = /image: postgres:(\d+)/.exec(read('docker-compose.yml'))?.[1];
    expect(runtime).toContain(`ARG PG_CLIENT_PACKAGE=postgresql-client-${server}`);
    expect(runtime).toMatch(/apt-get install -y --no-install-recommends \$\{PG_CLIENT_PACKAGE\}/);
  });

  it('keeps what the build needs out of .dockerignore', () => {
    // The folders `npm run build` compiles; the harness and the benchmarks are not among them.
    const BUILT_DIRS = ['gateway', 'platform', 'subgraphs', 'scripts'];
    const ignored = read('.dockerignore')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'));
    for (const needed of ['package.json', 'package-lock.json', '.swcrc', 'schema', ...BUILT_DIRS]) {
      expect(ignored).not.toContain(needed);
    }
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git']));
  });
});

describe('docker-compose.yml', () => {
  withTool(
    'docker-compose',
    'is accepted by `docker-compose config -q` with a generated .env',
    () => {
      const scratch = mkdtempSync(join(tmpdir(), 'tessera-env-'));
      try {
        const envFile = join(scratch, '.env');
        writeFileSync(
          envFile,
          Object.entries(dotEnv)
            .map(([name, value]) => `${name}=${value}\n`)
            .join(''),
        );
        const args = ['-f', 'docker-compose.yml', '--env-file', envFile, 'config', '-q'];
        expect(run('docker-compose', args)).toEqual({ status: 0, output: '' });
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
  );

  it('reads every secret from .env, with no default, and keeps .env out of git and images', () => {
    const source = read('docker-compose.yml');
    const required = new Set([...source.matchAll(/\$\{(\w+):\?[^}]*\}/g)].map((m) => m[1]!));
    const defaulted = [...source.matchAll(/\$\{(\w+):-[^}]*\}/g)].map((m) => m[1]!);
    expect(defaulted.filter((name) => /PASSWORD|SECRET|KEY/.test(name))).toEqual([]);
    expect([...required].sort()).toEqual(Object.keys(dotEnv).sort());
    // .env.example names the same variables, with placeholders the processes refuse.
    const example = read('.env.example')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line));
    expect(example.map((line) => line.split('=')[0]).sort()).toEqual([...required].sort());
    for (const line of example) expect(line).toMatch(/=.*<[^>]+>/);
    for (const ignore of ['.gitignore', '.dockerignore']) {
      expect(read(ignore).split('\n')).toContain('.env');
    }
  });

  it('runs every process of SERVICE_ENTRIES from the one image, with its flags and script as the command', () => {
    for (const name of processNames) {
      const service = services[name];
      expect({ name, command: service?.command, image: service?.image }).toEqual({
        name,
        command: ['node', ...(SERVICE_NODE_FLAGS[name] ?? []), SERVICE_ENTRIES[name]],
        image: services.migrate?.image,
      });
      expect(existsSync(join(root, SERVICE_ENTRIES[name]))).toBe(true);
      expect(service?.depends_on?.migrate).toEqual({
        condition: 'service_completed_successfully',
      });
      expect(service?.healthcheck?.test.join(' ')).toContain('/readyz');
      expect(composeEnv(name).HOST).toBe('0.0.0.0');
    }
  });

  it("migrates as the PostgreSQL superuser and gives each service's role its URL's password", () => {
    const migrate = services.migrate!;
    expect(migrate.build).toBeDefined();
    expect(migrate.command).toEqual(['node', 'dist/scripts/migrate.js', 'up']);
    expect(existsSync(join(root, 'dist/scripts/migrate.js'))).toBe(true);
    expect(migrate.depends_on?.postgres).toEqual({ condition: 'service_healthy' });
    const env = parseConfig(migrationConfigShape, composeEnv('migrate'));
    expect(new URL(env.MIGRATION_DATABASE_URL).username).toBe('postgres');
    expect(new URL(env.MIGRATION_DATABASE_URL).host).toBe('postgres:5432');
    for (const [service, url] of Object.entries(serviceDatabaseUrls(env))) {
      expect([service, url]).toEqual([service, composeEnv(service).DATABASE_URL]);
    }
  });

  it('hands each process an environment its own config accepts in production', () => {
    for (const name of SUBGRAPH_NAMES) {
      const env = composeEnv(name);
      const { shape, rules } = subgraphConfigSchema<z.ZodRawShape>(SUBGRAPHS[name]);
      const config = parseConfig(shape, env, rules) as {
        NODE_ENV: string;
        DATABASE_URL: string;
        REDIS_URL: string;
        TENANCY_INTERNAL_URL: string;
      };
      expect({ name, nodeEnv: config.NODE_ENV }).toEqual({ name, nodeEnv: 'production' });
      expect(new URL(config.DATABASE_URL).username).toBe(serviceRole(name));
      expect(new URL(config.DATABASE_URL).hostname).toBe('postgres');
      expect(new URL(config.REDIS_URL).hostname).toBe('redis');
      expect(config.TENANCY_INTERNAL_URL).toBe(`http://tenancy:${composeEnv('tenancy').PORT}`);
    }
    // Assets asks auth (API key owners) and tenancy (tenant statuses) by their service names.
    const assets = composeEnv('assets');
    expect([assets.AUTH_INTERNAL_URL, assets.TENANCY_INTERNAL_URL]).toEqual([
      'http://auth:4001',
      'http://tenancy:4002',
    ]);
    const workerEnv = composeEnv('worker');
    const worker = parseConfig(workerConfigShape, workerEnv, workerConfigRules);
    expect(new URL(worker.REDIS_URL).hostname).toBe('redis');
    expect(new URL(worker.DATABASE_URL).username).toBe(serviceRole('worker'));
    // No two processes share a role or a password.
    const urls = [
      ...SUBGRAPH_NAMES.map((name) => composeEnv(name).DATABASE_URL),
      worker.DATABASE_URL,
    ];
    expect(new Set(urls.map((url) => new URL(url!).username)).size).toBe(urls.length);
    expect(new Set(urls.map((url) => new URL(url!).password)).size).toBe(urls.length);
    for (const name of SUBGRAPH_NAMES) {
      const variable = `SUBGRAPH_${name.toUpperCase()}_URL` as keyof typeof worker;
      expect(new URL(worker[variable] as string).hostname).toBe(name);
    }

    const gatewayEnv = composeEnv('gateway');
    const gateway = parseConfig(gatewayConfigShape, gatewayEnv, gatewayConfigRules);
    expect(new URL(gateway.REDIS_URL).hostname).toBe('redis');
    expect(ownSigningKey(gateway, 'gateway').kid).toMatch(/^k\d{8}$/);
    for (const name of SUBGRAPH_NAMES) {
      expect(gatewayEnv[`SUBGRAPH_${name.toUpperCase()}_URL`]).toBe(
        `http://${name}:${composeEnv(name).PORT}/graphql`,
      );
    }
  });

  it('gives each process its own signing key and no other, and every process all public keys', () => {
    for (const name of SERVICE_NAMES) {
      const env = composeEnv(name);
      const keys = SERVICE_NAMES.filter((service) => signingKeyVariable(service) in env);
      expect({ name, keys }).toEqual({ name, keys: [name] });
      expect(env.SERVICE_PUBLIC_KEYS).toBe(dotEnv.SERVICE_PUBLIC_KEYS);
    }
  });

  it('publishes ports for the gateway, Prometheus, Alertmanager and Grafana only', () => {
    const published = Object.entries(services)
      .filter(([, service]) => service.ports?.length)
      .map(([name, service]) => [name, service.ports]);
    expect(Object.fromEntries(published)).toEqual({
      gateway: [`4000:${composeEnv('gateway').PORT}`],
      prometheus: ['9090:9090'],
      alertmanager: ['9093:9093'],
      grafana: ['3000:3000'],
    });
  });

  it('checks the health of PostgreSQL and Redis before anything depends on them', () => {
    expect(services.postgres?.image).toBe('postgres:15');
    expect(services.redis?.image).toBe('redis:7');
    expect(services.postgres?.healthcheck?.test).toContain('pg_isready');
    expect(services.redis?.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });
});

describe('Prometheus', () => {
  interface AlertRule {
    alert: string;
    expr: string;
    labels?: { severity?: string };
    annotations?: { summary?: string };
  }
  const config = parseYaml(read('deploy/prometheus/prometheus.yml')) as {
    rule_files: string[];
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  const ruleFiles = readdirSync(join(root, 'deploy/prometheus/rules')).filter((file) =>
    file.endsWith('.yml'),
  );
  const testFiles = readdirSync(join(root, 'deploy/prometheus/tests')).filter((file) =>
    file.endsWith('.test.yml'),
  );
  const rules = ruleFiles.flatMap((file) =>
    (
      parseYaml(read(`deploy/prometheus/rules/${file}`)) as { groups: { rules: AlertRule[] }[] }
    ).groups.flatMap((group) => group.rules),
  );

  it('scrapes every process at its compose host and port, one job per process', () => {
    const jobs = Object.fromEntries(
      config.scrape_configs.map((job) => [
        job.job_name,
        job.static_configs.flatMap((static_) => static_.targets),
      ]),
    );
    for (const name of processNames) {
      // The gateway's public port serves no /metrics in production: its metrics port does.
      const port = composeEnv(name).GATEWAY_METRICS_PORT ?? composeEnv(name).PORT;
      expect({ name, targets: jobs[name] }).toEqual({ name, targets: [`${name}:${port}`] });
    }
    // Observability reads the gateway's /readyz and /metrics there too.
    expect(composeEnv('observability').GATEWAY_INTERNAL_URL).toBe(
      `http://gateway:${composeEnv('gateway').GATEWAY_METRICS_PORT}`,
    );
    expect(config.rule_files).toEqual(['rules/*.yml']);
    expect(services.prometheus?.volumes).toContain('./deploy/prometheus:/etc/prometheus:ro');
  });

  it('loads rule files only from rules/, and every one has promtool unit tests in tests/', () => {
    expect(ruleFiles).toContain('platform.yml');
    // The glob loads all of rules/: a test file there would break Prometheus's start.
    expect(ruleFiles.filter((file) => file.includes('.test.'))).toEqual([]);
    const tested = testFiles.flatMap(
      (file) =>
        (parseYaml(read(`deploy/prometheus/tests/${file}`)) as { rule_files: string[] }).rule_files,
    );
    for (const file of ruleFiles) expect(tested).toContain(`../rules/${file}`);
  });

  it('sends its alerts to the Alertmanager service of compose', () => {
    const targets = config.alerting.alertmanagers.flatMap((manager) =>
      manager.static_configs.flatMap((static_) => static_.targets),
    );
    expect(targets).toEqual(['alertmanager:9093']);
    expect(services.prometheus?.depends_on).toEqual(expect.arrayContaining(['alertmanager']));
  });

  it('has alerting rules with an expression, a severity and a summary, over exposed metrics', () => {
    const known = exposedMetricNames();
    expect(rules.length).toBeGreaterThanOrEqual(6);
    for (const rule of rules) {
      expect({
        alert: rule.alert,
        expr: typeof rule.expr,
        severity: ['critical', 'warning'].includes(rule.labels?.severity ?? ''),
        summary: typeof rule.annotations?.summary,
      }).toEqual({ alert: rule.alert, expr: 'string', severity: true, summary: 'string' });
      expectKnownMetrics(rule.alert, rule.expr, known);
    }
  });

  it('has backup alerts over the metrics the backup job exposes', () => {
    const known = exposedMetricNames();
    const backupAlerts = parseYaml(read('deploy/prometheus/rules/backup.yml')) as {
      groups: { rules: AlertRule[] }[];
    };
    const rules = backupAlerts.groups.flatMap((group) => group.rules);
    expect(rules.map((rule) => rule.alert)).toEqual(['TesseraBackupStale', 'TesseraBackupFailed']);
    for (const rule of rules) expectKnownMetrics(rule.alert, rule.expr, known);
  });

  withTool('promtool', 'accepts the config and rules, and the rules pass their unit tests', () => {
    expect(run('promtool', ['check', 'config', 'deploy/prometheus/prometheus.yml'])).toEqual({
      status: 0,
      output: expect.stringContaining('SUCCESS'),
    });
    for (const file of testFiles) {
      const tests = run('promtool', ['test', 'rules', `deploy/prometheus/tests/${file}`]);
      expect({ file, ...tests }).toEqual({
        file,
        status: 0,
        output: expect.stringContaining('SUCCESS'),
      });
    }
  });
});

describe('Alertmanager', () => {
  const file = 'deploy/alertmanager/alertmanager.yml';
  const source = read(file);
  const alertmanager = parseYaml(source) as {
    route: { receiver: string; routes?: { receiver: string }[] };
    receivers: { name: string; [config: string]: unknown }[];
  };

  it('runs in compose with its config and secrets folder mounted read-only', () => {
    expect(services.alertmanager?.volumes).toContain('./deploy/alertmanager:/etc/alertmanager:ro');
    expect(services.alertmanager?.healthcheck?.test.join(' ')).toContain('/-/ready');
    // The secrets folder keeps its values out of git.
    expect(read('deploy/alertmanager/secrets/.gitignore').split('\n')).toEqual(
      expect.arrayContaining(['*', '!README.md']),
    );
  });

  it('routes only to receivers it defines, and reads their secrets from files', () => {
    const names = alertmanager.receivers.map((receiver) => receiver.name);
    const routed = [alertmanager.route, ...(alertmanager.route.routes ?? [])].map(
      (route) => route.receiver,
    );
    for (const receiver of routed) expect(names).toContain(receiver);
    // No inline secret: webhook URLs, routing keys and passwords come from *_file settings.
    expect(source).not.toMatch(/\b(api_url|routing_key|service_key|auth_password|url):/);
    expect(source).toMatch(/api_url_file: \/etc\/alertmanager\/secrets\//);
    expect(source).toMatch(/routing_key_file: \/etc\/alertmanager\/secrets\//);
  });

  withTool('amtool', 'is accepted by `amtool check-config`', () => {
    expect(run('amtool', ['check-config', file])).toEqual({
      status: 0,
      output: expect.stringContaining('SUCCESS'),
    });
  });
});

describe('Grafana', () => {
  interface Panel {
    title?: string;
    type: string;
    datasource?: { uid?: string };
    targets?: { expr?: string }[];
    panels?: Panel[];
  }
  const dashboard = JSON.parse(read('deploy/grafana/dashboards/tessera.json')) as {
    uid: string;
    panels: Panel[];
    templating: { list: { name: string; query: string | { query: string } }[] };
  };
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  const graphs = panels.filter((panel) => panel.type !== 'row');
  const datasources = parseYaml(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
    datasources: { uid: string; type: string; url: string }[];
  };
  const providers = parseYaml(read('deploy/grafana/provisioning/dashboards/tessera.yml')) as {
    providers: { options: { path: string } }[];
  };

  it('provisions the Prometheus data source and the dashboard folder compose mounts', () => {
    expect(datasources.datasources).toEqual([
      expect.objectContaining({
        uid: 'prometheus',
        type: 'prometheus',
        url: 'http://prometheus:9090',
      }),
    ]);
    const mounts = services.grafana?.volumes ?? [];
    expect(mounts).toContain('./deploy/grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(mounts).toContain(
      `./deploy/grafana/dashboards:${providers.providers[0]!.options.path}:ro`,
    );
  });

  it('queries only metrics the processes expose, in every panel', () => {
    const known = exposedMetricNames();
    expect(graphs.length).toBeGreaterThanOrEqual(8);
    for (const panel of graphs) {
      expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({
        panel: panel.title,
        uid: 'prometheus',
      });
      expect({ panel: panel.title, targets: (panel.targets ?? []).length > 0 }).toEqual({
        panel: panel.title,
        targets: true,
      });
      for (const target of panel.targets ?? []) {
        expectKnownMetrics(panel.title ?? '?', target.expr ?? '', known);
      }
    }
    for (const variable of dashboard.templating.list) {
      const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
      const metric = /label_values\(\s*([a-zA-Z_:][\w:]*)\s*,/.exec(query)?.[1] ?? '';
      expectKnownMetrics(`$${variable.name}`, metric, known);
    }
  });

  withTool('promtool', 'has panel expressions that PromQL parses', () => {
    // Grafana's variables replaced by what they expand to, each expression a recording rule.
    const rules = graphs.flatMap((panel, index) =>
      (panel.targets ?? []).map((target, at) => ({
        record: `dashboard:panel_${index}_${at}`,
        expr: (target.expr ?? '')
          .replace(/\$__rate_interval|\$__interval/g, '1m')
          .replace(/\$service/g, '.*'),
      })),
    );
    const scratch = mkdtempSync(join(tmpdir(), 'tessera-dashboard-'));
    try {
      const file = join(scratch, 'dashboard-rules.yml');
      writeFileSync(file, stringifyYaml({ groups: [{ name: 'dashboard', rules }] }));
      const result = run('promtool', ['check', 'rules', file]);
      expect(result).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
