import type supertest from 'supertest';
import type { DemoKeys } from '../../src/cli/demo-seed.ts';
import { bearer } from './test-app.ts';

type Http = ReturnType<typeof supertest>;

export interface PublishAsOptions {
  /** The publish body (e.g. { effectiveFrom }). */
  body?: Record<string, unknown>;
  /** Who submits (default: the demo insurer's admin) and who publishes (default: its second admin). */
  maker?: string;
  checker?: string;
}

/**
 * Four-eyes publishing as tests do it: one admin submits the version, another publishes it.
 * Answers the submit's response when the submit is refused, else the publish's.
 */
export async function publishAs(http: Http, keys: DemoKeys, code: string, version: string, options: PublishAsOptions = {}): Promise<supertest.Response> {
  const submitted = await http.post(`/v1/products/${code}/versions/${encodeURIComponent(version)}/submit`).set(bearer(options.maker ?? keys.insurerAdmin));
  if (submitted.status !== 200) return submitted;
  const publish = http.post(`/v1/products/${code}/versions/${encodeURIComponent(version)}/publish`).set(bearer(options.checker ?? keys.secondInsurerAdmin));
  return options.body ? publish.send(options.body) : publish;
}

/** Issues a second insurer admin's key for an organisation (the demo seeds one for KCIC only), as its first admin. */
export async function issueSecondAdmin(http: Http, firstAdminKey: string, organisationId: string, userName = '第二管理员'): Promise<string> {
  const res = await http.post(`/v1/organisations/${organisationId}/api-keys`).set(bearer(firstAdminKey)).send({ userName, role: 'insurer-admin' });
  if (res.status !== 201) throw new Error(`second admin key: ${res.status} ${JSON.stringify(res.body)}`);
  return String(res.body.apiKey);
}
