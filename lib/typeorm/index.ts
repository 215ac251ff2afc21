// nestjs-dual-token-auth/typeorm: the TypeORM-backed session store and the MySQL/PostgreSQL rate-limit store. A separate entry point so that apps on another
// ORM never load TypeORM (it is an optional peer dependency).
export { DualTokenSessionEntity } from './session.entity.js';
export { TypeOrmSessionStore } from './typeorm-session.store.js';
export { CreateDualTokenSessions1764200000000 } from './create-dual-token-sessions.migration.js';
export { TypeOrmRateLimitStore, type TypeOrmRateLimitStoreOptions } from './typeorm-rate-limit.store.js';
