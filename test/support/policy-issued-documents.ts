// src/service.ts wires "policy issued" to its one documents service. A test process composes many
// apps (one per test file) while an onPolicyIssued hook lasts as long as the process, so tests
// register one hook, on first use, that reaches the documents services open now.
import type { DocumentService } from '../../src/documents/document-service.ts';
import { onPolicyIssued } from '../../src/policies/policy-service.ts';

const open = new Set<DocumentService>();
let registered = false;

/** Stores a policy's schedules through `documents` when it is issued, until the returned function is called. */
export function storeSchedulesOnIssue(documents: DocumentService): () => void {
  if (!registered) {
    registered = true;
    onPolicyIssued(async (policy) => {
      await Promise.all([...open].map((service) => service.storePolicySchedules(policy.id)));
    });
  }
  open.add(documents);
  return () => {
    open.delete(documents);
  };
}
