// The two schemas follow the house rules: an $id, a description on every property, and they
// compile under the strict Ajv 2020 settings the HTTP layer uses.
import { expect } from 'chai';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { productDefinitionSchema, subsidyProgrammeSchema } from '../../src/rating/index.ts';

function propertiesWithoutDescription(schema: unknown, path: string, out: string[]): string[] {
  if (Array.isArray(schema)) schema.forEach((s, i) => propertiesWithoutDescription(s, `${path}/${i}`, out));
  else if (schema && typeof schema === 'object') {
    const record = schema as Record<string, unknown>;
    const props = record.properties as Record<string, Record<string, unknown>> | undefined;
    if (props) for (const [k, v] of Object.entries(props)) if (typeof v.description !== 'string' && v.$ref === undefined) out.push(`${path}/properties/${k}`);
    for (const [k, v] of Object.entries(record)) propertiesWithoutDescription(v, `${path}/${k}`, out);
  }
  return out;
}

describe('rating schemas', () => {
  for (const schema of [productDefinitionSchema, subsidyProgrammeSchema]) {
    it(`${schema.$id} has an $id and a description on every property`, () => {
      expect(schema.$id).to.match(/^https:\/\//);
      expect(propertiesWithoutDescription(schema, '', [])).to.deep.equal([]);
    });
  }

  it('compile under strict Ajv 2020 with union types allowed', () => {
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, validateFormats: false });
    expect(() => ajv.compile(productDefinitionSchema)).not.to.throw();
    expect(() => ajv.compile(subsidyProgrammeSchema)).not.to.throw();
  });
});
