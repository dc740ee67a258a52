import { Unthrottled } from '../common/rate-limit.guard';
import { Public } from '../auth/public.decorator';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Registry } from 'prom-client';

/** Injection token of the node's Prometheus registry. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** Prometheus text for scraping. */
@ApiExcludeController()
@Public()
@Unthrottled()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
