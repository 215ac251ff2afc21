import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Body of `POST <prefix>/reauthenticate`: the current user's password again (rules as in `LoginDto`). */
export class ReauthenticateDto {
  @MaxLength(1024)
  @IsString()
  @IsNotEmpty()
  password!: string;
}
