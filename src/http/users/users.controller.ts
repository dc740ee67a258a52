import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { UserClassesWriteDto, UserDto, UserPageDto, UserWriteDto } from '../common/response.dto';
import type { Response } from 'express';
import type { Actor } from '../../domain';
import type { Page, UserView } from '../../projections';
import { commandData } from '../../api/command-data';
import { CommandRunner, type WriteAnswer } from '../common/command-runner';
import { CurrentActor } from '../auth/current-actor.decorator';
import { IdempotencyKey } from '../common/idempotency-key';
import { ReadsAfterMinPosition } from '../common/min-position';
import { ReadQueryDto } from '../../api/paging.dto';
import { Roles } from '../auth/roles.decorator';
import { USERS_REPOSITORY, type UsersReads } from '../common/tokens';
import { WritesThroughLog } from '../common/writes';
import { AssignClassesDto, CreateUserDto, ListUsersQueryDto, ResetPasswordDto, UpdateUserDto, UsernameParams } from '../../api/users.dto';

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
  @ApiCreatedResponse({ type: UserWriteDto })
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
  @ApiOperation({ summary: "Change a user's role or display name, or disable / enable them" })
  @ApiOkResponse({ type: UserWriteDto })
  update(
    @Param() { username }: UsernameParams,
    @Body() body: UpdateUserDto,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    return this.commands.run(res, { name: 'users.update', data: { username, ...commandData(body) } }, actor, key);
  }

  @Post(':username/password')
  @HttpCode(200)
  @WritesThroughLog()
  @ApiOperation({ summary: "Reset a user's password (their tokens and sessions end)" })
  @ApiOkResponse({ type: UserWriteDto })
  resetPassword(
    @Param() { username }: UsernameParams,
    @Body() body: ResetPasswordDto,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    return this.commands.run(res, { name: 'users.password', data: { username, password: body.password } }, actor, key);
  }

  @Put(':username/classes')
  @HttpCode(200)
  @WritesThroughLog()
  @ApiOperation({ summary: "Set the classes a teacher or club user looks after (the whole list; 422 for another role)" })
  @ApiOkResponse({ type: UserClassesWriteDto })
  assignClasses(
    @Param() { username }: UsernameParams,
    @Body() body: AssignClassesDto,
    @CurrentActor() actor: Actor,
    @IdempotencyKey() key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<WriteAnswer> {
    return this.commands.run(res, { name: 'users.classes', data: { username, classes: body.classes } }, actor, key);
  }

  @Get()
  @ReadsAfterMinPosition()
  @ApiOperation({ summary: 'Users by username, optionally of one role, paged (no secrets)' })
  @ApiOkResponse({ type: UserPageDto })
  list(@Query() { role, page, pageSize }: ListUsersQueryDto): Promise<Page<UserView>> {
    return this.users.listUsers({ role, page, pageSize });
  }

  @Get(':username')
  @ReadsAfterMinPosition()
  @ApiOperation({ summary: 'One user (no secrets)' })
  @ApiOkResponse({ type: UserDto })
  async get(@Param() { username }: UsernameParams, @Query() _query: ReadQueryDto): Promise<UserView> {
    const user = await this.users.getUser(username);
    if (user === undefined) throw new NotFoundException(`user ${username} not found`);
    return user;
  }
}
