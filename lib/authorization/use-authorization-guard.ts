import { UseGuards } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { AuthorizationGuard } from './authorization.guard.js';

/**
 * `@UseGuards(AuthorizationGuard)`, applied once per handler or class: `@Roles()` and `@RequireRecentLogin()` on the
 * same route would otherwise run the guard (and a predicate) twice.
 */
export function useAuthorizationGuard(): MethodDecorator & ClassDecorator {
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = descriptor ? (descriptor.value as object) : target;
    const guards = (Reflect.getMetadata(GUARDS_METADATA, holder) as unknown[] | undefined) ?? [];
    if (guards.includes(AuthorizationGuard)) return;
    if (descriptor) UseGuards(AuthorizationGuard)(target, key!, descriptor);
    else UseGuards(AuthorizationGuard)(target as Function);
  };
}
