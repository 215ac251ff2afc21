import { Field, Int, ObjectType } from '@nestjs/graphql';

/** What the `login` and `refresh` mutations answer: the REST token response in GraphQL's camelCase. */
@ObjectType('AuthTokens')
export class AuthTokens {
  /** The access token (a JWT), for `Authorization: Bearer` and graphql-ws's `connection_init`. */
  @Field(() => String)
  accessToken!: string;

  /** The refresh token, for the `refresh` mutation; `null` in cookie transport (it is in the HttpOnly cookie). */
  @Field(() => String, { nullable: true })
  refreshToken!: string | null;

  /** Always `Bearer`. */
  @Field(() => String)
  tokenType!: string;

  /** Access-token lifetime in seconds. */
  @Field(() => Int)
  expiresIn!: number;

  /** Seconds until the refresh token expires. */
  @Field(() => Int)
  refreshExpiresIn!: number;
}
