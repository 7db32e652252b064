// Checks of the generated OpenAPI document that the linters do not make: every object schema is
// closed or explicitly open with a value schema, and every tag is described.

type Json = Record<string, unknown>;

/** JSON pointers of object schemas with neither `additionalProperties` nor `unevaluatedProperties`. */
export function openObjectSchemas(document: Json): string[] {
  const found: string[] = [];
  const visit = (node: unknown, pointer: string, isSchema: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${pointer}/${i}`, isSchema));
      return;
    }
    if (!node || typeof node !== 'object') return;
    const object = node as Json;
    if (isSchema && (object.type === 'object' || (Array.isArray(object.type) && object.type.includes('object')) || object.properties) && !('additionalProperties' in object) && !('unevaluatedProperties' in object)) {
      found.push(pointer);
    }
    for (const [key, value] of Object.entries(object)) {
      if (key === 'example' || key === 'examples' || key === 'const' || key === 'enum' || key === 'default') continue;
      const childIsSchema = isSchema ? !['required', 'description', 'type', 'pattern', 'format'].includes(key) : key === 'schema' || key === 'schemas';
      visit(value, `${pointer}/${key}`, key === 'properties' || key === 'schemas' || key === '$defs' ? false : childIsSchema);
      if (key === 'properties' || key === 'schemas' || key === '$defs') for (const [name, sub] of Object.entries(value as Json)) visit(sub, `${pointer}/${key}/${name}`, true);
    }
  };
  visit(document, '#', false);
  return [...new Set(found)];
}
