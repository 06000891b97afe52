// The OpenAPI 3 document, generated from the route declarations (never written by hand).
import { z } from 'zod';
import type { RouteSpec } from './router.js';

const taskRef = { $ref: '#/components/schemas/Task' };
const errorRef = { $ref: '#/components/schemas/Error' };

function operation(spec: RouteSpec): Record<string, unknown> {
  const parameters: Record<string, unknown>[] = [];
  for (const match of spec.path.matchAll(/:(\w+)/g)) {
    parameters.push({ name: match[1], in: 'path', required: true, schema: { type: 'string' } });
  }
  for (const [name, description] of Object.entries(spec.query ?? {})) {
    parameters.push({ name, in: 'query', required: false, description, schema: { type: 'string' } });
  }
  const op: Record<string, unknown> = {
    summary: spec.summary,
    tags: [spec.tag],
    parameters,
    security: spec.access === 'public' ? [] : [{ auth: [] }],
    responses: responses(spec),
  };
  if (spec.body === 'multipart') {
    op['requestBody'] = {
      content: { 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } } },
    };
  } else if (spec.body === 'text') {
    op['requestBody'] = { content: { 'text/plain': { schema: { type: 'string' } } } };
  } else if (spec.body !== undefined) {
    op['requestBody'] = { content: { 'application/json': { schema: z.toJSONSchema(spec.body, { io: 'input', unrepresentable: 'any' }) } } };
  }
  return op;
}

function responses(spec: RouteSpec): Record<string, unknown> {
  const errors = { description: 'Error (OneView error body)', content: { 'application/json': { schema: errorRef } } };
  switch (spec.returns) {
    case 'task':
      return { '202': { description: 'Accepted: the task, also named by the Location header', content: { 'application/json': { schema: taskRef } } }, default: errors };
    case 'binary':
      return { '200': { description: 'File', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, default: errors };
    case 'text':
      return { '200': { description: 'Text', content: { 'text/plain': { schema: { type: 'string' } } } }, default: errors };
    default:
      return { '200': { description: spec.returns ?? 'OK', content: { 'application/json': { schema: { type: 'object' } } } }, default: errors };
  }
}

export function openApiDocument(routes: RouteSpec[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const path = spec.path.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[spec.method] = operation(spec);
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Streamer REST API (HPE Image Streamer compatible)', version },
    components: {
      securitySchemes: { auth: { type: 'apiKey', in: 'header', name: 'auth', description: 'sessionID from POST /rest/login-sessions' } },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            errorCode: { type: 'string' },
            message: { type: 'string' },
            details: { type: 'string' },
            recommendedActions: { type: 'array', items: { type: 'string' } },
            nestedErrors: { type: 'array', items: { type: 'object' } },
            errorSource: { type: 'string', nullable: true },
            data: { type: 'object' },
          },
        },
        Task: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            uri: { type: 'string' },
            category: { type: 'string' },
            name: { type: 'string' },
            taskState: { type: 'string', enum: ['New', 'Starting', 'Pending', 'Running', 'Suspended', 'Stopping', 'Completed', 'Warning', 'Error', 'Terminated', 'Killed', 'Interrupted', 'Unknown'] },
            taskStatus: { type: 'string' },
            percentComplete: { type: 'integer' },
            taskErrors: { type: 'array', items: errorRef },
            associatedResource: { type: 'object' },
          },
        },
      },
    },
    paths,
  };
}
