import { IsNotEmpty, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_RULE } from './register-user.dto.js';

/** Body of `POST /user/password`: the new password follows the sign-up rules. */
export class ChangePasswordDto {
  @MaxLength(1024)
  @IsString({ message: 'current_password must be a string' })
  @IsNotEmpty()
  current_password!: string;

  @Matches(/(?=.*[A-Za-z])(?=.*\d)/, { message: PASSWORD_RULE.replace('password', 'new_password') })
  @MaxLength(128, { message: PASSWORD_RULE.replace('password', 'new_password') })
  @MinLength(8, { message: PASSWORD_RULE.replace('password', 'new_password') })
  @IsString({ message: 'new_password must be a string' })
  @IsNotEmpty()
  new_password!: string;
}
