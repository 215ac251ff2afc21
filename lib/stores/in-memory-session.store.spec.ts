import { beforeEach, describe, it } from '@jest/globals';
import { describeSessionStoreConformance } from 'nestjs-dual-token-auth/testing';
import { InMemorySessionStore } from './in-memory-session.store.js';

describeSessionStoreConformance('InMemorySessionStore', () => new InMemorySessionStore(), { describe, it, beforeEach });
