/** An environment variable the sample app cannot use; the message names the variable. */
export class SampleConfigError extends Error {
  override readonly name = 'SampleConfigError';
}
