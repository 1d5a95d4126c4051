import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Roles, type Principal } from '../common/principal.js';
import { IdParam } from '../common/validation.js';
import { AuthService } from './auth.service.js';
import {
  CreateOrganisationDto,
  CreateUserDto,
  MeDto,
  OrganisationDto,
  TokenDto,
  TokenInfoDto,
  UserDto,
} from './dto/auth.dto.js';

@ApiTags('people')
@ApiBearerAuth()
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Get('me')
  @ApiOkResponse({ type: MeDto })
  me(@CurrentPrincipal() p: Principal): MeDto {
    return {
      user: { id: p.userId, name: p.name, email: p.email },
      organisation: { id: p.organisationId, name: p.organisationName },
      roles: p.roles,
    };
  }

  @Post('organisations')
  @Roles('admin')
  @ApiCreatedResponse({ type: OrganisationDto })
  createOrganisation(
    @CurrentPrincipal() p: Principal,
    @Body() body: CreateOrganisationDto,
  ): Promise<OrganisationDto> {
    return this.auth.createOrganisation(p, body.name);
  }

  @Get('organisations')
  @Roles('admin')
  @ApiOkResponse({ type: [OrganisationDto] })
  listOrganisations(): Promise<OrganisationDto[]> {
    return this.auth.listOrganisations();
  }

  @Post('users')
  @Roles('admin')
  @ApiCreatedResponse({ type: UserDto })
  createUser(@CurrentPrincipal() p: Principal, @Body() body: CreateUserDto): Promise<UserDto> {
    return this.auth.createUser(p, body);
  }

  @Get('users')
  @Roles('admin')
  @ApiOkResponse({ type: [UserDto] })
  listUsers(): Promise<UserDto[]> {
    return this.auth.listUsers();
  }

  @Get('users/:id/tokens')
  @Roles('admin')
  @ApiOkResponse({ type: [TokenInfoDto] })
  listTokens(@IdParam() id: string): Promise<TokenInfoDto[]> {
    return this.auth.listTokens(id);
  }

  @Delete('users/:id/tokens/:tokenId')
  @Roles('admin')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the token authenticates nobody any more' })
  async revokeToken(
    @CurrentPrincipal() p: Principal,
    @IdParam() id: string,
    @Param('tokenId') tokenId: string,
  ): Promise<void> {
    await this.auth.revokeToken(p, id, tokenId);
  }

  @Post('users/:id/tokens')
  @Roles('admin')
  @HttpCode(201)
  @ApiCreatedResponse({ type: TokenDto })
  createToken(@CurrentPrincipal() p: Principal, @IdParam() id: string): Promise<TokenDto> {
    return this.auth.createToken(p, id);
  }
}
