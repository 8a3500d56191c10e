const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

const REDACTED = '[redacted]';

/**
 * A secret that cannot end up in a log line, an error message or a JSON response by
 * accident: every way JavaScript turns an object into text (String, template literals,
 * JSON.stringify, util.inspect, console, pino) yields `[redacted]`. The value sits in an ES
 * private field, so even inspecting with `customInspect: false` or spreading the object
 * shows nothing. Reading it takes an explicit, greppable `.reveal()`.
 */
export class Redacted<T> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspectSymbol](): string {
    return REDACTED;
  }
}
