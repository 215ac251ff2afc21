import { ValidationPipe } from '@nestjs/common';
import * as classTransformer from 'class-transformer';
import * as classValidator from 'class-validator';

/**
 * The pipe the built-in controller validates its bodies with. It is bound per parameter so the library behaves the
 * same whether or not the app registers a global `ValidationPipe`, and it is handed the library's own
 * class-validator/class-transformer so that resolution never depends on the app's `node_modules` layout.
 * Unknown properties are stripped; errors are 400s naming the field (`username must be a string`).
 */
export class AuthValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      validatorPackage: classValidator,
      transformerPackage: classTransformer,
      stopAtFirstError: true,
    });
  }
}
