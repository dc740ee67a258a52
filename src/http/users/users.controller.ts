import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../../domain';
import type { UserView } from '../../projections';
import { CommandRunner, type WriteAnswer, commandData } from '../common/command-runner';
import { CurrentActor } from '../auth/current-actor.decorator';
import { IdempotencyKey } from '../common/idempotency-key';
import { ReadsAfterMinPosition } from '../common/min-position';
import { ReadQueryDto } from '../common/paging.dto';
import { Roles } from '../auth/roles.decorator';
import { USERS_REPOSITORY, type UsersReads } from '../common/tokens';
import { WritesThroughLog } from '../common/writes';
import { CreateUserDto, UpdateUserDto, UsernameParams } from './users.dto';

/** User management: admins only. */
@ApiTags('users')
@Roles('admin')
@Controller('api/users')
export class UsersController {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(USERS_REPOSITORY) private readonly users: UsersReads,
  ) {}

  @Post()
  @WritesThroughLog()
  @ApiOperation({ summary: 'Create a user (a student user is bound to a studentId)' })
  create(
    @Body() body: CreateUserDto,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    return this.commands.run(res, { name: 'users.create', data: commandData(body) }, actor, key);
  }

  @Patch(':username')
  @HttpCode(200)
  @WritesThroughLog()
  @ApiOperation({ summary: "Change a user's role, or disable / enable them" })
  update(
    @Param() { username }: UsernameParams,
    @Body() body: UpdateUserDto,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    return this.commands.run(res, { name: 'users.update', data: { username, ...commandData(body) } }, actor, key);
  }

  @Get(':username')
  @ReadsAfterMinPosition()
  @ApiOperation({ summary: 'One user (no secrets)' })
  async get(@Param() { username }: UsernameParams, @Query() _query: ReadQueryDto): Promise<UserView> {
    const user = await this.users.getUser(username);
    if (user === undefined) throw new NotFoundException(`user ${username} not found`);
    return user;
  }
}
