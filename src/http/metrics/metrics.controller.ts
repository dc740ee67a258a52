import { Unthrottled } from '../common/rate-limit.guard';
import { Public } from '../auth/public.decorator';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { NodeMetrics } from './node-metrics';

/** Prometheus text for scraping. */
@ApiExcludeController()
@Public()
@Unthrottled()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: NodeMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
