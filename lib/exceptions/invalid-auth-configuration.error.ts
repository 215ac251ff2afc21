/** Thrown at startup when the module options cannot work or are unsafe; the message says which option and why. */
export class InvalidAuthConfigurationError extends Error {
  constructor(message: string) {
    super(`DualTokenAuthModule: ${message}`);
    this.name = 'InvalidAuthConfigurationError';
  }
}
