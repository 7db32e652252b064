import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { linkClient } from '../clients/client-service.ts';
import { OrganisationModel } from '../auth/auth-model.ts';
import { createOrganisation, issueApiKey, type NewOrganisation } from '../auth/auth-service.ts';
import type { Role } from '../auth/caller.ts';

/** The insurer codes of the demo organisations; shipped product files name these. */
export const DEMO_INSURER_CODE = 'KCIC';
export const DEMO_OTHER_INSURER_CODE = 'HTIC';
/** The third member of the shipped co-insurance pools (a follower, with no products of its own). */
export const DEMO_POOL_INSURER_CODE = 'ZXIC';

export interface DemoKeys {
  platformAdmin: string;
  insurerAdmin: string;
  /** The insurer's second admin: the checker who publishes what insurerAdmin submits (four-eyes). */
  secondInsurerAdmin: string;
  underwriter: string;
  broker: string;
  enterprise: string;
  otherInsurerAdmin: string;
  otherEnterprise: string;
  poolInsurerAdmin: string;
  /** Subsidy departments (#27): the central MIIT, Zhejiang's and Shandong's provincial departments, Jinan's city bureau. */
  authority: string;
  provincialAuthority: string;
  otherProvincialAuthority: string;
  cityAuthority: string;
}

// Demo enterprises carry unified social credit codes of the real shape (GB 32100: region code,
// organisation code with its GB 11714 check digit, mod-31 check character), printed on documents.
const organisations: Record<string, NewOrganisation> = {
  platform: { code: 'PLATFORM', kind: 'platform', name: '平台运营方', nameEn: 'Platform operator' },
  insurer: {
    code: DEMO_INSURER_CODE, kind: 'insurer', name: '科创财产保险股份有限公司（演示）', nameEn: 'Kechuang Property & Casualty (demo)',
    address: '上海市浦东新区世纪大道100号科创大厦18层', addressEn: '18/F Kechuang Tower, 100 Century Avenue, Pudong, Shanghai', servicePhone: '400-820-0101',
  },
  otherInsurer: {
    code: DEMO_OTHER_INSURER_CODE, kind: 'insurer', name: '恒泰科技保险股份有限公司（演示）', nameEn: 'Hengtai Technology Insurance (demo)',
    address: '北京市海淀区中关村大街27号恒泰大厦9层', addressEn: '9/F Hengtai Building, 27 Zhongguancun Street, Haidian, Beijing', servicePhone: '400-610-0202',
  },
  poolInsurer: {
    code: DEMO_POOL_INSURER_CODE, kind: 'insurer', name: '中鑫科技保险股份有限公司（演示）', nameEn: 'Zhongxin Technology Insurance (demo)',
    address: '深圳市南山区科技园南区高新南七道8号中鑫大厦12层', addressEn: '12/F Zhongxin Building, 8 Gaoxin South 7th Road, Nanshan, Shenzhen', servicePhone: '400-755-0303',
  },
  broker: { code: 'MXB', kind: 'broker', name: '明信保险经纪有限公司（演示）', nameEn: 'Mingxin Insurance Brokers (demo)' },
  enterprise: {
    code: 'HZZZ', kind: 'enterprise', name: '杭州智造装备有限公司', nameEn: 'Hangzhou Smart Equipment Co., Ltd.',
    province: '浙江', city: '杭州', regionCode: '330106', qualifications: ['high-tech', 'specialised-sme'], unifiedSocialCreditCode: '91330106MA2H7K3Q0L',
  },
  otherEnterprise: {
    code: 'JNXC', kind: 'enterprise', name: '济南新材科技有限公司', nameEn: 'Jinan New Materials Technology Co., Ltd.',
    province: '山东', city: '济南', regionCode: '370102', qualifications: ['tech-sme'], unifiedSocialCreditCode: '91370102MA3C8N5R2L',
  },
  // Subsidy departments (#27) for the shipped first-set programmes (products/subsidies/): each
  // reviews and decides the applications of its programmes from the regions it covers.
  authority: {
    code: 'MIIT', kind: 'authority', name: '工业和信息化部（演示）', nameEn: 'Ministry of Industry and Information Technology (demo)',
    level: 'central', regionPrefixes: [], programmes: ['CN-FIRST-SET', 'CN-FIRST-BATCH'],
  },
  provincialAuthority: {
    code: 'ZJ-EIT', kind: 'authority', name: '浙江省经济和信息化厅（演示）', nameEn: 'Zhejiang Department of Economy and Information Technology (demo)',
    province: '浙江', level: 'provincial', regionPrefixes: ['33'], programmes: ['ZJ-FIRST-SET'],
  },
  otherProvincialAuthority: {
    code: 'SD-IIT', kind: 'authority', name: '山东省工业和信息化厅（演示）', nameEn: 'Shandong Department of Industry and Information Technology (demo)',
    province: '山东', level: 'provincial', regionPrefixes: ['37'], programmes: ['SD-FIRST-SET'],
  },
  cityAuthority: {
    code: 'JN-IIT', kind: 'authority', name: '济南市工业和信息化局（演示）', nameEn: 'Jinan Bureau of Industry and Information Technology (demo)',
    province: '山东', city: '济南', level: 'city', regionPrefixes: ['3701'], programmes: ['SD-JINAN-TOPUP'],
  },
};

const keys: { name: keyof DemoKeys; organisation: keyof typeof organisations; role: Role; userName: string }[] = [
  { name: 'platformAdmin', organisation: 'platform', role: 'platform-admin', userName: 'Platform admin' },
  { name: 'insurerAdmin', organisation: 'insurer', role: 'insurer-admin', userName: '王产品' },
  { name: 'secondInsurerAdmin', organisation: 'insurer', role: 'insurer-admin', userName: '周复核' },
  { name: 'underwriter', organisation: 'insurer', role: 'underwriter', userName: '李核保' },
  { name: 'broker', organisation: 'broker', role: 'broker', userName: '张经纪' },
  { name: 'enterprise', organisation: 'enterprise', role: 'enterprise', userName: '陈财务' },
  { name: 'otherInsurerAdmin', organisation: 'otherInsurer', role: 'insurer-admin', userName: '赵产品' },
  { name: 'otherEnterprise', organisation: 'otherEnterprise', role: 'enterprise', userName: '刘财务' },
  { name: 'poolInsurerAdmin', organisation: 'poolInsurer', role: 'insurer-admin', userName: '孙共保' },
  { name: 'authority', organisation: 'authority', role: 'authority-officer', userName: '吴审核' },
  { name: 'provincialAuthority', organisation: 'provincialAuthority', role: 'authority-officer', userName: '钱审核' },
  { name: 'otherProvincialAuthority', organisation: 'otherProvincialAuthority', role: 'authority-officer', userName: '郑审核' },
  { name: 'cityAuthority', organisation: 'cityAuthority', role: 'authority-officer', userName: '冯审核' },
];

/**
 * Creates the demo organisations and keys (and links both demo enterprises as clients of the demo
 * broker firm) when the database has no organisation yet, and writes
 * the keys to `<dataDir>/demo-keys.json` (mode 600). Returns null when the database was not empty.
 * Several instances starting together are safe: organisation codes are unique, so only one wins.
 */
export async function seedDemoOrganisations(dataDir: string): Promise<{ keys: DemoKeys; file: string } | null> {
  if ((await OrganisationModel.estimatedDocumentCount()) > 0) return null;
  const ids: Record<string, string> = {};
  try {
    for (const [name, organisation] of Object.entries(organisations)) ids[name] = (await createOrganisation(organisation)).id;
  } catch (err) {
    if ((err as { kind?: string }).kind === 'conflict') return null;
    throw err;
  }
  // The demo broker firm acts for both demo enterprises: brokers quote only for their clients.
  for (const enterprise of ['enterprise', 'otherEnterprise']) await linkClient(ids.broker!, ids[enterprise]!, { userName: 'demo seed' });
  const issued = {} as DemoKeys;
  for (const key of keys) {
    issued[key.name] = (await issueApiKey(null, ids[key.organisation]!, { userName: key.userName, role: key.role })).apiKey;
  }
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, 'demo-keys.json');
  await writeFile(file, `${JSON.stringify(issued, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { keys: issued, file };
}
