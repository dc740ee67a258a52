import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthService } from '../../auth/auth.service';
import { AuthController } from './auth.controller';
import { JwtAuthGuard } from './jwt-auth.guard';

/**
 * The providers of auth: the AuthService instance and the global JwtAuthGuard, which sets the
 * actor that @Roles' RolesGuard reads. Put them in a module's providers and AuthController in its
 * controllers.
 */
export function authProviders(auth: AuthService): Provider[] {
  return [
    { provide: AuthService, useValue: auth },
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ];
}

/**
 * Login and the global guards around an AuthService built outside Nest (see createNodeAuth).
 * Global: AuthService can be injected anywhere (e.g. NATS handlers calling actorFromHeaders).
 *
 * @example imports: [AuthModule.register(auth.service)]
 */
@Module({})
export class AuthModule {
  static register(auth: AuthService): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      controllers: [AuthController],
      providers: authProviders(auth),
      exports: [AuthService],
    };
  }
}
