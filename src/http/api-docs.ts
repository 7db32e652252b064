import type { JsonSchema } from './schema-registry.ts';
import type { Templates } from './templates.ts';

/** A self-contained HTML reference built from the OpenAPI document (templates/pages/api-docs.hbs): no CDN, no script. */
export function renderApiDocs(document: JsonSchema, templates: Templates): string {
  const paths = document.paths as Record<string, Record<string, Record<string, unknown>>>;
  const groups = new Map<string, unknown[]>();
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const tag = ((operation.tags as string[] | undefined) ?? ['Other'])[0]!;
      const body = (operation.requestBody as { content?: Record<string, { schema: unknown }> } | undefined)?.content?.['application/json']?.schema;
      const responses = operation.responses as Record<string, { content?: Record<string, { schema: unknown }> }>;
      const success = Object.entries(responses).find(([status]) => status.startsWith('2'));
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag)!.push({
        method: method.toUpperCase(),
        path,
        anchor: String(operation.operationId),
        summary: operation.summary,
        description: operation.description,
        parameters: operation.parameters ?? [],
        body: body ? JSON.stringify(body, null, 2) : undefined,
        successStatus: success?.[0],
        successSchema: success?.[1].content ? JSON.stringify(Object.values(success[1].content)[0]?.schema, null, 2) : undefined,
      });
    }
  }
  const info = document.info as { title: string; version: string; description: string };
  return templates.render('pages/api-docs', {
    info,
    groups: [...groups.entries()].map(([name, operations]) => ({ name, operations })),
    schemas: Object.entries(((document.components as JsonSchema).schemas as JsonSchema)).map(([name, schema]) => ({ name, json: JSON.stringify(schema, null, 2) })),
  });
}
