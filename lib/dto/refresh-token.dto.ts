import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { MAX_TOKEN_LENGTH } from '../utils/extract-bearer-token.js';

/** Body of `POST <prefix>/refresh`. */
export class RefreshTokenDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TOKEN_LENGTH)
  refresh_token!: string;
}
