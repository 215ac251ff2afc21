import { ConfigurableModuleBuilder } from '@nestjs/common';
import { REGISTRATION_DEFAULTS } from './config/registration-options.js';
import type {
  DualTokenAuthOptions,
  DualTokenAuthRegistrationOptions,
} from './interfaces/dual-token-auth-options.interface.js';

export const {
  ConfigurableModuleClass: DualTokenAuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: DUAL_TOKEN_AUTH_OPTIONS,
  OPTIONS_TYPE: DUAL_TOKEN_AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: DUAL_TOKEN_AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DualTokenAuthOptions>({ moduleName: 'DualTokenAuth' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createDualTokenAuthOptions')
  .setExtras<DualTokenAuthRegistrationOptions>(REGISTRATION_DEFAULTS, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
