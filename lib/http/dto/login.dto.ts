import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

// class-validator checks a property's rules from the last decorator up, and the pipe stops at the first failure; so
// the bottom rule is the first message a client sees: missing ("should not be empty"), then wrong type ("must be a
// string"), then length.

/** Body of `POST <prefix>/login`. */
export class LoginDto {
  @MaxLength(256)
  @IsString()
  @IsNotEmpty()
  username!: string;

  // The upper bound keeps a password hasher from being fed megabytes (a cheap denial of service).
  @MaxLength(1024)
  @IsString()
  @IsNotEmpty()
  password!: string;
}
