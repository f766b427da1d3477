// The risk compensation fund (风险补偿金): contributions by government and bank, and a payout to the bank
// for a defaulted micro-loan, are money like any other: lots, lineage, and a balance that cannot go negative.
import t from 'tap';
import { COUNTY, standardCounty, world } from './fixture.js';

const RISKFUND = `riskfund:${COUNTY}`;

t.test('government and bank contributions enter the risk fund and a payout for a defaulted loan draws on them', async (t) => {
  const w = world();
  await standardCounty(w);
  await w.run({ type: 'RegisterFundSource', sourceId: 'riskfund-gov', name: '政府风险补偿金', category: 'risk_fund', sourceType: 'guarantee' });
  await w.run({ type: 'RegisterFundSource', sourceId: 'riskfund-bank', name: '银行风险补偿金', category: 'risk_fund', sourceType: 'guarantee' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'rf-gov', countyCode: COUNTY, sourceId: 'riskfund-gov', fiscalYear: 2020, purpose: 'risk_compensation', amountFen: 7_000_000, toAccount: RISKFUND, party: 'government' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'rf-bank', countyCode: COUNTY, sourceId: 'riskfund-bank', fiscalYear: 2020, purpose: 'risk_compensation', amountFen: 3_000_000, toAccount: RISKFUND, party: 'bank' });
  await w.run({ type: 'IssueMicroLoan', loanId: 'loan-9', householdId: 'hh-1', bank: '农商行', principalFen: 5_000_000, termMonths: 36, annualRateBp: 435, issuedOn: '2020-06-01' });
  await w.run({ type: 'RecordLoanDefault', loanId: 'loan-9', on: '2021-06-01', reason: '逾期未还' });
  const payout = await w.run({ type: 'MakePayment', paymentId: 'rc-1', fromAccount: RISKFUND, payee: { kind: 'bank', id: 'bank-1', name: '农商行' }, amountFen: 4_000_000, voucherNo: 'FX-2021-1', purpose: 'risk_compensation', loanId: 'loan-9', effectiveDate: '2021-07-01' });
  t.equal(payout.status, 'recorded');
  const log = await w.log();
  const contributions = log.filter((e) => e.type === 'AppropriationReceived' && e.stream === `account-${RISKFUND}`).map((e) => (e.data as { party: string }).party);
  t.same(contributions, ['government', 'bank'], 'each contribution names who paid it');
  const paid = log[log.length - 1]!;
  t.match(paid.data, { loanId: 'loan-9', lots: [{ sourceId: 'riskfund-bank', sourceType: 'guarantee', amountFen: 3_000_000 }, { sourceId: 'riskfund-gov', amountFen: 1_000_000 }] });
  const fund = await w.executor.load(`account-${RISKFUND}`);
  t.equal((fund as unknown as { balanceFen: number }).balanceFen, 6_000_000, 'the fund holds what is left');
});

t.test('risk compensation for a loan that has not defaulted is refused, and nothing is written', async (t) => {
  const w = world();
  await standardCounty(w);
  await w.run({ type: 'RegisterFundSource', sourceId: 'riskfund-gov', name: '政府风险补偿金', category: 'risk_fund', sourceType: 'guarantee' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'rf-gov', countyCode: COUNTY, sourceId: 'riskfund-gov', fiscalYear: 2020, purpose: 'risk_compensation', amountFen: 7_000_000, toAccount: RISKFUND, party: 'government' });
  await w.run({ type: 'IssueMicroLoan', loanId: 'loan-ok', householdId: 'hh-1', bank: '农商行', principalFen: 5_000_000, termMonths: 36, annualRateBp: 435, issuedOn: '2020-06-01' });
  const before = (await w.log()).length;
  const payout = { type: 'MakePayment', paymentId: 'rc-x', fromAccount: RISKFUND, payee: { kind: 'bank', id: 'bank-1' }, amountFen: 1_000_000, voucherNo: 'FX-1', purpose: 'risk_compensation', effectiveDate: '2021-07-01' } as const;
  await t.rejects(w.run({ ...payout, loanId: 'loan-ok' }), { code: 'loan_not_active', message: /only once it has defaulted/ });
  await t.rejects(w.run({ ...payout, loanId: 'loan-none' }), { code: 'unknown_loan' });
  t.equal((await w.log()).length, before, 'nothing was written');
});

t.test('a plain payment may not carry 贴息 past the subsidy checks', async (t) => {
  const w = world();
  await standardCounty(w);
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-sub', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'interest_subsidy', amountFen: 1_000_000 });
  const before = (await w.log()).length;
  await t.rejects(
    w.run({ type: 'MakePayment', paymentId: 'tx-1', fromAccount: `pool:${COUNTY}:central-2020:2020`, payee: { kind: 'bank', id: 'bank-1' }, amountFen: 100_000, voucherNo: 'TX-1', purpose: 'interest_subsidy' }),
    { code: 'invalid_command', message: /PayInterestSubsidy/ },
  );
  t.equal((await w.log()).length, before, 'nothing was written');
});
