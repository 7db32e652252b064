// Packed JSON (src/db/json-text.ts, #25 "Smaller documents"): a quote's result, inputs and context
// packed with their product's preset dictionary take a fraction of their bytes packed alone, read
// back the same through the real database, and every form stored before still reads as it did. A
// dictionary, once shipped, is part of the stored data: each is pinned here by its SHA-256.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import mongoose, { Schema } from 'mongoose';
import { DICTIONARY_PACKED, fromJsonText, jsonText, PACK_DICTIONARY_FILE, packDictionaries, toDictionaryPackedJson, toDictionaryPackedText, toPackedJson, type PackDictionaryFile } from '../../src/db/json-text.ts';
import { compileProduct, evaluateQuote } from '../../src/rating/index.ts';
import { useFreshDatabase } from '../support/database.ts';

/** The dictionaries shipped so far. Never edit a line: add one for a new dictionary. */
const SHIPPED: Record<string, string> = {
  '1': 'cb44f69c70ce08e2cb48da29df526a2aee96aa42805c7332b01b2dda4c72db26', // FIRST-BATCH-MATERIAL
  '2': '8ec2f7bb26c983bf085d8a277362d9aac40bad7d4415003bfec1cafeab1df29d', // FIRST-SET-EQUIPMENT
  '3': '1475cb7177e08ab71da3d6d8b28ef7e91a3474b299e39d44cfaf57e92946a54e', // FIRST-VERSION-SOFTWARE
  '4': '0376a8d8976b6e486fd55a2148f47ef8c4b5cb0bfab6ca3c28df3d970e5aa119', // IP-ENFORCEMENT-INFRINGED-LOSS
  '5': '8d327baa5341def7e0612fa0a23e00250c3c278164bc48f3dcd62b698fee3f54', // IP-INFRINGEMENT-LIABILITY-A
  '6': '981a1d202ad28244564f25b0f546a0d2eed3fe7ed584b7d4851f6225f5403440', // IP-PATENT-ENFORCEMENT
  '7': '524b7275b3e9d2772a80fe9be376cc9fff61eded171f47daaa2207b195bf75dc', // PRODUCT-QUALITY-LIABILITY
  '8': '24f856f5cdaa241b7ed5cea9f0a96066f04db41ac8c7a39b2fe07d9331872fc2', // PROOF-OF-CONCEPT-COST
  '9': '3eab6abfecd0ea47d7303033a06a9a3498b004ea67ea514f4ecc873a4f5eb3c5', // RD-EQUIPMENT-PROPERTY
  '10': '4b2943fa3bad9f21e2c7a228f34b72f18b06fe1ce14133e1228cc522b9fe16bd', // RD-INTERRUPTION
  '11': 'b89a627463abe3ad974c90f2314d6825d11d2e9758495a45b27b1d62ca51651d', // RD-PROJECT-FAILURE
  '12': '13197fccdc38ea59aecc9718ecad4ad7355d103c0980785e39bddf1e0080b4ab', // STARTUP-PROJECT-FAILURE
  '13': 'c5c3611fe5f1b8849e066a06aa69ff4ac0935f9b711e1bfc877364ae4f1b1fbb', // TECH-TRANSFER-COST
  '14': 'bed2e18d4844078d3ef8f02b894bee0b7801e28f8677104745a590f5292d1452', // UFTL-PERFORMANCE-BOND
};

const Holder = mongoose.model('HarnessPackedJson', new Schema({ v: { type: Schema.Types.Mixed, ...jsonText } }, { collection: 'harness_packed_json', versionKey: false }));

/** A product's first quoted test vector rated, and its stored context: what a quote of it stores. */
function ratedExample(file: string) {
  const definition = JSON.parse(readFileSync(`products/${file}`, 'utf8')) as { code: string; testVectors: { inputs: Record<string, unknown>; picks?: Record<string, string>; expected: { decision: string } }[] };
  const vector = definition.testVectors.find((v) => v.expected.decision === 'quoted' && !v.picks)!;
  const product = compileProduct(definition);
  // Another enterprise than the dictionary's, on another day: what it shares is the product's text.
  const result = evaluateQuote(product, vector.inputs, undefined, { asOf: '2026-03-02', enterprise: { regionCode: '320500', qualifications: ['high-tech'], supportYear: 2, receivedThisYear: [] } });
  const context = JSON.stringify({ asOf: '2026-03-02', period: { start: '2026-03-03', end: '2027-03-02' }, role: 'broker', enterprise: { regionCode: '320500', qualifications: ['high-tech'] }, programmes: ['x7Hq2'] });
  return { code: definition.code, inputs: vector.inputs, result, context };
}

describe('db: packed JSON with preset dictionaries', () => {
  useFreshDatabase({ models: [Holder] });

  it('ships every dictionary unchanged (stored values inflate only with the same bytes)', () => {
    const file = JSON.parse(readFileSync(PACK_DICTIONARY_FILE, 'utf8')) as PackDictionaryFile;
    const hashes = Object.fromEntries(Object.entries(file.dictionaries).map(([n, d]) => [n, createHash('sha256').update(Buffer.from(d.text, 'utf8')).digest('hex')]));
    expect(hashes).to.include(SHIPPED); // a dictionary changed or was removed: stored quotes would no longer read
    expect(Object.keys(hashes), 'a new dictionary: pin it in SHIPPED').to.have.members(Object.keys(SHIPPED));
    for (const d of packDictionaries()) expect(d.bytes, `dictionary ${d.number}`).to.be.within(1, 32 * 1024);
  });

  it('has a dictionary for every product of products/ (scripts/pack-dictionaries.ts adds one)', () => {
    const codes = readdirSync('products').filter((f) => f.endsWith('.json')).map((f) => (JSON.parse(readFileSync(`products/${f}`, 'utf8')) as { code: string }).code);
    expect(packDictionaries().flatMap((d) => d.products)).to.include.members(codes);
  });

  it('packs a result, its inputs and context in a fraction of their bytes and reads them back the same through the database', async () => {
    for (const file of ['first-set-equipment.json', 'product-quality-liability.json', 'rd-project-failure.json']) {
      const { code, inputs, result, context } = ratedExample(file);
      const packed = { result: toDictionaryPackedJson(result, code), inputs: toDictionaryPackedJson(inputs, code), context: toDictionaryPackedText(context, code) };
      const alone = toPackedJson(result).length;
      const withDictionary = (packed.result as mongoose.mongo.Binary).length();
      expect(withDictionary, `${code}: ${withDictionary} bytes against ${alone} packed alone`).to.be.below(alone / 2);
      const ids = await Holder.insertMany(Object.values(packed).map((v) => ({ v })));
      const read = await Holder.find({ _id: { $in: ids.map((d) => d._id) } }).lean<{ _id: unknown; v: unknown }[]>();
      const byId = new Map(read.map((d) => [String(d._id), d.v]));
      const [r, i, c] = ids.map((d) => byId.get(String(d._id)));
      expect((r as { sub_type: number }).sub_type).to.equal(DICTIONARY_PACKED);
      expect(fromJsonText(r)).to.deep.equal(JSON.parse(JSON.stringify(result)));
      expect(fromJsonText(i)).to.deep.equal(inputs);
      expect(fromJsonText(c)).to.deep.equal(JSON.parse(context));
      // A hydrated document parses through the getter as well.
      expect((await Holder.findById(ids[0]!._id))!.v).to.deep.equal(JSON.parse(JSON.stringify(result)));
    }
  });

  it('reads every form stored before as it did: JSON text, packed alone (subtype 0), an object', async () => {
    const value = { a: 1, b: ['工', 'x'] };
    const docs = await Holder.insertMany([{ v: JSON.stringify(value) }, { v: deflateRawSync(JSON.stringify(value)) }, { v: value }]);
    const read = await Holder.find({ _id: { $in: docs.map((d) => d._id) } }).lean<{ v: unknown }[]>();
    expect(read).to.have.length(3);
    for (const d of read) expect(fromJsonText(d.v)).to.deep.equal(value);
  });

  it('packs alone a product that has no dictionary yet, and names an unknown dictionary when reading', () => {
    const packed = toDictionaryPackedJson({ a: 1 }, 'NO-SUCH-PRODUCT');
    expect(Buffer.isBuffer(packed)).to.equal(true);
    expect(fromJsonText(packed)).to.deep.equal({ a: 1 });
    const unknown = new mongoose.mongo.Binary(Buffer.concat([Buffer.of(250), deflateRawSync('{}')]), DICTIONARY_PACKED);
    expect(() => fromJsonText(unknown)).to.throw(/pack dictionary 250/);
  });
});
