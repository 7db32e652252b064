// The two rating schemas compile under the strict Ajv 2020 settings the HTTP layer uses. Their
// $id and property descriptions are checked with every other schema in test/http/schemas.test.ts.
import { expect } from 'chai';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { productDefinitionSchema, subsidyProgrammeSchema } from '../../src/rating/index.ts';

describe('rating schemas', () => {
  it('compile under strict Ajv 2020 with union types allowed', () => {
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, validateFormats: false });
    expect(() => ajv.compile(productDefinitionSchema)).not.to.throw();
    expect(() => ajv.compile(subsidyProgrammeSchema)).not.to.throw();
  });
});
