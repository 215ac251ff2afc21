import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Body of `POST <prefix>/login`. */
export class LoginDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  username!: string;

  // The upper bound keeps a password hasher from being fed megabytes (a cheap denial of service).
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password!: string;
}
