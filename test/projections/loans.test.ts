// Micro-loans and the risk fund as folds over events that real commands record: principal and repayments,
// interest and 贴息 per window, default and misuse, contributions by party, payouts, and reversals undone.
import t from 'tap';
import { loans, type LoanView, type LoansView, type RiskFundView } from '../../projections/loans.js';
import { foldAll, type MemoryViews, type ProjectedEvent } from '../../projections/types.js';
import { COUNTY, VILLAGE, standardCounty, world, type World } from '../domain/fixture.js';

const SUBSIDY = `subsidy:${COUNTY}`;
const RISKFUND = `riskfund:${COUNTY}`;

async function fold(w: World): Promise<MemoryViews<LoansView>> {
  return foldAll(loans, (await w.log()) as unknown as ProjectedEvent[]);
}

const loan = (views: MemoryViews<LoansView>, loanId = 'loan-1'): LoanView => views.get(`loan:${loanId}`) as LoanView;
const fund = (views: MemoryViews<LoansView>): RiskFundView => views.get(`riskfund:${COUNTY}`) as RiskFundView;

/** loan-1 (¥50,000, 36 months, 4.35%) with two half-year accruals, 贴息 for the first, and ¥20,000 repaid. */
async function subsidisedLoan(): Promise<{ w: World; subsidyEventId: string }> {
  const w = world();
  await standardCounty(w);
  await w.run({ type: 'RegisterFundSource', sourceId: 'county-2020', name: '县级财政贴息资金', category: 'county_self_raised', sourceType: 'grant' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-sub', countyCode: COUNTY, sourceId: 'county-2020', fiscalYear: 2020, purpose: 'interest_subsidy', amountFen: 1_000_000, toAccount: SUBSIDY });
  await w.run({ type: 'IssueMicroLoan', loanId: 'loan-1', householdId: 'hh-1', bank: '庄浪县农村信用合作联社', principalFen: 5_000_000, termMonths: 36, annualRateBp: 435, issuedOn: '2020-06-01' });
  await w.run({ type: 'RecordInterestAccrual', loanId: 'loan-1', windowFrom: '2020-06-01', windowTo: '2020-11-30', interestFen: 108_750, effectiveDate: '2020-11-30' });
  const paid = await w.run({ type: 'PayInterestSubsidy', paymentId: 'sub-1', loanId: 'loan-1', fromAccount: SUBSIDY, windowFrom: '2020-06-01', windowTo: '2020-11-30', amountFen: 108_750, voucherNo: 'TX-2020-001', effectiveDate: '2020-12-10' });
  await w.run({ type: 'RecordInterestAccrual', loanId: 'loan-1', windowFrom: '2020-12-01', windowTo: '2021-05-31', interestFen: 108_750, effectiveDate: '2021-05-31' });
  await w.run({ type: 'RecordLoanRepayment', loanId: 'loan-1', amountFen: 2_000_000, on: '2021-06-01', effectiveDate: '2021-06-01' });
  return { w, subsidyEventId: paid.events.find((e) => e.type === 'PaymentMade')!.id };
}

/** Government ¥70,000 and bank ¥30,000 into the risk fund, a donor ¥5,000 recorded by mistake and reversed. */
async function riskFund(w: World): Promise<void> {
  await w.run({ type: 'RegisterFundSource', sourceId: 'riskfund-gov', name: '政府风险补偿金', category: 'risk_fund', sourceType: 'guarantee' });
  await w.run({ type: 'RegisterFundSource', sourceId: 'riskfund-bank', name: '银行风险补偿金', category: 'risk_fund', sourceType: 'guarantee' });
  await w.run({ type: 'RegisterFundSource', sourceId: 'riskfund-donor', name: '社会捐助风险金', category: 'risk_fund', sourceType: 'donation' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'rf-gov', countyCode: COUNTY, sourceId: 'riskfund-gov', fiscalYear: 2020, purpose: 'risk_compensation', amountFen: 7_000_000, toAccount: RISKFUND, party: 'government' });
  await w.run({ type: 'RecordAppropriation', appropriationId: 'rf-bank', countyCode: COUNTY, sourceId: 'riskfund-bank', fiscalYear: 2020, purpose: 'risk_compensation', amountFen: 3_000_000, toAccount: RISKFUND, party: 'bank' });
  const donor = await w.run({ type: 'RecordAppropriation', appropriationId: 'rf-don', countyCode: COUNTY, sourceId: 'riskfund-donor', fiscalYear: 2020, purpose: 'risk_compensation', amountFen: 500_000, toAccount: RISKFUND, party: 'donor' });
  const eventId = donor.events.find((e) => e.type === 'AppropriationReceived')!.id;
  await w.run({ type: 'ReverseEntry', reversalId: 'rv-don', account: RISKFUND, reversesEventId: eventId, reason: '重复登记' });
}

t.test('a loan shows principal, repayments, outstanding, interest and 贴息 per window', async (t) => {
  const { w } = await subsidisedLoan();
  const view = loan(await fold(w));
  t.match(view, {
    loanId: 'loan-1', householdId: 'hh-1', villageCode: VILLAGE, bank: '庄浪县农村信用合作联社', issuedOn: '2020-06-01',
    principalFen: 5_000_000, repaidFen: 2_000_000, outstandingFen: 3_000_000, interestAccruedFen: 217_500, subsidyPaidFen: 108_750,
    compensatedFen: 0, defaultedOn: null, misuseFlaggedOn: null,
  });
  t.same(view.windows, [
    { from: '2020-06-01', to: '2020-11-30', interestFen: 108_750, subsidyFen: 108_750 },
    { from: '2020-12-01', to: '2021-05-31', interestFen: 108_750 },
  ]);
});

t.test('a reversed 贴息 payment is no longer counted as subsidy paid', async (t) => {
  const { w, subsidyEventId } = await subsidisedLoan();
  await w.run({ type: 'ReverseEntry', reversalId: 'rv-sub', account: SUBSIDY, reversesEventId: subsidyEventId, reason: '贴息计算错误', effectiveDate: '2020-12-20' });
  const view = loan(await fold(w));
  t.equal(view.subsidyPaidFen, 0);
  t.same(view.windows[0], { from: '2020-06-01', to: '2020-11-30', interestFen: 108_750 }, 'the window keeps its interest, not the subsidy');
});

t.test('default and misuse are dated on the loan', async (t) => {
  const { w } = await subsidisedLoan();
  await w.run({ type: 'FlagLoanMisuse', loanId: 'loan-1', on: '2021-03-01', reason: '贷款用于建房' });
  await w.run({ type: 'RecordLoanDefault', loanId: 'loan-1', on: '2021-09-01', reason: '逾期未还' });
  t.match(loan(await fold(w)), { defaultedOn: '2021-09-01', misuseFlaggedOn: '2021-03-01' });
});

t.test('the risk fund shows contributions by party, payouts for defaulted loans, and what it holds', async (t) => {
  const w = world();
  await standardCounty(w);
  await riskFund(w);
  await w.run({ type: 'IssueMicroLoan', loanId: 'loan-9', householdId: 'hh-1', bank: '农商行', principalFen: 5_000_000, termMonths: 36, annualRateBp: 435, issuedOn: '2020-06-01' });
  await w.run({ type: 'RecordLoanDefault', loanId: 'loan-9', on: '2021-06-01', reason: '逾期未还' });
  await w.run({ type: 'MakePayment', paymentId: 'rc-1', fromAccount: RISKFUND, payee: { kind: 'bank', id: 'bank-1', name: '农商行' }, amountFen: 4_000_000, voucherNo: 'FX-2021-1', purpose: 'risk_compensation', loanId: 'loan-9', effectiveDate: '2021-07-01' });
  const views = await fold(w);
  t.same(fund(views), {
    view: 'riskfund', countyCode: COUNTY, contributedFen: { government: 7_000_000, bank: 3_000_000, donor: 0 }, paidOutFen: 4_000_000, heldFen: 6_000_000, loansIssuedFen: 5_000_000,
  });
  t.match(loan(views, 'loan-9'), { defaultedOn: '2021-06-01', compensatedFen: 4_000_000, outstandingFen: 5_000_000 });
});

t.test('a reversed risk-fund payout returns to the fund and is no longer credited to the loan', async (t) => {
  const w = world();
  await standardCounty(w);
  await riskFund(w);
  await w.run({ type: 'IssueMicroLoan', loanId: 'loan-9', householdId: 'hh-1', bank: '农商行', principalFen: 5_000_000, termMonths: 36, annualRateBp: 435, issuedOn: '2020-06-01' });
  await w.run({ type: 'RecordLoanDefault', loanId: 'loan-9', on: '2021-06-01', reason: '逾期未还' });
  const payout = await w.run({ type: 'MakePayment', paymentId: 'rc-1', fromAccount: RISKFUND, payee: { kind: 'bank', id: 'bank-1' }, amountFen: 1_000_000, voucherNo: 'FX-1', purpose: 'risk_compensation', loanId: 'loan-9', effectiveDate: '2021-07-01' });
  await w.run({ type: 'ReverseEntry', reversalId: 'rv-rc', account: RISKFUND, reversesEventId: payout.events[0]!.id, reason: '补偿金额有误', effectiveDate: '2021-07-02' });
  const views = await fold(w);
  t.match(fund(views), { paidOutFen: 0, heldFen: 10_000_000 });
  t.equal(loan(views, 'loan-9').compensatedFen, 0);
});

t.test('the same log folded twice gives the same views', async (t) => {
  const { w } = await subsidisedLoan();
  await riskFund(w);
  const log = (await w.log()) as unknown as ProjectedEvent[];
  t.equal(JSON.stringify([...foldAll(loans, log).map]), JSON.stringify([...foldAll(loans, log).map]));
});
