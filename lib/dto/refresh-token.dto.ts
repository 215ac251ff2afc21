import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_TOKEN_LENGTH } from '../utils/extract-bearer-token.js';

/**
 * Body of `POST <prefix>/refresh`. The token is optional here only because cookie transport carries it in a cookie;
 * the controller answers 400 when it is in neither place.
 */
export class RefreshTokenDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TOKEN_LENGTH)
  refresh_token?: string;
}
