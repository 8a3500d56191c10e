import type { z } from 'zod';
import type { ServiceName } from '../context/service-keys';

/**
 * One call between Tessera processes, defined once next to its owner
 * (platform/contracts/<owner>/): the server route ({@link signedJsonRoute}) and the one client
 * ({@link InternalClient}) both take this definition, so neither can drift from the other.
 */
export interface InternalCall<
  TRequest extends z.ZodType = z.ZodType,
  TAnswer extends z.ZodType = z.ZodType,
> {
  /** Names the call in logs and errors: "the role lookup". */
  name: string;
  path: `/internal/${string}`;
  /** The services that serve it; a caller names one of them when there are several. */
  servedBy: readonly ServiceName[];
  /** The only services whose signature the route accepts; any other is refused 403. */
  callers: readonly ServiceName[];
  /** It changes something: each signed request is served once (its nonce is claimed). */
  mutating: boolean;
  request: TRequest;
  answer: TAnswer;
  /** How long the client waits for the whole answer, unless its caller says otherwise. */
  timeoutMs: number;
  /** Largest request body the route reads (413 beyond). */
  bodyLimitBytes: number;
}

export function defineInternalCall<TRequest extends z.ZodType, TAnswer extends z.ZodType>(
  call: InternalCall<TRequest, TAnswer>,
): Readonly<InternalCall<TRequest, TAnswer>> {
  return Object.freeze(call);
}

export type CallRequest<C extends InternalCall> = z.input<C['request']>;
export type CallAnswer<C extends InternalCall> = z.output<C['answer']>;
