/** The Multi-Paxos core: pure, deterministic, no I/O. */
export * from './ballot';
export * from './catchup';
export * from './config';
export * from './membership';
export * from './messages';
export * from './ready';
export * from './replica';
export * from './value';
