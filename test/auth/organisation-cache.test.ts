// Organisations never change after creation, so the enterprise look-up quoting makes on every
// request is kept per process by id (src/auth/auth-service.ts findEnterpriseById).
import { expect } from 'chai';
import mongoose from 'mongoose';
import { findEnterpriseById } from '../../src/auth/auth-service.ts';
import { useTestApp } from '../support/test-app.ts';

describe('auth: enterprises read by id are kept', () => {
  const t = useTestApp();

  it('reads an enterprise from the database once, then from memory, frozen', async () => {
    const id = t.organisations.HZZZ!;
    const first = await findEnterpriseById(id);
    expect(first).to.include({ id, kind: 'enterprise', code: 'HZZZ' });
    // Gone from the database (which the service never does): the kept record still answers.
    const stored = await mongoose.connection.collection('organisations').findOne({ _id: new mongoose.Types.ObjectId(id) });
    await mongoose.connection.collection('organisations').deleteOne({ _id: new mongoose.Types.ObjectId(id) });
    try {
      const second = await findEnterpriseById(id);
      expect(second).to.equal(first);
      expect(Object.isFrozen(second)).to.equal(true);
      expect(Object.isFrozen(second!.qualifications)).to.equal(true);
    } finally {
      await mongoose.connection.collection('organisations').insertOne(stored!);
    }
  });

  it('answers null for another kind of organisation, an unknown id and a malformed one', async () => {
    expect(await findEnterpriseById(t.organisations.MXB!)).to.equal(null);
    expect(await findEnterpriseById(t.organisations.MXB!), 'kept, still not an enterprise').to.equal(null);
    expect(await findEnterpriseById(new mongoose.Types.ObjectId().toHexString())).to.equal(null);
    expect(await findEnterpriseById('not-an-id')).to.equal(null);
  });
});
