import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { COMMAND_CONTRACTS, type CommandType } from '../../shared/contracts/commands';
import type { AppEnv } from './openapi';

/**
 * The served OpenAPI document: what the routes register, plus each workspace command's payload
 * and result schema, generated from COMMAND_CONTRACTS (the table both sides validate with).
 *
 * Why a post-step: the completion body's `result` is validated per command type after the
 * command is loaded (its type is not in the body), so the route schema can only say "unknown";
 * here it becomes `oneOf` the published result schemas, so a client never learns them from 400s.
 */

type JsonObject = Record<string, unknown>;

const pascal = (type: string) => type.replace(/(^|_)([a-z])/g, (_, __, ch: string) => ch.toUpperCase());

function jsonSchema(schema: z.ZodType): JsonObject {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as JsonObject;
  delete out.$schema;
  return out;
}

export function commandSchemaComponents(): Record<string, JsonObject> {
  const components: Record<string, JsonObject> = {};
  for (const [type, contract] of Object.entries(COMMAND_CONTRACTS) as Array<[CommandType, (typeof COMMAND_CONTRACTS)[CommandType]]>) {
    components[`${pascal(type)}Payload`] = {
      ...jsonSchema(contract.payload),
      description: `Payload of a \`${type}\` command (claimed by the add-on).`,
    };
    components[`${pascal(type)}Result`] = {
      ...jsonSchema(contract.result),
      description: `Result the add-on posts for a \`${type}\` command.`,
    };
  }
  return components;
}

export function openApiDocument(app: OpenAPIHono<AppEnv>): JsonObject {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'PresGen-Assess Orchestrator API', version: '1.0.0', description: 'See docs/api.md' },
  }) as unknown as JsonObject & { components?: { schemas?: JsonObject }; paths: Record<string, Record<string, JsonObject>> };
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, ...commandSchemaComponents() } };

  const complete = doc.paths['/api/workspace/commands/{id}/complete']?.post as
    | {
        requestBody?: {
          content?: { 'application/json'?: { schema?: { anyOf?: Array<{ properties?: JsonObject; required?: string[] }> } } };
        };
      }
    | undefined;
  const withResult = complete?.requestBody?.content?.['application/json']?.schema?.anyOf?.find(
    (s) => s.properties && 'result' in s.properties,
  );
  if (withResult?.properties) {
    withResult.properties.result = {
      description: "The result of the command, matching the command type's result schema (strict: no other keys).",
      oneOf: Object.keys(COMMAND_CONTRACTS).map((type) => ({ $ref: `#/components/schemas/${pascal(type)}Result` })),
    };
    withResult.required = [...new Set([...(withResult.required ?? []), 'result'])];
  }
  return doc;
}
