import { type CustomDecorator, type ExecutionContext, Inject, Injectable, Optional, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import { AuthService } from '../../auth/auth.service';
import { bearerToken } from '../../auth/bearer-token';

/** Metadata key of @Unthrottled(). */
export const UNTHROTTLED_KEY = 'rate-limit:skip';

/**
 * Takes a route (or a controller's routes) out of every rate limit: health and metrics, which
 * probes and scrapers poll from one address and which must answer when the API is busiest.
 */
export const Unthrottled = (): CustomDecorator<string> => SetMetadata(UNTHROTTLED_KEY, true);

/**
 * The global rate limit, run before authentication (so refused tokens count too): a request whose
 * bearer token carries a valid signature counts against its user, every other request against its
 * client address (`req.ip`, which honours TRUST_PROXY). Many staff behind one school NAT address
 * thus each have their own budget, while guessing tokens spends the guesser's address's.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    @Inject(Reflector) reflector: Reflector,
    @Optional() @Inject(AuthService) private readonly auth?: AuthService,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const skip = this.reflector.getAllAndOverride<boolean | undefined>(UNTHROTTLED_KEY, [context.getHandler(), context.getClass()]);
    return skip === true || super.shouldSkip(context);
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const headers = req.headers as Record<string, string | string[] | undefined> | undefined;
    const user = this.auth?.signedSubject(tokenOf(headers?.authorization));
    return user === undefined ? `ip:${String(req.ip)}` : `user:${user}`;
  }
}

function tokenOf(header: string | string[] | undefined): string | undefined {
  try {
    return bearerToken(header);
  } catch {
    return undefined;
  }
}
