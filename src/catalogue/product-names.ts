// Products' names by code, for rooms that show the catalogue's products by name (pool invitations).
// A module of its own: catalogue-service.ts asks pools for membership and consent, so pools
// reading names from it would close a runtime import circle.
import { ProductModel } from './catalogue-model.ts';

/** The zh/en name of each product among `codes` (a code no product has is absent). */
export async function productNamesByCode(codes: readonly string[]): Promise<Map<string, { zh: string; en: string }>> {
  const products = await ProductModel.find({ code: { $in: [...new Set(codes)] } }, { code: 1, name: 1 }).lean();
  return new Map(products.map((p) => [p.code, { zh: p.name?.zh ?? p.code, en: p.name?.en ?? p.code }]));
}
