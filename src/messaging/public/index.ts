export * from './envelope';
export * from './event-feed.publisher';
export * from './public-commands.handler';
export * from './public-events';
export * from './public-queries.handler';
export * from './public-request-gate';
export * from './public.dto';
