import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

export const PASSWORD_RULE = 'password must be 8 to 128 characters long and contain at least one letter and one digit';

/** Body of `POST /user/register`. */
export class RegisterUserDto {
  @IsString({ message: 'username must be a string' })
  @Matches(/^[A-Za-z0-9_.-]{3,50}$/, {
    message: 'username must be 3 to 50 characters: letters, digits, underscore, dot or hyphen',
  })
  username!: string;

  @IsString({ message: 'password must be a string' })
  @MinLength(8, { message: PASSWORD_RULE })
  @MaxLength(128, { message: PASSWORD_RULE })
  @Matches(/(?=.*[A-Za-z])(?=.*\d)/, { message: PASSWORD_RULE })
  password!: string;
}
