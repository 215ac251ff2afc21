import { IsNotEmpty, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export const PASSWORD_RULE = 'password must be 8 to 128 characters long and contain at least one letter and one digit';

/**
 * Body of `POST /user/register`. class-validator checks the rules from the last decorator up and the pipe stops at the
 * first failure, so a client learns first that a field is missing, then that it is not a string, then the rule.
 */
export class RegisterUserDto {
  @Matches(/^[A-Za-z0-9_.-]{3,50}$/, {
    message: 'username must be 3 to 50 characters: letters, digits, underscore, dot or hyphen',
  })
  @IsString({ message: 'username must be a string' })
  @IsNotEmpty()
  username!: string;

  @Matches(/(?=.*[A-Za-z])(?=.*\d)/, { message: PASSWORD_RULE })
  @MaxLength(128, { message: PASSWORD_RULE })
  @MinLength(8, { message: PASSWORD_RULE })
  @IsString({ message: 'password must be a string' })
  @IsNotEmpty()
  password!: string;
}
