import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// Schemas of the built-in routes' answers. Classes only for the OpenAPI document: the routes return plain objects of
// the matching interfaces (TokenResponseBody, SessionSummary).

/** Login, refresh and re-authentication answer (RFC 6749 §5.1 field names). */
export class TokenResponseModel {
  @ApiProperty({ description: 'The access token (a JWT); send it as `Authorization: Bearer <token>`.' })
  access_token!: string;

  @ApiPropertyOptional({ description: 'The refresh token; absent in cookie transport unless `includeInBody` is set.' })
  refresh_token?: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type!: 'Bearer';

  @ApiProperty({ description: 'Access-token lifetime in seconds.', example: 1800 })
  expires_in!: number;

  @ApiProperty({ description: 'Seconds until the refresh token expires.', example: 604800 })
  refresh_expires_in!: number;
}

/** One of the user's live sessions. */
export class SessionSummaryModel {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  lastUsedAt!: string;

  @ApiProperty({ format: 'date-time', description: 'When the session ends unless it is used (or at its absolute expiry).' })
  expiresAt!: string;

  @ApiProperty({ type: String, nullable: true })
  userAgent!: string | null;

  @ApiProperty({ type: String, nullable: true })
  ip!: string | null;

  @ApiProperty({ description: 'Whether this is the session of the access token that asked.' })
  current!: boolean;
}

/** `POST <prefix>/logout` and `DELETE <prefix>/sessions/:id`. */
export class RevokedModel {
  @ApiProperty({ description: 'Whether the session was live and is now revoked.' })
  revoked!: boolean;
}

/** `POST <prefix>/logout-all`. */
export class RevokedCountModel {
  @ApiProperty({ description: 'How many live sessions were revoked.' })
  revoked!: number;
}

/** Nest's error body, used for every 4xx/5xx of the routes. */
export class AuthErrorModel {
  @ApiProperty({ example: 401 })
  statusCode!: number;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'One text, or one per invalid field (400).',
  })
  message!: string | string[];

  @ApiProperty({ example: 'Unauthorized' })
  error!: string;
}
