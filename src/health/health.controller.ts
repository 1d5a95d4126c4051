import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/principal.js';
import { Database } from '../database/database.js';

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status: 'ok' | 'degraded';
  @ApiProperty({ example: { kind: 'sqlite', reachable: true } })
  database: { kind: 'sqlite' | 'postgres'; reachable: boolean };
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly db: Database) {}

  @Get()
  @Public()
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'the database does not answer' })
  async health(@Res({ passthrough: true }) res: Response): Promise<HealthDto> {
    const reachable = await this.db.ping();
    if (!reachable) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: reachable ? 'ok' : 'degraded', database: { kind: this.db.kind, reachable } };
  }
}
