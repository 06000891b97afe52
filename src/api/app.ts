// The HTTP application: Hono with the request conventions of reference §2 (absolute targets, trailing
// slashes, X-API-Version), the routes of every domain, the OpenAPI document, and OneView error bodies.
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { AppError } from '../core/errors.js';
import { errorResponse } from './error-response.js';
import { openApiDocument } from './openapi.js';
import { ApiRouter, json, type RouterOptions } from './router.js';
import { API_VERSION } from './routes/appliance.js';

export interface AppOptions extends RouterOptions {
  logger: Logger;
  version: string;
  /** Registers every domain's routes on the router. */
  register: (router: ApiRouter) => void;
  /** Extra handlers mounted after the API (the web UI). */
  extra?: (app: Hono) => void;
}

export function createApp(options: AppOptions): { app: Hono; router: ApiRouter } {
  // strict: false → `/rest/x/` and `/rest/x` are the same route (Python's os-deployment-plans constant ends in "/").
  const app = new Hono({ strict: false });
  const router = new ApiRouter();
  options.register(router);

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    options.logger.info({ method: c.req.method, path: new URL(c.req.url).pathname, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });

  app.use('/rest/*', async (c, next) => {
    const header = c.req.header('x-api-version');
    if (header !== undefined && header.trim() !== '') {
      const version = Number(header);
      if (!Number.isInteger(version) || version < API_VERSION.minimum) {
        return errorResponse(new AppError('precondition', 'UNSUPPORTED_API_VERSION', `Cannot serve API version "${header}": the supported versions are ${API_VERSION.minimum} to ${API_VERSION.current}`, {
          recommendedActions: [`Send X-API-Version between ${API_VERSION.minimum} and ${API_VERSION.current}`],
        }));
      }
    }
    await next();
  });

  router.mount(app, options);
  app.get('/rest/openapi.json', () => json(openApiDocument(router.routes, options.version)));
  options.extra?.(app);

  app.notFound((c) =>
    errorResponse(new AppError('not_found', 'RESOURCE_NOT_FOUND', `Cannot find "${c.req.method} ${new URL(c.req.url).pathname}": no such resource or operation`, {
      recommendedActions: ['See /rest/openapi.json for the operations this appliance offers'],
    })),
  );
  app.onError((error) => {
    options.logger.error({ err: error }, 'unhandled error');
    return errorResponse(error);
  });
  return { app, router };
}
