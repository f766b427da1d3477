// Stream names: the consistency boundaries. County-wide registries are one stream each (few, small writes);
// every household, official, project, plan, loan and account has its own stream.
export const streams = {
  areas: 'areas',
  sources: 'sources',
  rules: 'rules',
  seals: 'seals',
  programmes: 'programmes',
  household: (id: string) => `household-${id}`,
  official: (id: string) => `official-${id}`,
  project: (id: string) => `project-${id}`,
  plan: (id: string) => `plan-${id}`,
  loan: (id: string) => `loan-${id}`,
  account: (accountId: string) => `account-${accountId}`,
  finding: (findingId: string) => `finding-${findingId}`,
  budget: (countyCode: string) => `budget-${countyCode}`,
} as const;

export type AccountRef =
  | { kind: 'pool'; county: string; sourceId: string; fiscalYear: number }
  | { kind: 'integration'; planId: string }
  | { kind: 'township' | 'village' | 'subsidy' | 'riskfund'; code: string }
  | { kind: 'project'; projectId: string };

export function parseAccount(accountId: string): AccountRef {
  const [kind, a = '', b = '', c = ''] = accountId.split(':');
  switch (kind) {
    case 'pool':
      return { kind, county: a, sourceId: b, fiscalYear: Number(c) };
    case 'integration':
      return { kind, planId: a };
    case 'project':
      return { kind, projectId: a };
    case 'township':
    case 'village':
    case 'subsidy':
    case 'riskfund':
      return { kind, code: a };
    default:
      throw new Error(`not an account id: ${accountId}`);
  }
}

export function poolAccount(county: string, sourceId: string, fiscalYear: number): string {
  return `pool:${county}:${sourceId}:${fiscalYear}`;
}
