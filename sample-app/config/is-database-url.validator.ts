import { ValidateBy, type ValidationArguments, type ValidationOptions } from 'class-validator';

/** Protocols of the databases the sample runs on, each read by TypeORM's driver of that name. */
const PROTOCOLS = ['mysql:', 'mariadb:', 'postgres:', 'postgresql:'];

/** The URL's protocol (`mysql:`), or null when the value is not a URL at all. */
function protocolOf(value: unknown): string | null {
  return typeof value === 'string' && URL.canParse(value) ? new URL(value).protocol : null;
}

/**
 * A `mysql://` (or `mariadb://`) or `postgres://` (or `postgresql://`) connection URL. The message never repeats the
 * value: the URL carries the database password.
 */
export function IsDatabaseUrl(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDatabaseUrl',
      validator: {
        validate: (value: unknown) => PROTOCOLS.includes(protocolOf(value) ?? ''),
        defaultMessage: ({ property, value }: ValidationArguments) => {
          const protocol = protocolOf(value);
          return protocol === null
            ? `${property} must look like mysql://user:pass@host:3306/db or postgres://user:pass@host:5432/db`
            : `${property} must be a mysql:// or postgres:// URL, got protocol ${protocol}`;
        },
      },
    },
    validationOptions,
  );
}
