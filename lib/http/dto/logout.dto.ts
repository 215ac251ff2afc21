import { IsNotEmpty, IsOptional, IsString } from 'class-validator';

/** Body of `POST <prefix>/logout`: empty when the access token is sent in the `Authorization` header. */
export class LogoutDto {
  @IsOptional()
  @IsString() // checked after IsNotEmpty: decorators run bottom-up
  @IsNotEmpty()
  refresh_token?: string;
}
