import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { CommandGateway } from '../../application/command-gateway';
import { AuthService } from '../../auth/auth.service';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleOptions } from '../../auth/login-throttle';
import { AuthController } from './auth.controller';
import { LOGOUT_COMMANDS } from './auth.tokens';
import { JwtAuthGuard } from './jwt-auth.guard';

/** How auth is set up on a node. */
export interface AuthModuleOptions {
  /** Failed-login limits of this node (default DEFAULT_LOGIN_THROTTLE). */
  readonly loginThrottle?: LoginThrottleOptions;
  /**
   * The node's command gateway: a logout records `users.logout` through it, so every node refuses
   * the token. Without it a logout ends the session on the node that serves it only (tests).
   */
  readonly commands?: CommandGateway;
}

/**
 * The providers of auth: the AuthService instance, the login throttle, the gateway logouts are
 * recorded through and the global JwtAuthGuard, which sets the actor that @Roles' RolesGuard
 * reads. Put them in a module's providers and AuthController in its controllers.
 */
export function authProviders(auth: AuthService, options: AuthModuleOptions = {}): Provider[] {
  return [
    { provide: AuthService, useValue: auth },
    { provide: LOGOUT_COMMANDS, useValue: options.commands ?? null },
    { provide: LoginThrottle, useValue: new LoginThrottle(options.loginThrottle ?? DEFAULT_LOGIN_THROTTLE, Date.now) },
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ];
}

/**
 * Login and the global guards around an AuthService built outside Nest (see createNodeAuth).
 * Global: AuthService can be injected anywhere (e.g. NATS handlers calling actorFromHeaders).
 *
 * @example imports: [AuthModule.register(auth.service, { commands: node.commands })]
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
