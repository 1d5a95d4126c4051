import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsIn,
  IsString,
  IsUUID,
  Length,
  MaxLength,
} from 'class-validator';
import { ROLES, type Role } from '../auth.entity.js';

export class CreateOrganisationDto {
  @ApiProperty({ example: 'Fräswerk Leipzig GmbH', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;
}

export class OrganisationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() createdAt: string;
}

export class CreateUserDto {
  @ApiProperty({ example: 'Ada Lovelace', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ example: 'ada@example.org' })
  @IsEmail()
  @MaxLength(320)
  email: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  organisationId: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['customiser'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles: Role[];
}

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() email: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles: Role[];
  @ApiProperty() createdAt: string;
}

export class TokenDto {
  @ApiProperty({ description: 'token id (not secret)' }) id: string;
  @ApiProperty({ description: 'the bearer token; shown only this once' }) token: string;
}

export class MeDto {
  @ApiProperty() user: { id: string; name: string; email: string };
  @ApiProperty({ type: OrganisationDto }) organisation: { id: string; name: string };
  @ApiProperty({ enum: ROLES, isArray: true }) roles: Role[];
}

export class TokenInfoDto {
  @ApiProperty({ description: 'token id (not secret)' }) id: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: String, nullable: true }) revokedAt: string | null;
}
