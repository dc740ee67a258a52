import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthService } from '../../auth/auth.service';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleOptions } from '../../auth/login-throttle';
import { AuthController } from './auth.controller';
import { JwtAuthGuard } from './jwt-auth.guard';
import { RolesGuard } from './roles.guard';

/** Which global guards auth installs. */
export interface AuthModuleOptions {
  /** Install RolesGuard globally for @Roles of this folder (default true); false when another roles guard serves. */
  readonly globalRolesGuard?: boolean;
  /** Failed-login limits of this node (default DEFAULT_LOGIN_THROTTLE). */
  readonly loginThrottle?: LoginThrottleOptions;
}

/**
 * The providers of auth: the AuthService instance, then the global guards in the order they must
 * run (JwtAuthGuard sets the actor that RolesGuard reads). Put them in a module's providers and
 * AuthController in its controllers.
 */
export function authProviders(auth: AuthService, options: AuthModuleOptions = {}): Provider[] {
  const providers: Provider[] = [
    { provide: AuthService, useValue: auth },
    { provide: LoginThrottle, useValue: new LoginThrottle(options.loginThrottle ?? DEFAULT_LOGIN_THROTTLE, Date.now) },
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ];
  if (options.globalRolesGuard ?? true) providers.push({ provide: APP_GUARD, useClass: RolesGuard });
  return providers;
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
