import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../domain';
import { CurrentActor } from '../auth/current-actor.decorator';
import { ReadsAfterMinPosition } from '../common/min-position';
import { USERS_REPOSITORY, type UsersReads } from '../common/tokens';
import { MeDto } from '../../api/users.dto';

/** Who the session (cookie or bearer token) belongs to: what the web app shows and routes by. */
@ApiTags('auth')
@Controller('api/auth')
export class MeController {
  constructor(@Inject(USERS_REPOSITORY) private readonly users: UsersReads) {}

  @Get('me')
  // A refetch after a live event of the user's own stream (their classes) sees that event.
  @ReadsAfterMinPosition()
  @ApiOperation({ summary: "The signed-in user: username, role, display name, bound student, a teacher's or club's classes" })
  @ApiOkResponse({ type: MeDto })
  async me(@CurrentActor() actor: Actor): Promise<MeDto> {
    // The token was just checked against the credentials; a read model that lags shows the username.
    const user = await this.users.getUser(actor.username);
    return {
      username: actor.username,
      role: actor.role,
      displayName: user?.displayName ?? actor.username,
      ...(actor.studentId === undefined ? {} : { studentId: actor.studentId }),
      classes: [...(user?.classes ?? [])],
    };
  }
}
