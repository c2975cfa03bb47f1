export * from './errors.js';
export * from './ids.js';
export * from './clock.js';
export * from './vocabulary.js';
export * from './schema.js';
export * from './secrets.js';
export * from './envelope.js';
export * from './stored-event.js';
