import { UseGuards } from '@nestjs/common';
import { Args, Field, ID, Int, ObjectType, Query, Resolver, Subscription } from '@nestjs/graphql';
import { AccessTokenGuard, CurrentUser, Public, type AccessTokenPayload } from 'nestjs-dual-token-auth';

/** The caller, as `query { me { id username } }` shows it. */
@ObjectType()
export class Me {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  username!: string;
}

/** The tutorial's routes as GraphQL fields: `aaa` is open, the rest needs the access token. */
@Resolver()
@UseGuards(AccessTokenGuard)
export class TutorialResolver {
  @Public()
  @Query(() => String)
  aaa(): string {
    return 'aaa';
  }

  @Query(() => String)
  bbb(): string {
    return 'bbb';
  }

  @Query(() => Me)
  me(@CurrentUser() user: AccessTokenPayload): Me {
    return { id: String(user.userId), username: String(user.username) };
  }

  /** Emits `from`, `from - 1`, ..., 1 (one per 200 ms), then completes. Over graphql-ws, with the token in `connection_init`. */
  @Subscription(() => Int, { resolve: (value: number) => value })
  async *countdown(@Args('from', { type: () => Int }) from: number): AsyncGenerator<number> {
    for (let n = Math.min(from, 1000); n >= 1; n--) {
      yield n;
      if (n > 1) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
