// Jest runs in ESM mode (NODE_OPTIONS=--experimental-vm-modules): NestJS 12 ships ESM only and Jest's CommonJS
// mode cannot load it on Node 20. Tests import the library through its package name, exactly like users do.
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^nestjs-dual-token-auth$': '<rootDir>/lib/index.ts',
    '^nestjs-dual-token-auth/typeorm$': '<rootDir>/lib/typeorm/index.ts',
    '^nestjs-dual-token-auth/client$': '<rootDir>/lib/client/index.ts',
    '^nestjs-dual-token-auth/client/testing$': '<rootDir>/lib/client/testing/index.ts',
    '^nestjs-dual-token-auth/client/core$': '<rootDir>/lib/client/core/index.ts',
    '^nestjs-dual-token-auth/client/cross-tab$': '<rootDir>/lib/client/cross-tab/index.ts',
    '^nestjs-dual-token-auth/client/local-storage$': '<rootDir>/lib/client/local-storage/index.ts',
    '^nestjs-dual-token-auth/client/axios$': '<rootDir>/lib/client/axios/index.ts',
    '^nestjs-dual-token-auth/client/realtime$': '<rootDir>/lib/client/realtime/index.ts',
    '^nestjs-dual-token-auth/testing$': '<rootDir>/lib/testing/index.ts',
    '^nestjs-dual-token-auth/argon2$': '<rootDir>/lib/argon2/index.ts',
    '^nestjs-dual-token-auth/redis$': '<rootDir>/lib/redis/index.ts',
    '^nestjs-dual-token-auth/graphql$': '<rootDir>/lib/graphql/index.ts',
    '^nestjs-dual-token-auth/websockets$': '<rootDir>/lib/websockets/index.ts',
    '^nestjs-dual-token-auth/swagger$': '<rootDir>/lib/swagger/index.ts',
    // mercurius requires @fastify/static, which requires content-disposition 3: ESM only, which plain Node 20.19+ can
    // require() but Jest on Node 20 cannot. Version 2 (Express's copy, CommonJS) has the same exports.
    '^content-disposition$': '<rootDir>/node_modules/content-disposition/dist/index.js',
    // ora (ESM only) is required by @angular-devkit/schematics' test runner for the install task, never run in specs.
    '^ora$': '<rootDir>/test/fixtures/ora-under-jest.cjs',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/lib/**/*.spec.ts', '<rootDir>/sample-app/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], slowTestThreshold: 30 },
  ],
};
