import { createPublicKey } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import { InvalidAuthConfigurationError } from '../exceptions/invalid-auth-configuration.error.js';
import { InvalidTokenError, type InvalidTokenReason } from '../exceptions/invalid-token.error.js';
import type { KeyMaterial } from '../interfaces/dual-token-auth-options.interface.js';
import type { ResolvedTokenKind } from '../config/resolved-auth-config.js';
import { toFastJwtKey } from '../config/key-material.js';
import { HmacFastPathVerifier } from './hmac-fast-path-verifier.js';
import { SecondSightingFilter } from './second-sighting-filter.js';
import { tokenFingerprint } from './token-fingerprint.js';
import { TokenFrequencySketch } from './token-frequency-sketch.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

type Signer = (payload: Record<string, unknown>) => string;
type Verifier = (token: string) => Record<string, unknown>;

export interface KeyRingSettings {
  /** `access` or `refresh`: used in error messages. */
  name: string;
  /** JOSE header `typ` written and required (`at+jwt` / `rt+jwt`). */
  joseType: string;
  issuer?: string;
  audience?: string | string[];
  clockToleranceMs: number;
  /** Size of the verified-token cache (entries); 0 disables it. */
  cacheSize: number;
}

/**
 * Signing and verification keys of one token kind, prepared once at startup.
 *
 * Why: `jsonwebtoken` (under `@nestjs/jwt` and `passport-jwt`) rebuilds a key object from a string secret on every call; fast-jwt's signer/verifier prepares the key once and pins the algorithm list, so a verify
 * costs microseconds and `alg: none` or an algorithm switch can never be accepted.
 */
export class TokenKeyRing {
  private readonly sign: Signer;
  private readonly primaryVerifier: Verifier;
  /** Verifiers by `kid`, only when additional verification keys exist (key rotation). */
  private readonly verifiersByKeyId?: Map<string, Verifier>;
  private readonly cache?: VerifiedTokenCache;
  /** Which verified tokens may be cached at all: those verified twice within a short while (TinyLFU's doorkeeper). */
  private readonly cacheAdmission?: SecondSightingFilter;
  /** How often those were verified lately: whether one is worth the cache entry it would evict (TinyLFU's sketch). */
  private readonly frequencies?: TokenFrequencySketch;
  /** HMAC keys only: accepts tokens with exactly the primary key's header at close to the HMAC's own cost. */
  private readonly fastPath?: HmacFastPathVerifier;

  constructor(
    kind: ResolvedTokenKind,
    private readonly settings: KeyRingSettings,
  ) {
    if (settings.cacheSize > 0) {
      this.cache = new VerifiedTokenCache(settings.cacheSize, settings.clockToleranceMs);
      this.cacheAdmission = new SecondSightingFilter();
      this.frequencies = new TokenFrequencySketch();
    }
    const signingKey = kind.algorithm.startsWith('HS') ? kind.secret! : kind.privateKey!;
    const verificationKey = kind.algorithm.startsWith('HS') ? kind.secret! : (kind.publicKey ?? derivePublicKey(kind.privateKey!));
    try {
      this.sign = createSigner({
        key: toFastJwtKey(signingKey),
        algorithm: kind.algorithm,
        kid: kind.keyId,
        header: { alg: kind.algorithm, typ: settings.joseType },
        iss: settings.issuer,
        aud: settings.audience,
      }) as unknown as Signer;
      this.primaryVerifier = this.createVerifierFor(verificationKey, kind);
      if (kind.algorithm.startsWith('HS')) {
        // The header our signer writes (alg, typ, kid in its order), taken from a token it signs rather than rebuilt.
        const signedHeaderSegment = this.sign({}).split('.', 1)[0]!;
        this.fastPath = new HmacFastPathVerifier(kind.algorithm, toFastJwtKey(kind.secret!), signedHeaderSegment, {
          requiredClaims: this.requiredClaims(),
          clockToleranceMs: settings.clockToleranceMs,
          issuer: settings.issuer,
          audience: settings.audience,
        });
      }
      const extraKeys = kind.additionalVerificationKeys ?? [];
      if (extraKeys.length > 0) {
        this.verifiersByKeyId = new Map();
        if (kind.keyId) this.verifiersByKeyId.set(kind.keyId, this.primaryVerifier);
        for (const extra of extraKeys) {
          const material = kind.algorithm.startsWith('HS') ? extra.secret : extra.publicKey;
          if (!extra.keyId || !material) {
            throw new Error(`each additionalVerificationKeys entry needs a keyId and a ${kind.algorithm.startsWith('HS') ? 'secret' : 'publicKey'}`);
          }
          this.verifiersByKeyId.set(extra.keyId, this.createVerifierFor(material, kind));
        }
      }
    } catch (error) {
      const option = kind.algorithm.startsWith('HS') ? 'secret' : 'privateKey/publicKey';
      throw new InvalidAuthConfigurationError(
        `${settings.name}Token.${option} does not fit algorithm ${kind.algorithm}: ${(error as Error).message}`,
      );
    }
  }

  /** Signs a payload that already holds `iat` and `exp`. */
  signPayload(payload: Record<string, unknown>): string {
    return this.sign(payload);
  }

  /**
   * Verifies signature, algorithm, `typ`, `exp`/`nbf`, issuer and audience; throws {@link InvalidTokenError}. The
   * payload returned is the caller's own object: freshly parsed, or a copy the cache made (it never hands out its own).
   */
  verify(token: string): Record<string, unknown> {
    const now = Date.now();
    if (!this.cache) return this.verifyUncached(token, now);
    // One fingerprint for the cache, the admission filter and the sketch: each would otherwise compute it again.
    const fingerprint = tokenFingerprint(token);
    const cached = this.cache.get(token, now, fingerprint);
    if (cached) {
      // Hits count too: a busy user's entry has to defend its place against newcomers.
      this.frequencies!.record(fingerprint);
      return cached;
    }
    const payload = this.verifyUncached(token, now);
    // A token not seen lately is not cached at all (most tokens of a server with many users). One seen again is
    // counted, and cached when the cache has room or it was verified more often lately than the entry it would evict.
    if (this.cacheAdmission!.seenBefore(fingerprint)) {
      this.frequencies!.record(fingerprint);
      this.cache.offer(token, payload, now, this.frequencies!, fingerprint);
    }
    return payload;
  }

  private verifyUncached(token: string, now: number): Record<string, unknown> {
    const fastVerified = this.fastPath?.tryVerify(token, now);
    if (fastVerified) return fastVerified;
    assertCanonicalSignature(token);
    if (!this.verifiersByKeyId) return runVerifier(this.primaryVerifier, token);
    const keyId = readKeyId(token);
    if (keyId !== undefined) {
      const verifier = typeof keyId === 'string' ? this.verifiersByKeyId.get(keyId) : undefined;
      if (!verifier) throw new InvalidTokenError('unknown-key-id');
      return runVerifier(verifier, token);
    }
    // Tokens without `kid` were signed before key ids were introduced (the usual first rotation): try every key.
    let lastError: InvalidTokenError | undefined;
    for (const verifier of new Set([this.primaryVerifier, ...this.verifiersByKeyId.values()])) {
      try {
        return runVerifier(verifier, token);
      } catch (error) {
        lastError = error as InvalidTokenError;
        if (lastError.reason !== 'bad-signature') throw lastError;
      }
    }
    throw lastError!;
  }

  private createVerifierFor(key: KeyMaterial, kind: ResolvedTokenKind): Verifier {
    return createVerifier({
      key: toFastJwtKey(key),
      algorithms: [kind.algorithm],
      checkTyp: this.settings.joseType,
      allowedIss: this.settings.issuer,
      allowedAud: this.settings.audience,
      clockTolerance: this.settings.clockToleranceMs,
      requiredClaims: this.requiredClaims(),
      // Caching happens in VerifiedTokenCache (exact-token key), not in fast-jwt (SHA-256 of every token).
      cache: false,
    }) as unknown as Verifier;
  }

  private requiredClaims(): string[] {
    return [
      'exp',
      'iat',
      'sub',
      'sid',
      'token_type',
      // fast-jwt checks iss/aud only when present, so a configured issuer/audience must also be a required claim.
      ...(this.settings.issuer !== undefined ? ['iss'] : []),
      ...(this.settings.audience !== undefined ? ['aud'] : []),
    ];
  }
}

/**
 * base64url decoders ignore the unused low bits of the last character, so several spellings of one signature verify
 * (`...c` and `...d`). Only the canonical one is accepted, so a token string that was deny-listed or logged cannot come
 * back as a different string. Cached verifications skip this: only canonical tokens are ever cached.
 */
function assertCanonicalSignature(token: string): void {
  const signature = token.slice(token.lastIndexOf('.') + 1);
  if (Buffer.from(signature, 'base64url').toString('base64url') !== signature) throw new InvalidTokenError('malformed');
}

function runVerifier(verifier: Verifier, token: string): Record<string, unknown> {
  try {
    return verifier(token);
  } catch (error) {
    throw new InvalidTokenError(fastJwtReason(error));
  }
}

function readKeyId(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8')).kid;
  } catch {
    throw new InvalidTokenError('malformed');
  }
}

function derivePublicKey(privateKey: KeyMaterial): string {
  return createPublicKey(privateKey as Parameters<typeof createPublicKey>[0]).export({ type: 'spki', format: 'pem' }) as string;
}

function fastJwtReason(error: unknown): InvalidTokenReason {
  const code = (error as { code?: string }).code ?? '';
  switch (code) {
    case 'FAST_JWT_EXPIRED':
      return 'expired';
    case 'FAST_JWT_INACTIVE':
      return 'not-yet-valid';
    case 'FAST_JWT_INVALID_SIGNATURE':
      return 'bad-signature';
    case 'FAST_JWT_INVALID_ALGORITHM':
      return 'wrong-algorithm';
    case 'FAST_JWT_INVALID_TYPE':
      return 'wrong-kind';
    case 'FAST_JWT_INVALID_CLAIM_VALUE':
    case 'FAST_JWT_MISSING_REQUIRED_CLAIM':
      return 'bad-claims';
    default:
      return 'malformed';
  }
}
