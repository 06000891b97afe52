// A small route registry over Hono: each route declares its access rule and schemas once; the registry
// mounts the handlers and generates the OpenAPI document from the same declarations.
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { AppError } from '../core/errors.js';
import { may, type Action, type Area, type Principal } from '../accounts/index.js';
import type { Task } from '../tasks/index.js';
import { readJsonBody } from './body.js';
import { errorResponse } from './error-response.js';

export type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';

/** `public`: no session needed; `session`: any logged-in user; otherwise the role must allow area+action. */
export type Access = 'public' | 'session' | { area: Area; action: Action };

export interface ApiRequest {
  readonly context: Context;
  readonly url: URL;
  readonly principal: Principal | undefined;
  /** The principal, for routes that are not public. */
  readonly actor: Principal;
  param(name: string): string;
  query(name: string): string | undefined;
  /** `?force=true` in any letter case (Python sends `force=True`). */
  readonly force: boolean;
  /** The body as JSON, tolerantly (see body.ts). */
  json(): Promise<unknown>;
}

export interface RouteSpec {
  method: Method;
  /** Hono path, e.g. `/rest/plan-scripts/:id`. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  /** Documented request body: a zod schema, or a multipart / binary upload. */
  body?: z.ZodType | 'multipart' | 'text';
  /** Documented query parameters: name → description. */
  query?: Record<string, string>;
  /** Documented answer: `task` (202 + Location), `binary`, `text`, or a description of the JSON returned. */
  returns?: string;
  handler: (request: ApiRequest) => Promise<Response> | Response;
}

export interface RouterOptions {
  authenticate: (sessionId: string | undefined) => Promise<Principal>;
  jsonLimitBytes: number;
}

export class ApiRouter {
  readonly routes: RouteSpec[] = [];

  add(spec: RouteSpec): void {
    this.routes.push(spec);
  }

  mount(app: Hono, options: RouterOptions): void {
    // Longer literal paths first, so `/rest/plan-scripts/differences/:id` beats `/rest/plan-scripts/:id/...`.
    for (const spec of this.routes) {
      app.on(spec.method.toUpperCase(), spec.path, async (c) => {
        try {
          return await this.handle(spec, c, options);
        } catch (error) {
          return errorResponse(error);
        }
      });
    }
  }

  private async handle(spec: RouteSpec, c: Context, options: RouterOptions): Promise<Response> {
    const url = new URL(c.req.url);
    let principal: Principal | undefined;
    if (spec.access !== 'public') {
      principal = await options.authenticate(c.req.header('auth') ?? c.req.header('session-id') ?? undefined);
      if (typeof spec.access === 'object' && !may(principal.user.role, spec.access.area, spec.access.action)) {
        throw new AppError('forbidden', 'AUTHORIZATION_DENIED', `Cannot ${spec.summary.charAt(0).toLowerCase()}${spec.summary.slice(1)}: the role "${principal.user.role}" may not change ${spec.access.area}`, {
          recommendedActions: ['Log in as a user whose role allows this, or ask an Infrastructure administrator'],
        });
      }
    }
    let bodyRead: Promise<unknown> | undefined;
    const request: ApiRequest = {
      context: c,
      url,
      principal,
      get actor(): Principal {
        if (principal === undefined) throw new AppError('unauthorized', 'AUTHORIZATION', 'Authentication failed: this operation needs a session');
        return principal;
      },
      param: (name) => decodeURIComponent(c.req.param(name) ?? ''),
      query: (name) => url.searchParams.get(name) ?? undefined,
      force: (url.searchParams.get('force') ?? '').toLowerCase() === 'true',
      json: () => (bodyRead ??= readJsonBody(c.req.raw, options.jsonLimitBytes)),
    };
    return spec.handler(request);
  }
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

/** 202 Accepted with the task as body and its path in Location (reference §2.5). */
export function accepted(task: Task): Response {
  return json(task, 202, { location: task.uri });
}
