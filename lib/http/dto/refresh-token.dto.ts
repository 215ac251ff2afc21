import { IsNotEmpty, IsOptional, IsString } from 'class-validator';

/**
 * Body of `POST <prefix>/refresh`. The token is optional here only because cookie transport carries it in a cookie;
 * the controller answers 400 when it is in neither place. No length limit here: an absurdly long token is an invalid
 * token (401), refused by `DualTokenService` before any parsing.
 */
export class RefreshTokenDto {
  @IsOptional()
  @IsString() // checked after IsNotEmpty: decorators run bottom-up
  @IsNotEmpty()
  refresh_token?: string;
}
