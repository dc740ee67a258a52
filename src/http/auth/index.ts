/** REST auth: login, the global JWT and roles guards, and the decorators routes use. */
export * from './auth.controller';
export * from './auth.module';
export * from './authenticated-request';
export * from './current-actor.decorator';
export * from './jwt-auth.guard';
export * from './login.dto';
export * from './public.decorator';
export * from './roles.decorator';
export * from './roles.guard';
export * from './session-cookie';
