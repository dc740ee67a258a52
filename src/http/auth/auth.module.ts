import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthService } from '../../auth/auth.service';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleOptions } from '../../auth/login-throttle';
import { AuthController } from './auth.controller';
import { JwtAuthGuard } from './jwt-auth.guard';

/** How auth is set up on a node. */
export interface AuthModuleOptions {
  /** Failed-login limits of this node (default DEFAULT_LOGIN_THROTTLE). */
  readonly loginThrottle?: LoginThrottleOptions;
}

/**
 * The providers of auth: the AuthService instance, the login throttle and the global
 * JwtAuthGuard, which sets the actor that @Roles' RolesGuard reads. Put them in a module's
 * providers and AuthController in its controllers.
 */
export function authProviders(auth: AuthService, options: AuthModuleOptions = {}): Provider[] {
  return [
    { provide: AuthService, useValue: auth },
    { provide: LoginThrottle, useValue: new LoginThrottle(options.loginThrottle ?? DEFAULT_LOGIN_THROTTLE, Date.now) },
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
  static register(auth: AuthService, options: AuthModuleOptions = {}): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      controllers: [AuthController],
      providers: authProviders(auth, options),
      exports: [AuthService],
    };
  }
}
