import { ValidateBy, type ValidationArguments, type ValidationOptions } from 'class-validator';

const PROTOCOLS = ['mysql:', 'mariadb:'];

/** The URL's protocol (`mysql:`), or null when the value is not a URL at all. */
function protocolOf(value: unknown): string | null {
  return typeof value === 'string' && URL.canParse(value) ? new URL(value).protocol : null;
}

/**
 * A `mysql://` (or `mariadb://`) connection URL. The message never repeats the value: the URL carries the database
 * password.
 */
export function IsMySqlUrl(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMySqlUrl',
      validator: {
        validate: (value: unknown) => PROTOCOLS.includes(protocolOf(value) ?? ''),
        defaultMessage: ({ property, value }: ValidationArguments) => {
          const protocol = protocolOf(value);
          return protocol === null
            ? `${property} must look like mysql://user:pass@host:3306/db`
            : `${property} must be a mysql:// URL, got protocol ${protocol}`;
        },
      },
    },
    validationOptions,
  );
}
