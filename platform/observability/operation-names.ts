/** Distinct operation names a process labels metrics with; later ones count as `other`. */
export const MAX_OPERATION_NAMES = 100;

const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/**
 * The `operation_name` label of the GraphQL metrics, bounded: a client chooses operation
 * names, so only the first {@link MAX_OPERATION_NAMES} distinct well-formed ones get a series
 * of their own; after that every new name is `other`, and unnamed operations are `anonymous`.
 * The names an application sends are few and come early, so they keep their series; a client
 * inventing a name per request cannot grow the registry past the cap. (Names are kept for the
 * process's life: evicting one would not remove its series, only start a new one later.)
 */
export class OperationNameLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly max = MAX_OPERATION_NAMES) {}

  label(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!NAME.test(name)) return 'other';
    if (this.seen.has(name)) return name;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(name);
    return name;
  }
}
