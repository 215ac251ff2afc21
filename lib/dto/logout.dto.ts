import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_TOKEN_LENGTH } from '../utils/extract-bearer-token.js';

/** Body of `POST <prefix>/logout`: empty when the access token is sent in the `Authorization` header. */
export class LogoutDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TOKEN_LENGTH)
  refresh_token?: string;
}
