/**
 * Authentication: scrypt password hashes, the credentials read model (its own projection and
 * checkpoint, apart from the public `users` model because it holds the hash), and JWT access tokens
 * checked against it on every request (REST guard in src/http/auth, NATS through actorFromHeaders).
 */
export * from './auth-config';
export * from './auth-errors';
export * from './auth.service';
export * from './bearer-token';
export * from './create-auth';
export * from './credentials-database';
export * from './credentials-projection';
export * from './credentials-projector';
export * from './credentials-repository';
export * from './nats-auth';
export * from './password';
