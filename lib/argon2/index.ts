// nestjs-dual-token-auth/argon2: an argon2id PasswordHasher. A separate entry point because @node-rs/argon2 is an
// optional peer dependency: apps that hash passwords differently never load it.
export { Argon2PasswordHasher, type Argon2Parameters } from './argon2-password-hasher.js';
