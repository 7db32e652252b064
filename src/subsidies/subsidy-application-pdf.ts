// The application (补贴申请材料) of a policy to one subsidy programme as a PDF in Chinese, and all
// of a policy's applications as one ZIP. The form is pre-filled from the enterprise, the policy
// and the layer the engine computed; the policy schedule's key facts follow (the documents
// capability's view and partials), then the checklist of papers the programme file asks for.
// Rendered on demand through the shared PDF renderer; nothing is stored.
import { createRequire } from 'node:module';
import type { Archiver, ZipOptions } from 'archiver';
import { findEnterpriseById } from '../auth/auth-service.ts';
import type { Caller } from '../auth/caller.ts';
import { yuanDigits, moneyInputToFen } from '../documents/document-format.ts';
import { createDocumentPrinter } from '../documents/document-printer.ts';
import { loadDocumentSource } from '../documents/document-source.ts';
import type { DocumentTemplates } from '../documents/document-templates.ts';
import type { DocumentView } from '../documents/document-view.ts';
import type { PdfRenderer, RendererLogger } from '../documents/pdf-renderer.ts';
import { getPolicy, policyRatingRecord, type PolicyView } from '../policies/policy-service.ts';
import { evidenceLines } from '../i18n/qualification-evidence.ts';
import type { ProductDefinition, SubsidyLayer, SubsidyProgramme } from '../rating/index.ts';
import { applicationLayers, loadApplication, programmesByCode } from './subsidy-application-service.ts';
import { subsidyCalculation, type CalculationStep } from './subsidy-calculation.ts';
import { currentLayers, type CurrentLayers } from './current-layers.ts';

export interface ApplicationFile {
  fileName: string;
  /** ASCII name for the plain `filename=` of Content-Disposition. */
  asciiFileName: string;
  bytes: Buffer;
}


export interface SubsidyApplicationDocuments {
  /** One application as PDF (the policy's visibility: 404 for others). */
  applicationPdf(caller: Caller, policyId: string, programme: string): Promise<ApplicationFile>;
  /** Every application of a policy, one PDF each, as a ZIP. */
  applicationsZip(caller: Caller, policyId: string): Promise<ApplicationFile>;
}

interface ApplicationView extends DocumentView {
  app: {
    title: string;
    pdfTitle: string;
    programmeName: string;
    level: string;
    department: string;
    enterprise: { name: string; uscc: string; region: string };
    policyNumber: string;
    insuredItems: string;
    limits: string;
    calculation: CalculationStep[];
    amount: string;
    /** What the qualifications were verified against (#27), or that they are as declared. */
    evidence: string;
    papers: { label: string; note: string }[];
    footnote: string;
  };
}

// archiver 7 (installed) exports a factory; the installed @types/archiver (8) describes version
// 8's classes, whose Archiver instance type still fits.
const archiver = createRequire(import.meta.url)('archiver') as (format: 'zip', options?: ZipOptions) => Archiver;

const LEVELS: Record<string, string> = { central: '中央', provincial: '省级', city: '市级', county: '县级' };

/** The sum insured the product's subsidy basis names, when it is a money field of the form. */
function sumInsuredOf(definition: ProductDefinition, inputs: Record<string, unknown>): number | undefined {
  const key = definition.plan.subsidyBasis?.sumInsured;
  const field = key ? (definition.form.fields as readonly { key: string; type: string; unit?: string }[]).find((f) => f.key === key && f.type === 'money') : undefined;
  return field ? moneyInputToFen(inputs[field.key], field.unit) : undefined;
}

async function regionOf(enterpriseId: string): Promise<{ uscc: string; region: string }> {
  const org = await findEnterpriseById(enterpriseId);
  const place = [org?.province, org?.city].filter(Boolean).join(' ');
  return { uscc: org?.unifiedSocialCreditCode ?? '（未登记）', region: `${place}${org?.regionCode ? `（行政区划代码 ${org.regionCode}）` : ''}` || '（未登记）' };
}

/** The printable view of one application. */
async function applicationView(templates: DocumentTemplates, policy: PolicyView, layer: SubsidyLayer, programme: SubsidyProgramme | undefined, now: CurrentLayers): Promise<ApplicationView> {
  const record = await policyRatingRecord(policy.id);
  // The insured items as they stand after the latest endorsement (#26), else as issued.
  const inputs = (policy.current?.inputs ?? record?.inputs ?? {}) as Record<string, unknown>;
  const source = await loadDocumentSource('policy', {
    quoteNumber: policy.quoteNumber, productCode: policy.productCode, productVersion: policy.productVersion, startDate: policy.startDate, endDate: policy.endDate,
    inputs, result: policy.result, enterpriseName: policy.enterpriseName, enterpriseOrganisationId: policy.enterpriseId, brokerOrganisationId: policy.brokerOrganisationId,
  }, { status: 'issued', quoteDate: policy.issuedAt.slice(0, 10), validUntil: policy.issuedAt.slice(0, 10), policyNumber: policy.policyNumber, issuedOn: policy.issuedAt.slice(0, 10) });
  const schedule = templates.view(source, 'zh-CN');
  const usedBeforeFen = (record?.context.enterprise?.receivedThisYear ?? []).filter((r) => r.programme === layer.programme).reduce((sum, r) => sum + r.amountFen, 0);
  const calculation = subsidyCalculation({
    layer, programme, line: policy.line, ...now.premium,
    vatRatePercent: policy.result.vatRatePercent, sumInsuredFen: sumInsuredOf(source.definition, inputs), usedBeforeFen,
  });
  const title = '保险保费补贴申请表';
  return {
    ...schedule,
    app: {
      title,
      pdfTitle: `补贴申请材料 ${layer.programme} ${policy.policyNumber}`,
      programmeName: layer.name.zh,
      level: LEVELS[layer.level] ?? layer.level,
      department: programme?.application?.department.zh ?? '（见补贴政策文件）',
      enterprise: { name: policy.enterpriseName, ...await regionOf(policy.enterpriseId) },
      policyNumber: policy.policyNumber,
      insuredItems: schedule.lists.map((l) => `${l.label}：${l.rows.map((r) => r.filter(Boolean).join(' ')).join('；')}`).join('。') || schedule.productName,
      limits: schedule.cover.flatMap((c) => c.limits.filter((l) => l.amount).map((l) => `${l.label} ${l.amount} 元`)).join('；'),
      calculation,
      amount: yuanDigits(layer.amountFen),
      evidence: evidenceLines(layer, 'zh-CN').join('；'),
      papers: (programme?.application?.papers ?? []).map((p) => ({ label: p.label.zh, note: p.note?.zh ?? '' })),
      footnote: `补贴在全额缴纳保费后申请；以上金额按保单签发时的产品版本 ${policy.productVersion} 与补贴政策计算${changeNote(now)}，以受理部门核定为准。${programme?.source ? `政策依据：${programme.source}` : ''}`,
    },
  };
}

/** Which change the amounts follow (#26): the latest endorsement's terms, or the premium kept on cancellation. */
function changeNote(now: CurrentLayers): string {
  if (!now.change) return '';
  return now.change.kind === 'cancellation' ? `，并按退保批单 ${now.change.ref}（${now.change.effectiveDate} 起退保）的保留保费重算` : `，并按批单 ${now.change.ref}（${now.change.effectiveDate} 起生效）批改后的条款重算`;
}

/** The application documents over the shared renderer and the compiled document templates. */
export function createSubsidyApplicationDocuments(options: { renderer: PdfRenderer; templates: DocumentTemplates; logger?: RendererLogger; renderTimeoutMs?: number }): SubsidyApplicationDocuments {
  const printer = createDocumentPrinter(options.renderer, options.renderTimeoutMs ?? 15_000, options.logger);
  // templates/documents/subsidy-application.hbs, with the documents' partials and stylesheet.
  const render = (view: ApplicationView) => options.templates.engine.render('documents/subsidy-application', view);

  async function printApplication(policy: PolicyView, layer: SubsidyLayer, programme: SubsidyProgramme | undefined): Promise<ApplicationFile> {
    const view = await applicationView(options.templates, policy, layer, programme, await currentLayers(policy));
    const bytes = await printer.print(render(view), view.app.pdfTitle, new Date(policy.issuedAt));
    return { fileName: `补贴申请材料-${layer.programme}-${policy.policyNumber}.pdf`, asciiFileName: `subsidy-application-${layer.programme}-${policy.policyNumber}.pdf`, bytes };
  }

  return {
    async applicationPdf(caller, policyId, programme) {
      const { policy, layer } = await loadApplication(caller, policyId, programme);
      return printApplication(policy, layer, (await programmesByCode(policy.line)).get(programme));
    },
    async applicationsZip(caller, policyId) {
      const policy = await getPolicy(caller, policyId);
      const programmes = await programmesByCode(policy.line);
      const files: ApplicationFile[] = [];
      for (const layer of await applicationLayers(policy)) files.push(await printApplication(policy, layer, programmes.get(layer.programme)));
      return { fileName: `补贴申请材料-${policy.policyNumber}.zip`, asciiFileName: `subsidy-applications-${policy.policyNumber}.zip`, bytes: await zipOf(files, new Date(policy.issuedAt)) };
    },
  };
}

/** The files as one ZIP (UTF-8 names), in memory. */
export function zipOf(files: readonly ApplicationFile[], date: Date): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = archiver('zip', { zlib: { level: 6 } });
    const chunks: Buffer[] = [];
    zip.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.on('end', () => resolve(Buffer.concat(chunks)));
    zip.on('error', reject);
    zip.on('warning', reject);
    for (const file of files) zip.append(file.bytes, { name: file.fileName, date });
    void zip.finalize();
  });
}
