/**
 * graphql-js ends a message with its suggestions (` Did you mean "adminJobs"?`, `… the enum
 * value "ADMIN"?`); the same pattern as Apollo Server's own DisableSuggestions plugin.
 */
const SUGGESTION = / ?Did you mean(.+?)\?$/;

/**
 * The error without graphql-js's "Did you mean …?", which names fields, arguments, types and
 * enum values of the schema. With introspection off, errors then teach a client no more of
 * the schema than it already sent. Covers every error, not only validation's: a variable's
 * enum value is suggested when the variable is coerced.
 */
export function withoutSuggestions<E extends { message: string }>(error: E): E {
  const message = error.message.replace(SUGGESTION, '');
  return message === error.message ? error : { ...error, message };
}
