import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY, MetricsController } from './metrics.controller';

/** The admin listener's module: `/metrics` alone (the API docs are mounted on it by startAdminServer). */
@Module({})
class AdminModule {
  static register(registry: Registry): DynamicModule {
    return { module: AdminModule, controllers: [MetricsController], providers: [{ provide: METRICS_REGISTRY, useValue: registry }] };
  }
}

/**
 * Serves `/metrics` and `/api/docs` on their own port (ADMIN_HTTP_PORT), so an operator can keep
 * them off the network the API faces.
 * @throws when the port cannot be listened on
 */
export async function startAdminServer(registry: Registry, document: OpenAPIObject, host: string, port: number): Promise<INestApplication> {
  const app = await NestFactory.create(AdminModule.register(registry), { logger: ['error', 'warn'] });
  SwaggerModule.setup('api/docs', app, document);
  await app.listen(port, host);
  return app;
}
