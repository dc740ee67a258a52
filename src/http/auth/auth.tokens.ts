/**
 * Injection token of the CommandGateway a logout is recorded through (null: logouts end the
 * session on the node that serves them only, as in tests of the auth routes alone).
 */
export const LOGOUT_COMMANDS = Symbol('LOGOUT_COMMANDS');
