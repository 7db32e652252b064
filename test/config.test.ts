import { expect } from 'chai';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('Configuration', () => {
  it('fills in defaults', () => {
    const config = loadConfig({});
    expect(config).to.include({ PORT: 3000, DATA_DIR: './data', SEED_DEMO: true, BODY_LIMIT: '1mb' });
  });

  it('turns the demo seed off by default when MONGODB_URI is set', () => {
    expect(loadConfig({ MONGODB_URI: 'mongodb://db.internal:27017/techins' }).SEED_DEMO).to.equal(false);
    expect(loadConfig({ MONGODB_URI: 'mongodb://db.internal:27017/techins', SEED_DEMO: 'true' }).SEED_DEMO).to.equal(true);
  });

  it('lists every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', MONGODB_URI: 'http://db', BODY_LIMIT: 'huge', HOST: '127.0.0.1' });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(variables).to.deep.equal(['BODY_LIMIT', 'LOG_LEVEL', 'MONGODB_URI', 'PORT']);
    expect((error as Error).message).to.contain('PORT').and.contain('must be integer');
  });
});
