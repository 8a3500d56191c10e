import {
  launchService,
  type LaunchedService,
  type ServiceName,
  type ServiceProcess,
} from './service-process';

/** Thrown by {@link Supervisor.start} once a stop has begun: nothing new is spawned then. */
export class SupervisorStopping extends Error {
  constructor(name: ServiceName) {
    super(`${name} not started: stopping`);
  }
}

export interface SupervisorOptions {
  /** Every line the children print, and the supervisor's own. */
  print(line: string): void;
  /** Problems: a child that died, one that did not stop cleanly. */
  warn(line: string): void;
  /** Ends the supervisor with this code once every child has exited. */
  exit(code: number): void;
}

/**
 * Runs processes as one unit, as `npm start` does. A process is in the supervisor's hands from
 * the moment it is spawned, not from when it listens, so a Ctrl-C at any point of the startup
 * stops every process started so far, and none is started after it.
 */
export class Supervisor {
  private readonly launched: LaunchedService[] = [];
  private readonly listening = new Set<ServiceName>();
  private stopping = false;

  constructor(private readonly options: SupervisorOptions) {}

  /** True once a stop has begun: a start that fails after it failed because of it. */
  get stopRequested(): boolean {
    return this.stopping;
  }

  async start(name: ServiceName, env: NodeJS.ProcessEnv): Promise<ServiceProcess> {
    if (this.stopping) throw new SupervisorStopping(name);
    const service = launchService(name, {
      env,
      onLine: (line) => this.options.print(line),
      detached: true,
    });
    this.launched.push(service);
    this.options.print(`${name}: started (pid ${service.child.pid})`);
    void service.exited.then((code) => {
      if (this.stopping) return;
      this.options.warn(`${name} exited unexpectedly (${code}); stopping the others`);
      void this.stopAll(1);
    });
    const ready = await service.ready;
    this.listening.add(name);
    return ready;
  }

  /** Stops every process spawned (SIGTERM, SIGKILL if one hangs), then exits. Runs once. */
  async stopAll(code: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const exits = await Promise.all(
      this.launched.map(async (service) => ({ name: service.name, code: await service.stop() })),
    );
    // A process that was serving and could not drain must not pass for a clean stop. One that
    // was still starting held no work: ending it by the signal is the stop asked for.
    const failed = exits.filter((exit) => exit.code !== 0 && this.listening.has(exit.name));
    if (failed.length > 0) {
      const names = failed.map((exit) => `${exit.name} (exit ${exit.code})`).join(', ');
      this.options.warn(`not stopped cleanly: ${names}`);
    }
    this.options.exit(failed.length > 0 ? 1 : code);
  }
}
