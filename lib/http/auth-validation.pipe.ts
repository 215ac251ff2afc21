import { type ArgumentMetadata, BadRequestException, ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import * as classTransformer from 'class-transformer';
import * as classValidator from 'class-validator';

/** Options of {@link AuthValidationPipe}: Nest's `ValidationPipe` options plus a nesting bound. */
export interface AuthValidationPipeOptions extends ValidationPipeOptions {
  /** Deepest nesting of objects and arrays accepted in a body (the body itself is level 1). @default 32 */
  maxBodyDepth?: number;
}

/**
 * The pipe the built-in controller validates its bodies with; apps may use it globally too. It is bound per
 * parameter so the library behaves the same whether or not the app registers a global `ValidationPipe`, and it is
 * handed the library's own class-validator/class-transformer so that resolution never depends on the app's
 * `node_modules` layout. Unknown properties are stripped; errors are 400s naming the field (`username must be a
 * string`).
 *
 * Bodies nested deeper than `maxBodyDepth` are a 400 before class-transformer sees them: it walks nested values
 * recursively, so a 3 KB body of 1,500 nested arrays overflowed the stack (a 500) even though the property was unknown.
 */
export class AuthValidationPipe extends ValidationPipe {
  private readonly maxBodyDepth: number;

  constructor({ maxBodyDepth = 32, ...options }: AuthValidationPipeOptions = {}) {
    super({
      whitelist: true,
      validatorPackage: classValidator,
      transformerPackage: classTransformer,
      stopAtFirstError: true,
      ...options,
    });
    this.maxBodyDepth = maxBodyDepth;
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && nestingDepthExceeds(value, this.maxBodyDepth)) {
      throw new BadRequestException([`request body is nested more than ${this.maxBodyDepth} levels deep`]);
    }
    return super.transform(value, metadata);
  }
}

/** Whether objects/arrays in `value` nest deeper than `limit`; iterative, so hostile input cannot overflow the stack. */
function nestingDepthExceeds(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (depth > limit) return true;
    for (const child of Object.values(node as object)) {
      if (child !== null && typeof child === 'object') pending.push([child, depth + 1]);
    }
  }
  return false;
}
