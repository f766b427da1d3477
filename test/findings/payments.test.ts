// Payment rules as sentences: each planted case is found with the events that prove it, and each near miss
// (inside a window, under a threshold, another period, a reversed payment) is not. Worlds are built by running
// real commands, live where the controls allow them and as imported history where they would refuse.
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { Detector } from '../../projections/findings/engine.js';
import { PAYMENT_RULES } from '../../projections/findings/rules/payments.js';
import type { ProjectedEvent } from '../../projections/types.js';
import type { Finding } from '../../projections/findings/types.js';
import type { ExecutionContext } from '../../domain/commands.js';
import { COUNTY, OTHER_VILLAGE, POOL, TOWNSHIP_ACCOUNT, VILLAGE, VILLAGE_ACCOUNT, standardWorld, type CommandInput, type World } from '../domain/fixture.js';
import { findingsOf, historical, withCode } from './helpers.js';

type Payment = Extract<CommandInput, { type: 'MakePayment' }>;

/** ¥1,500 of household benefit from the village to hh-1 on 2020-06-01, with fresh ids, unless overridden. */
function payment(over: Partial<Payment> & { effectiveDate?: string } = {}): Payment & { id: string } {
  const tag = randomUUID().slice(0, 8);
  return { type: 'MakePayment', id: randomUUID(), paymentId: `pay-${tag}`, fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 150_000, voucherNo: `PZ-${tag}`, purpose: 'household_benefit', ...over };
}

/** Runs a payment and returns the id of the PaymentMade event it recorded. */
async function pay(w: World, over: Partial<Payment> & { effectiveDate?: string } = {}, ctx?: Partial<ExecutionContext>): Promise<string> {
  const result = await w.run(payment(over), ctx);
  const paid = result.events.find((e) => e.type === 'PaymentMade');
  if (!paid) throw new Error('no PaymentMade recorded');
  return paid.id;
}

/** Runs a command and returns the id of its first event. */
async function first(w: World, command: CommandInput, ctx?: Partial<ExecutionContext>): Promise<string> {
  return (await w.run(command, ctx)).events[0]!.id;
}

/** Registers a household with its head as the only member; the ID number is made from the household's digits. */
async function registerHousehold(w: World, householdId: string, villageCode = VILLAGE, idNumber = `620423197505${householdId.replace(/\D/g, '').padStart(5, '0')}1`, registeredOn = '2014-10-01'): Promise<string> {
  return first(w, { type: 'RegisterHousehold', householdId, villageCode, headName: `户主${householdId}`, headIdNumber: idNumber, registeredOn, members: [{ personId: `p-${householdId}`, name: `户主${householdId}`, idNumber, relation: 'head' }] });
}

/** ¥10,000 of household benefit for the township account, from the pool. */
async function fundTownship(w: World): Promise<void> {
  await w.run({ type: 'SendTransfer', transferId: 'tr-t', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 1_000_000, lots: [{ appropriationId: 'ap-1', purpose: 'household_benefit', amountFen: 1_000_000 }] });
  await w.run({ type: 'ReceiveTransfer', transferId: 'tr-t', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 1_000_000 });
}

async function reverse(w: World, eventId: string, account = VILLAGE_ACCOUNT): Promise<void> {
  await w.run({ type: 'ReverseEntry', reversalId: `rev-${eventId.slice(0, 8)}`, account, reversesEventId: eventId, reason: '错付冲回' });
}

/** Only this file's rules: what they decide on their own, without the findings broken controls raise. */
const own = (w: World, asOf?: string): Promise<Finding[]> => findingsOf(w, { rules: PAYMENT_RULES, ...(asOf ? { asOf } : {}) });

const pairKey = (a: string, b: string): string => [a, b].sort().join('|');

// ---------------------------------------------------------------- ineligible_payee

t.test('ineligible_payee', async (t) => {
  t.test('a payment to a household whose removal, dated earlier, is recorded only after the payment is flagged', async (t) => {
    const w = await standardWorld();
    const paid = await pay(w);
    const removed = await first(w, { type: 'ChangeHouseholdStatus', householdId: 'hh-1', status: 'removed', on: '2020-05-01', reason: '识别不准' });
    const found = withCode(await findingsOf(w), 'ineligible_payee');
    t.equal(found.length, 1);
    t.match(found[0], { key: paid, severity: 'severe', areaCode: VILLAGE, amountFen: 150_000, accounts: [VILLAGE_ACCOUNT], parameters: { reason: 'removed' }, effectiveDate: '2020-06-01' });
    t.same(found[0]!.eventIds, [paid, removed], 'the payment and the removal, oldest first');
    t.match(found[0]!.explanation.en, /paid ¥1,500\.00 to household hh-1 \(张三\) on 2020-06-01, but household hh-1 was removed from the registry on 2020-05-01/);
    t.match(found[0]!.explanation.zh, /2020-05-01被清退/);
  });

  t.test('a payment made before the household was removed is not flagged', async (t) => {
    const w = await standardWorld();
    await pay(w);
    await w.run({ type: 'ChangeHouseholdStatus', householdId: 'hh-1', status: 'removed', on: '2020-06-02', reason: '识别不准' });
    t.same(withCode(await findingsOf(w), 'ineligible_payee'), []);
  });

  t.test('a payment to a person whose death, dated before the payment, is recorded later is flagged with the death', async (t) => {
    const w = await standardWorld();
    const paid = await pay(w, { payee: { kind: 'person', id: 'p-2', householdId: 'hh-1' } });
    const died = await first(w, { type: 'RecordDeath', householdId: 'hh-1', personId: 'p-2', on: '2020-05-15' });
    const found = withCode(await findingsOf(w), 'ineligible_payee');
    t.equal(found.length, 1);
    t.match(found[0], { key: paid, severity: 'severe', areaCode: VILLAGE, parameters: { reason: 'deceased' } });
    t.same(found[0]!.eventIds, [paid, died]);
    t.match(found[0]!.explanation.en, /李四 \(p-2\) died on 2020-05-15/);
  });

  t.test('a payment to a person on the day of their death is flagged', async (t) => {
    const w = await standardWorld();
    const paid = await pay(w, { payee: { kind: 'person', id: 'p-2', householdId: 'hh-1' } });
    await w.run({ type: 'RecordDeath', householdId: 'hh-1', personId: 'p-2', on: '2020-06-01' });
    t.match(withCode(await findingsOf(w), 'ineligible_payee'), [{ key: paid, parameters: { reason: 'deceased' } }]);
  });

  t.test('a payment to a person who died the day after it is not flagged', async (t) => {
    const w = await standardWorld();
    await pay(w, { payee: { kind: 'person', id: 'p-2', householdId: 'hh-1' } });
    await w.run({ type: 'RecordDeath', householdId: 'hh-1', personId: 'p-2', on: '2020-06-02' });
    t.same(withCode(await findingsOf(w), 'ineligible_payee'), []);
  });

  t.test('a payment to a living member of a household where another member died is not flagged', async (t) => {
    const w = await standardWorld();
    await w.run({ type: 'RecordDeath', householdId: 'hh-1', personId: 'p-2', on: '2020-03-01' });
    await pay(w, { payee: { kind: 'person', id: 'p-1', householdId: 'hh-1' } });
    await pay(w); // the household itself: one member still lives
    t.same(withCode(await findingsOf(w), 'ineligible_payee'), []);
  });

  t.test("a household paid in the name of its head after the head's death is flagged", async (t) => {
    const w = await standardWorld();
    const died = await first(w, { type: 'RecordDeath', householdId: 'hh-1', personId: 'p-1', on: '2020-02-01' });
    const paid = await pay(w, { payee: { kind: 'household', id: 'hh-1', name: '张三', idNumber: '620423198001010011' } }, historical);
    const found = withCode(await own(w), 'ineligible_payee');
    t.match(found, [{ key: paid, parameters: { reason: 'deceased' } }]);
    t.same(found[0]!.eventIds, [died, paid]);
  });

  t.test("a household paid in the name of the surviving spouse after the head's death is not flagged", async (t) => {
    const w = await standardWorld();
    await w.run({ type: 'RecordDeath', householdId: 'hh-1', personId: 'p-1', on: '2020-02-01' });
    await pay(w, { payee: { kind: 'household', id: 'hh-1', name: '李四', idNumber: '620423198203030022' } });
    t.same(withCode(await findingsOf(w), 'ineligible_payee'), []);
  });

  t.test('a household payment after every member had died is flagged with every death', async (t) => {
    const w = await standardWorld();
    const d1 = await first(w, { type: 'RecordDeath', householdId: 'hh-1', personId: 'p-1', on: '2020-02-01' });
    const d2 = await first(w, { type: 'RecordDeath', householdId: 'hh-1', personId: 'p-2', on: '2020-03-01' });
    const paid = await pay(w, {}, historical);
    const found = withCode(await own(w), 'ineligible_payee');
    t.equal(found.length, 1);
    t.match(found[0], { key: paid, parameters: { reason: 'all_members_deceased' } });
    t.same(found[0]!.eventIds, [d1, d2, paid]);
    t.match(found[0]!.explanation.en, /every member of household hh-1 had died by 2020-03-01/);
  });

  t.test('an imported payment to a household that exited beyond the post-exit window is one finding with the broken control', async (t) => {
    const w = await standardWorld();
    const exited = await first(w, { type: 'ChangeHouseholdStatus', householdId: 'hh-1', status: 'exited', on: '2015-06-02', reason: '脱贫' });
    const paid = await pay(w, {}, historical);
    const merged = withCode(await findingsOf(w), 'ineligible_payee');
    t.equal(merged.length, 1, 'the rule and the broken control raise the same finding');
    t.match(merged[0], { key: paid, severity: 'warning' });
    t.same([...merged[0]!.eventIds].sort(), [exited, paid].sort());
    const mine = withCode(await own(w), 'ineligible_payee');
    t.match(mine[0], { key: paid, severity: 'warning', parameters: { reason: 'exited_beyond_window', postExitWindowDays: 1825 } });
    t.same(mine[0]!.eventIds, [exited, paid]);
    t.match(mine[0]!.explanation.en, /exited on 2015-06-02, 1826 days before; policies continue for 1825 days/);
  });

  t.test('a payment on the last day of the post-exit window is not flagged', async (t) => {
    const w = await standardWorld();
    await w.run({ type: 'ChangeHouseholdStatus', householdId: 'hh-1', status: 'exited', on: '2015-06-03', reason: '脱贫' });
    await pay(w);
    t.same(withCode(await findingsOf(w), 'ineligible_payee'), []);
  });

  t.test('a shorter post-exit window in force on the payment date is the one applied', async (t) => {
    const w = await standardWorld();
    await w.run({ type: 'SetRuleParameters', effectiveFrom: '2020-01-01', parameters: { postExitWindowDays: 365 } });
    await w.run({ type: 'ChangeHouseholdStatus', householdId: 'hh-1', status: 'exited', on: '2019-05-01', reason: '脱贫' });
    const paid = await pay(w, {}, historical);
    t.match(withCode(await own(w), 'ineligible_payee'), [{ key: paid, parameters: { reason: 'exited_beyond_window', postExitWindowDays: 365, ruleVersion: 1 } }]);
  });

  t.test('an imported payment to a household not on the registry is flagged in the paying village', async (t) => {
    const w = await standardWorld();
    const paid = await pay(w, { payee: { kind: 'household', id: 'hh-404' } }, historical);
    const found = withCode(await own(w), 'ineligible_payee');
    t.match(found, [{ key: paid, severity: 'severe', areaCode: VILLAGE, eventIds: [paid], parameters: { reason: 'not_registered' } }]);
    t.match(found[0]!.explanation.en, /household hh-404 is not on the registry/);
  });

  t.test('a household registered after the payment was imported, with an earlier registration date, is not flagged', async (t) => {
    const w = await standardWorld();
    await pay(w, { payee: { kind: 'household', id: 'hh-9' } }, historical);
    await registerHousehold(w, 'hh-9', VILLAGE, '620423197505050099', '2014-10-01');
    t.same(withCode(await own(w), 'ineligible_payee'), [], 'decided on the registry as finally known');
  });

  t.test('a household registered after the payment was imported, with a later registration date, is flagged with its registration', async (t) => {
    const w = await standardWorld();
    const paid = await pay(w, { payee: { kind: 'household', id: 'hh-9' } }, historical);
    const registered = await registerHousehold(w, 'hh-9', VILLAGE, '620423197505050099', '2020-07-01');
    const found = withCode(await own(w), 'ineligible_payee');
    t.match(found, [{ key: paid, areaCode: VILLAGE, parameters: { reason: 'not_yet_registered' } }]);
    t.same(found[0]!.eventIds, [paid, registered]);
    t.match(found[0]!.explanation.en, /only registered on 2020-07-01/);
  });

  t.test('a village paying a household registered in another village is flagged in the paying village', async (t) => {
    const w = await standardWorld();
    const registered = await registerHousehold(w, 'hh-2', OTHER_VILLAGE);
    const paid = await pay(w, { payee: { kind: 'household', id: 'hh-2' } }, historical);
    const merged = withCode(await findingsOf(w), 'ineligible_payee');
    t.equal(merged.length, 1);
    t.match(merged[0], { key: paid, severity: 'severe', areaCode: VILLAGE });
    const mine = withCode(await own(w), 'ineligible_payee');
    t.match(mine, [{ key: paid, areaCode: VILLAGE, parameters: { reason: 'outside_area' } }]);
    t.match(mine[0]!.explanation.en, new RegExp(`hh-2 is registered in ${OTHER_VILLAGE}, outside ${VILLAGE}`));
    t.same(mine[0]!.eventIds, [registered, paid]);
  });

  t.test('a township paying a household of a village inside it is not flagged', async (t) => {
    const w = await standardWorld();
    await fundTownship(w);
    await registerHousehold(w, 'hh-2', OTHER_VILLAGE);
    await pay(w, { fromAccount: TOWNSHIP_ACCOUNT, payee: { kind: 'household', id: 'hh-2' } });
    t.same(withCode(await findingsOf(w), 'ineligible_payee'), []);
  });

  t.test('an imported payment to a person who is not a member of the household named is flagged', async (t) => {
    const w = await standardWorld();
    const paid = await pay(w, { payee: { kind: 'person', id: 'p-9', householdId: 'hh-1' } }, historical);
    const found = withCode(await own(w), 'ineligible_payee');
    t.match(found, [{ key: paid, parameters: { reason: 'not_a_member' } }]);
    t.match(found[0]!.explanation.en, /person p-9 is not a member of household hh-1/);
  });

  t.test('an imported payment to a person who names no household is flagged', async (t) => {
    const w = await standardWorld();
    const paid = await pay(w, { payee: { kind: 'person', id: 'p-77' } }, historical);
    t.match(withCode(await own(w), 'ineligible_payee'), [{ key: paid, parameters: { reason: 'no_household' } }]);
  });

  t.test('a payment reversed before the findings are computed no longer counts', async (t) => {
    const w = await standardWorld();
    const paid = await pay(w);
    await w.run({ type: 'ChangeHouseholdStatus', householdId: 'hh-1', status: 'removed', on: '2020-05-01', reason: '识别不准' });
    t.equal(withCode(await own(w), 'ineligible_payee').length, 1, 'flagged while it stands');
    await reverse(w, paid);
    t.same(withCode(await own(w), 'ineligible_payee'), [], 'not once reversed');
  });
});

// ---------------------------------------------------------------- duplicate_payment

t.test('duplicate_payment', async (t) => {
  t.test('the same voucher twice on one account is flagged as a pair, oldest first', async (t) => {
    const w = await standardWorld();
    const a = await pay(w, { voucherNo: 'PZ-7', amountFen: 100_000 });
    const b = await pay(w, { voucherNo: 'PZ-7', amountFen: 120_000, effectiveDate: '2020-06-05' });
    const found = withCode(await findingsOf(w), 'duplicate_payment');
    t.equal(found.length, 1);
    t.match(found[0], { key: pairKey(a, b), severity: 'severe', areaCode: VILLAGE, amountFen: 120_000, accounts: [VILLAGE_ACCOUNT], parameters: { matchedOn: ['voucherNo'] }, effectiveDate: '2020-06-05' });
    t.same(found[0]!.eventIds, [a, b]);
    t.match(found[0]!.explanation.en, /voucher PZ-7/);
  });

  t.test('the same voucher number on two different accounts is not flagged: each account numbers its own vouchers', async (t) => {
    const w = await standardWorld();
    await fundTownship(w);
    await pay(w, { voucherNo: 'PZ-7' });
    await pay(w, { voucherNo: 'PZ-7', fromAccount: TOWNSHIP_ACCOUNT, amountFen: 100_000 });
    t.same(withCode(await findingsOf(w), 'duplicate_payment'), []);
  });

  t.test('the same bank reference on two accounts is flagged', async (t) => {
    const w = await standardWorld();
    await fundTownship(w);
    const a = await pay(w, { bankRef: 'BK-2020-0001' });
    const b = await pay(w, { bankRef: 'BK-2020-0001', fromAccount: TOWNSHIP_ACCOUNT, amountFen: 100_000 });
    const found = withCode(await findingsOf(w), 'duplicate_payment');
    t.match(found, [{ key: pairKey(a, b), severity: 'severe', parameters: { matchedOn: ['bankRef'] } }]);
    t.same(found[0]!.eventIds, [a, b]);
    t.same([...found[0]!.accounts].sort(), [TOWNSHIP_ACCOUNT, VILLAGE_ACCOUNT].sort());
  });

  t.test('the same payee, amount and date under two payment ids is flagged as a warning', async (t) => {
    const w = await standardWorld();
    const a = await pay(w);
    const b = await pay(w);
    const found = withCode(await findingsOf(w), 'duplicate_payment');
    t.match(found, [{ key: pairKey(a, b), severity: 'warning', amountFen: 150_000, parameters: { matchedOn: ['payeeAmountDate'] } }]);
    t.same(found[0]!.eventIds, [a, b]);
  });

  t.test('the same payee and amount on different dates is not flagged', async (t) => {
    const w = await standardWorld();
    await pay(w);
    await pay(w, { effectiveDate: '2020-06-02' });
    t.same(withCode(await findingsOf(w), 'duplicate_payment'), []);
  });

  t.test('a duplicate whose second payment was reversed is not flagged', async (t) => {
    const w = await standardWorld();
    await pay(w, { voucherNo: 'PZ-7' });
    const b = await pay(w, { voucherNo: 'PZ-7' });
    t.equal(withCode(await findingsOf(w), 'duplicate_payment').length, 1, 'flagged while both stand');
    await reverse(w, b);
    t.same(withCode(await findingsOf(w), 'duplicate_payment'), [], 'not once the second is reversed');
  });

  t.test('a voucher used three times gives two findings, each later payment paired with the first', async (t) => {
    const w = await standardWorld();
    const a = await pay(w, { voucherNo: 'PZ-7', amountFen: 100_000 });
    const b = await pay(w, { voucherNo: 'PZ-7', amountFen: 110_000 });
    const c = await pay(w, { voucherNo: 'PZ-7', amountFen: 120_000 });
    const keys = withCode(await findingsOf(w), 'duplicate_payment').map((f) => f.key).sort();
    t.same(keys, [pairKey(a, b), pairKey(a, c)].sort());
  });
});

// ---------------------------------------------------------------- duplicate_benefit

t.test('duplicate_benefit', async (t) => {
  async function withProgrammes(): Promise<World> {
    const w = await standardWorld();
    await w.run({ type: 'RegisterProgramme', programmeId: 'edu-2020', name: '雨露计划', purpose: 'household_benefit', period: 'semester' });
    await w.run({ type: 'RegisterProgramme', programmeId: 'med-2020', name: '医疗救助', purpose: 'household_benefit', period: 'semester' });
    return w;
  }

  t.test('one household paid twice for one programme and period, once through a member, is flagged once', async (t) => {
    const w = await withProgrammes();
    const a = await pay(w, { programmeId: 'edu-2020', period: '2020-S1' });
    const b = await pay(w, { programmeId: 'edu-2020', period: '2020-S1', payee: { kind: 'person', id: 'p-2', householdId: 'hh-1' } });
    const findings = await findingsOf(w);
    const found = withCode(findings, 'duplicate_benefit');
    t.equal(found.length, 1);
    t.match(found[0], { key: pairKey(a, b), severity: 'severe', areaCode: VILLAGE, amountFen: 150_000, parameters: { programmeId: 'edu-2020', period: '2020-S1' } });
    t.same(found[0]!.eventIds, [a, b]);
    t.match(found[0]!.explanation.en, /household hh-1 \(head 张三\) was paid twice for programme edu-2020, period 2020-S1/);
    t.same(withCode(findings, 'duplicate_payment'), [], 'the same fact is not flagged a second time as a duplicate payment');
  });

  t.test('a benefit paid twice on one day at one amount is a duplicate benefit, not also a duplicate payment', async (t) => {
    const w = await withProgrammes();
    const a = await pay(w, { programmeId: 'edu-2020', period: '2020-S1' });
    const b = await pay(w, { programmeId: 'edu-2020', period: '2020-S1' });
    const findings = await findingsOf(w);
    t.match(withCode(findings, 'duplicate_benefit'), [{ key: pairKey(a, b) }]);
    t.same(withCode(findings, 'duplicate_payment'), []);
  });

  t.test('payments for different periods of one programme are not duplicates', async (t) => {
    const w = await withProgrammes();
    await pay(w, { programmeId: 'edu-2020', period: '2020-S1' });
    await pay(w, { programmeId: 'edu-2020', period: '2020-S2' });
    t.same(withCode(await findingsOf(w), 'duplicate_benefit'), []);
  });

  t.test('payments under different programmes for one period are not duplicates', async (t) => {
    const w = await withProgrammes();
    await pay(w, { programmeId: 'edu-2020', period: '2020-S1' });
    await pay(w, { programmeId: 'med-2020', period: '2020-S1' });
    t.same(withCode(await findingsOf(w), 'duplicate_benefit'), []);
  });

  t.test('two members of one household each paid their own wage for one month are not a duplicate', async (t) => {
    const w = await withProgrammes();
    await pay(w, { programmeId: 'edu-2020', period: '2020-S1', payee: { kind: 'person', id: 'p-1', householdId: 'hh-1' } });
    await pay(w, { programmeId: 'edu-2020', period: '2020-S1', payee: { kind: 'person', id: 'p-2', householdId: 'hh-1' } });
    t.same(withCode(await findingsOf(w), 'duplicate_benefit'), []);
  });

  t.test('one member paid twice for one period is a duplicate even when another member was paid in between', async (t) => {
    const w = await withProgrammes();
    const a = await pay(w, { programmeId: 'edu-2020', period: '2020-S1', payee: { kind: 'person', id: 'p-1', householdId: 'hh-1' } });
    await pay(w, { programmeId: 'edu-2020', period: '2020-S1', payee: { kind: 'person', id: 'p-2', householdId: 'hh-1' } });
    const c = await pay(w, { programmeId: 'edu-2020', period: '2020-S1', payee: { kind: 'person', id: 'p-1', householdId: 'hh-1' }, effectiveDate: '2020-06-03' });
    t.match(withCode(await findingsOf(w), 'duplicate_benefit'), [{ key: pairKey(a, c), eventIds: [a, c] }]);
  });

  t.test('a second benefit payment that was reversed is not a duplicate', async (t) => {
    const w = await withProgrammes();
    await pay(w, { programmeId: 'edu-2020', period: '2020-S1' });
    const b = await pay(w, { programmeId: 'edu-2020', period: '2020-S1' });
    t.equal(withCode(await findingsOf(w), 'duplicate_benefit').length, 1, 'flagged while both stand');
    await reverse(w, b);
    t.same(withCode(await findingsOf(w), 'duplicate_benefit'), []);
  });
});

// ---------------------------------------------------------------- related_party_benefit

t.test('related_party_benefit', async (t) => {
  const official = (over: Partial<Extract<CommandInput, { type: 'RegisterVillageOfficial' }>> = {}): CommandInput => ({ type: 'RegisterVillageOfficial', officialId: 'off-1', villageCode: VILLAGE, name: '赵六', idNumber: '620423197007070044', role: '村主任', ...over });

  t.test("a payment to an official's own household is flagged even when the official is registered after it", async (t) => {
    const w = await standardWorld();
    const paid = await pay(w);
    const registered = await first(w, official({ householdId: 'hh-1' }));
    const found = withCode(await findingsOf(w), 'related_party_benefit');
    t.equal(found.length, 1);
    t.match(found[0], { key: paid, severity: 'warning', areaCode: VILLAGE, amountFen: 150_000, accounts: [VILLAGE_ACCOUNT], parameters: { officials: ['off-1'], relations: ['self'] } });
    t.same(found[0]!.eventIds, [paid, registered]);
    t.match(found[0]!.explanation.en, /household of village official 赵六 \(村主任\)/);
  });

  t.test('a payment to a relative declared by ID number is flagged with the official and the declaration', async (t) => {
    const w = await standardWorld();
    await registerHousehold(w, 'hh-2', VILLAGE, '620423199001010055');
    const registered = await first(w, official());
    const declared = await first(w, { type: 'DeclareRelative', officialId: 'off-1', name: '赵七', relation: '兄弟', idNumber: '620423199001010055' });
    const paid = await pay(w, { payee: { kind: 'household', id: 'hh-2' } });
    const found = withCode(await findingsOf(w), 'related_party_benefit');
    t.match(found, [{ key: paid, areaCode: VILLAGE, parameters: { relations: ['兄弟'] } }]);
    t.same(found[0]!.eventIds, [registered, declared, paid]);
    t.match(found[0]!.explanation.zh, /赵七（兄弟）/);
  });

  t.test('a wage paid to a relative as a person, matched by the ID number of the payee, is flagged', async (t) => {
    const w = await standardWorld();
    await w.run(official());
    await w.run({ type: 'DeclareRelative', officialId: 'off-1', name: '李四', relation: '配偶的姐妹', idNumber: '620423198203030022' });
    const paid = await pay(w, { payee: { kind: 'person', id: 'p-2', householdId: 'hh-1', idNumber: '620423198203030022' } });
    t.match(withCode(await findingsOf(w), 'related_party_benefit'), [{ key: paid, areaCode: VILLAGE, parameters: { relations: ['配偶的姐妹'] } }]);
  });

  t.test("a micro-loan to a relative's household is flagged", async (t) => {
    const w = await standardWorld();
    await registerHousehold(w, 'hh-2', VILLAGE);
    await w.run(official());
    await w.run({ type: 'DeclareRelative', officialId: 'off-1', name: '赵七', relation: '女婿', householdId: 'hh-2' });
    const loan = await first(w, { type: 'IssueMicroLoan', loanId: 'loan-1', householdId: 'hh-2', bank: '庄浪农商行', principalFen: 5_000_000, termMonths: 36, annualRateBp: 435, issuedOn: '2020-06-01' });
    t.match(withCode(await findingsOf(w), 'related_party_benefit'), [{ key: loan, areaCode: VILLAGE, amountFen: 5_000_000 }]);
  });

  t.test("a relative of another village's official, paid by this village, is not flagged", async (t) => {
    const w = await standardWorld();
    await registerHousehold(w, 'hh-2', VILLAGE);
    await w.run(official({ villageCode: OTHER_VILLAGE }));
    await w.run({ type: 'DeclareRelative', officialId: 'off-1', name: '赵七', relation: '兄弟', householdId: 'hh-2' });
    await pay(w, { payee: { kind: 'household', id: 'hh-2' } });
    t.same(withCode(await findingsOf(w), 'related_party_benefit'), []);
  });

  t.test("a household that is neither the official's nor a declared relative's is not flagged", async (t) => {
    const w = await standardWorld();
    await registerHousehold(w, 'hh-2', VILLAGE);
    await w.run(official({ householdId: 'hh-1' }));
    await pay(w, { payee: { kind: 'household', id: 'hh-2' } });
    t.same(withCode(await findingsOf(w), 'related_party_benefit'), []);
  });
});

// ---------------------------------------------------------------- split_payment

t.test('split_payment', async (t) => {
  /** The standard world with a ¥10,000 approval threshold from 2020. */
  async function lowThreshold(): Promise<World> {
    const w = await standardWorld();
    await w.run({ type: 'SetRuleParameters', effectiveFrom: '2020-01-01', parameters: { approvalThresholdFen: 1_000_000 } });
    return w;
  }

  t.test('three payments under the threshold within the window that together reach it are one finding', async (t) => {
    const w = await lowThreshold();
    const a = await pay(w, { amountFen: 400_000, effectiveDate: '2020-06-01' });
    const b = await pay(w, { amountFen: 400_000, effectiveDate: '2020-06-04' });
    const c = await pay(w, { amountFen: 400_000, effectiveDate: '2020-06-08' }); // 7 days after the first
    const found = withCode(await findingsOf(w), 'split_payment');
    t.equal(found.length, 1);
    t.match(found[0], { key: a, severity: 'warning', areaCode: VILLAGE, amountFen: 1_200_000, accounts: [VILLAGE_ACCOUNT], parameters: { approvalThresholdFen: 1_000_000, splitWindowDays: 7, ruleVersion: 1 } });
    t.same(found[0]!.eventIds, [a, b, c]);
    t.match(found[0]!.explanation.en, /3 times between 2020-06-01 and 2020-06-08.*¥10,000\.00 approval threshold, together ¥12,000\.00/);
  });

  t.test('two payments under the threshold that together stay under it are not flagged', async (t) => {
    const w = await lowThreshold();
    await pay(w, { amountFen: 400_000 });
    await pay(w, { amountFen: 400_000, effectiveDate: '2020-06-02' });
    t.same(withCode(await findingsOf(w), 'split_payment'), []);
  });

  t.test('two payments eight days apart, beyond the seven-day window, are not flagged', async (t) => {
    const w = await lowThreshold();
    await pay(w, { amountFen: 600_000, effectiveDate: '2020-06-01' });
    await pay(w, { amountFen: 600_000, effectiveDate: '2020-06-09' });
    t.same(withCode(await findingsOf(w), 'split_payment'), []);
  });

  t.test('a single payment at the threshold next to a small one is not a split', async (t) => {
    const w = await lowThreshold();
    await pay(w, { amountFen: 1_200_000 });
    await pay(w, { amountFen: 100_000, effectiveDate: '2020-06-02' });
    t.same(withCode(await findingsOf(w), 'split_payment'), []);
  });

  t.test('payments to two different payees are not a split', async (t) => {
    const w = await lowThreshold();
    await registerHousehold(w, 'hh-2');
    await pay(w, { amountFen: 600_000 });
    await pay(w, { amountFen: 600_000, payee: { kind: 'household', id: 'hh-2' }, effectiveDate: '2020-06-02' });
    t.same(withCode(await findingsOf(w), 'split_payment'), []);
  });

  t.test('the threshold in force applies: the same payments under the default ¥50,000 are not a split', async (t) => {
    const w = await standardWorld();
    await pay(w, { amountFen: 600_000 });
    await pay(w, { amountFen: 600_000, effectiveDate: '2020-06-02' });
    t.same(withCode(await findingsOf(w), 'split_payment'), []);
  });

  t.test('a split whose second part was reversed is not flagged', async (t) => {
    const w = await lowThreshold();
    await pay(w, { amountFen: 600_000 });
    const b = await pay(w, { amountFen: 600_000, effectiveDate: '2020-06-02' });
    t.equal(withCode(await findingsOf(w), 'split_payment').length, 1, 'flagged while both stand');
    await reverse(w, b);
    t.same(withCode(await findingsOf(w), 'split_payment'), []);
  });
});

// ---------------------------------------------------------------- late_posting

t.test('late_posting', async (t) => {
  // The fixture records every command at 2020-06-30 (ExecutionContext.now).
  t.test('a payment recorded 91 days after its date is flagged as a warning', async (t) => {
    const w = await standardWorld();
    const paid = await pay(w, { effectiveDate: '2020-03-31' });
    const found = withCode(await findingsOf(w), 'late_posting');
    t.equal(found.length, 1);
    t.match(found[0], { key: paid, severity: 'warning', areaCode: VILLAGE, amountFen: 150_000, eventIds: [paid], parameters: { latePostingDays: 90, daysLate: 91, recordedOn: '2020-06-30' }, effectiveDate: '2020-03-31' });
    t.match(found[0]!.explanation.en, /dated 2020-03-31 was recorded on 2020-06-30, 91 days later, beyond the 90-day limit/);
  });

  t.test('a payment recorded exactly 90 days after its date is not flagged', async (t) => {
    const w = await standardWorld();
    await pay(w, { effectiveDate: '2020-04-01' });
    t.same(withCode(await findingsOf(w), 'late_posting'), []);
  });

  t.test('a payment recorded more than four times the limit late is severe', async (t) => {
    const w = await standardWorld();
    const paid = await pay(w, {}, { now: '2021-06-30T08:00:00.000Z' }); // 394 days after 2020-06-01
    t.match(withCode(await findingsOf(w), 'late_posting'), [{ key: paid, severity: 'severe', parameters: { daysLate: 394, severeAfterDays: 360 } }]);
  });

  t.test("lateness is measured from the command's recording time, not from when the store wrote the event", async (t) => {
    // The memory store stamps events with the wall clock, years after 2020; the command says 2020-06-30.
    const w = await standardWorld();
    await pay(w);
    t.same(withCode(await findingsOf(w), 'late_posting'), []);
  });

  t.test('a transfer sent late is flagged too, a household registered late is not (not a money event)', async (t) => {
    const w = await standardWorld();
    const result = await w.run({ type: 'SendTransfer', transferId: 'tr-late', fromAccount: POOL, toAccount: TOWNSHIP_ACCOUNT, amountFen: 100_000, effectiveDate: '2020-01-02' });
    const sent = result.events.find((e) => e.type === 'TransferSent')!.id;
    await w.run({ type: 'RegisterHousehold', householdId: 'hh-5', villageCode: VILLAGE, headName: '钱八', headIdNumber: '620423197505050077', registeredOn: '2014-10-01', effectiveDate: '2019-01-01' });
    t.match(withCode(await findingsOf(w), 'late_posting'), [{ key: sent, accounts: [POOL], areaCode: COUNTY }]);
    t.equal(withCode(await findingsOf(w), 'late_posting').length, 1);
  });
});

// ---------------------------------------------------------------- round_amounts

t.test('round_amounts', async (t) => {
  /** `round` payments of ¥1,000 and `other` of ¥123.45 to hh-1, one a day from 2020-05-01. */
  async function payments(w: World, round: number, other: number): Promise<string[]> {
    const roundIds: string[] = [];
    for (let i = 0; i < round + other; i++) {
      const effectiveDate = `2020-05-${String(1 + i).padStart(2, '0')}`;
      const id = await pay(w, { amountFen: i < round ? 100_000 : 12_345, effectiveDate });
      if (i < round) roundIds.push(id);
    }
    return roundIds;
  }

  t.test('an account whose 20 household payments are 80% whole thousands is flagged', async (t) => {
    const w = await standardWorld();
    const roundIds = await payments(w, 16, 4);
    const found = withCode(await findingsOf(w), 'round_amounts');
    t.equal(found.length, 1);
    t.match(found[0], { key: VILLAGE_ACCOUNT, severity: 'info', areaCode: VILLAGE, amountFen: 1_600_000, accounts: [VILLAGE_ACCOUNT], parameters: { minItems: 20, share: 0.8, unitFen: 100_000, payments: 20, roundPayments: 16 } });
    t.same(found[0]!.eventIds, roundIds);
    t.match(found[0]!.explanation.en, /20 payments to households and persons, 16 of them \(80\.0%/);
  });

  t.test('a reversed round payment no longer counts', async (t) => {
    const w = await standardWorld();
    const roundIds = await payments(w, 16, 4);
    t.equal(withCode(await findingsOf(w), 'round_amounts').length, 1, 'flagged while all stand');
    await reverse(w, roundIds[0]!);
    t.same(withCode(await findingsOf(w), 'round_amounts'), [], '15 of 19 once one is reversed');
  });

  t.test('a reversed payment leaves the count: 16 round of 21 is under the line, of 20 it is on it', async (t) => {
    const w = await standardWorld();
    await payments(w, 16, 4);
    const extra = await pay(w, { amountFen: 12_345, effectiveDate: '2020-05-25' });
    t.same(withCode(await findingsOf(w), 'round_amounts'), [], '16 of 21 (76%)');
    await reverse(w, extra);
    t.match(withCode(await findingsOf(w), 'round_amounts'), [{ parameters: { payments: 20, roundPayments: 16 } }], '16 of 20 once the extra one is reversed');
  });

  t.test('75% whole thousands is not flagged', async (t) => {
    const w = await standardWorld();
    await payments(w, 15, 5);
    t.same(withCode(await findingsOf(w), 'round_amounts'), []);
  });

  t.test('19 payments, all whole thousands, are too few to flag', async (t) => {
    const w = await standardWorld();
    await payments(w, 19, 0);
    t.same(withCode(await findingsOf(w), 'round_amounts'), []);
  });
});

// ---------------------------------------------------------------- identical_amounts

t.test('identical_amounts', async (t) => {
  async function households(w: World, n: number): Promise<string[]> {
    const ids = ['hh-1'];
    for (let i = 2; i <= n; i++) {
      await registerHousehold(w, `hh-${i}`);
      ids.push(`hh-${i}`);
    }
    return ids;
  }

  t.test('the same non-round amount to five payees from one account on one day is flagged', async (t) => {
    const w = await standardWorld();
    const paid: string[] = [];
    for (const id of await households(w, 5)) paid.push(await pay(w, { payee: { kind: 'household', id }, amountFen: 12_345 }));
    const found = withCode(await findingsOf(w), 'identical_amounts');
    t.equal(found.length, 1);
    t.match(found[0], { key: `${VILLAGE_ACCOUNT}|2020-06-01|12345`, severity: 'warning', areaCode: VILLAGE, amountFen: 5 * 12_345, parameters: { minPayees: 5, payees: 5, amountFen: 12_345 } });
    t.same(found[0]!.eventIds, paid);
  });

  t.test('five payees of whom one payment was reversed are four', async (t) => {
    const w = await standardWorld();
    const paid: string[] = [];
    for (const id of await households(w, 5)) paid.push(await pay(w, { payee: { kind: 'household', id }, amountFen: 12_345 }));
    t.equal(withCode(await findingsOf(w), 'identical_amounts').length, 1, 'flagged while all stand');
    await reverse(w, paid[4]!);
    t.same(withCode(await findingsOf(w), 'identical_amounts'), []);
  });

  t.test('four payees are not enough', async (t) => {
    const w = await standardWorld();
    for (const id of await households(w, 4)) await pay(w, { payee: { kind: 'household', id }, amountFen: 12_345 });
    t.same(withCode(await findingsOf(w), 'identical_amounts'), []);
  });

  t.test('a whole multiple of ¥100 to five payees is not flagged', async (t) => {
    const w = await standardWorld();
    for (const id of await households(w, 5)) await pay(w, { payee: { kind: 'household', id }, amountFen: 20_000 });
    t.same(withCode(await findingsOf(w), 'identical_amounts'), []);
  });

  t.test('a fixed-rate programme paying five households the same amount is not flagged', async (t) => {
    const w = await standardWorld();
    await w.run({ type: 'RegisterProgramme', programmeId: 'dibao', name: '低保', purpose: 'household_benefit', period: 'month' });
    for (const id of await households(w, 5)) await pay(w, { payee: { kind: 'household', id }, amountFen: 12_345, programmeId: 'dibao', period: '2020-06' });
    t.same(withCode(await findingsOf(w), 'identical_amounts'), []);
  });

  t.test('one payee paid the same amount five times is not five payees', async (t) => {
    const w = await standardWorld();
    for (let i = 0; i < 5; i++) await pay(w, { amountFen: 12_345 });
    t.same(withCode(await findingsOf(w), 'identical_amounts'), []);
  });
});

// ---------------------------------------------------------------- benford_deviation

t.test('benford_deviation', async (t) => {
  const PROJECT_ACCOUNT = 'project:road-1';

  /** A road project in the village with just the infrastructure money it needs, paid out in `amounts` (fen) to seven contractors. */
  async function projectSpending(amounts: number[]): Promise<{ w: World; ids: Map<string, number> }> {
    const w = await standardWorld();
    const fen = amounts.reduce((a, b) => a + b, 0);
    await w.run({ type: 'RegisterProject', projectId: 'road-1', villageCode: VILLAGE, name: '东关村道路硬化', purpose: 'infrastructure', budgetFen: fen, beneficiaryHouseholds: [], stages: [{ stage: 's1', shareBp: 10_000, final: false }] });
    await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-3', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'infrastructure', amountFen: fen });
    await w.run({ type: 'SendTransfer', transferId: 'tr-p', fromAccount: POOL, toAccount: PROJECT_ACCOUNT, amountFen: fen, lots: [{ appropriationId: 'ap-3', purpose: 'infrastructure', amountFen: fen }] });
    await w.run({ type: 'ReceiveTransfer', transferId: 'tr-p', fromAccount: POOL, toAccount: PROJECT_ACCOUNT, amountFen: fen });
    const ids = new Map<string, number>();
    for (const [i, amountFen] of amounts.entries()) {
      const id = await pay(w, { fromAccount: PROJECT_ACCOUNT, payee: { kind: 'contractor', id: `c-${i % 7}` }, amountFen, purpose: 'infrastructure', ...(i % 2 ? { projectId: 'road-1' } : {}) });
      ids.set(id, amountFen);
    }
    return { w, ids };
  }
  /** Log-uniform over ¥10 to ¥10,000, evenly stratified: first digits follow Benford's law closely. */
  const benfordLike = (n: number) => Array.from({ length: n }, (_, i) => Math.round(10 ** (1 + (3 * (i + 0.5)) / n) * 100));
  /** Chi-square and mean absolute deviation of the first digits of amounts against Benford's law. */
  const benford = (amounts: number[]) => {
    const counts = new Array<number>(10).fill(0);
    for (const fen of amounts) counts[Number(String(fen)[0])]! += 1;
    let chiSquare = 0;
    let mad = 0;
    for (let d = 1; d <= 9; d++) {
      const p = Math.log10(1 + 1 / d);
      chiSquare += (counts[d]! - amounts.length * p) ** 2 / (amounts.length * p);
      mad += Math.abs(counts[d]! / amounts.length - p) / 9;
    }
    return { chiSquare, mad };
  };
  /** ¥100 to ¥999 spread evenly: every first digit equally often, far from Benford. */
  const flat = (n: number) => Array.from({ length: n }, (_, i) => (100 + ((i * 37) % 900)) * 100 + (i % 100));

  t.test('600 project payments whose first digits follow Benford are not flagged', async (t) => {
    const { w } = await projectSpending(benfordLike(600));
    t.same(withCode(await findingsOf(w), 'benford_deviation'), []);
  });

  t.test('600 project payments with evenly spread first digits are flagged for the county', async (t) => {
    const amounts = flat(600);
    const { w, ids } = await projectSpending(amounts);
    const found = withCode(await findingsOf(w), 'benford_deviation');
    t.equal(found.length, 1);
    const total = amounts.reduce((a, b) => a + b, 0);
    t.match(found[0], { key: COUNTY, severity: 'warning', areaCode: COUNTY, amountFen: total, accounts: [PROJECT_ACCOUNT], parameters: { n: 600, minItems: 500, chiSquareCritical: 15.51, madThreshold: 0.015, digit: 9 } });
    const p = found[0]!.parameters as { chiSquare: number; mad: number };
    t.ok(p.chiSquare > 15.51, `chi-square ${p.chiSquare} over the critical value`);
    t.ok(p.mad > 0.015, `MAD ${p.mad} over Nigrini's nonconformity line`);
    t.equal(found[0]!.eventIds.length, 50, 'the first 50 payments of the most over-represented digit');
    t.ok(found[0]!.eventIds.every((id) => String(ids.get(id)).startsWith('9')), 'each starts with 9');
    t.match(found[0]!.explanation.en, /600 project payments.*start with 9/);
  });

  t.test('600 household payments from a village account with evenly spread first digits are not project spending', async (t) => {
    const w = await standardWorld();
    await w.run({ type: 'RecordAppropriation', appropriationId: 'ap-9', countyCode: COUNTY, sourceId: 'central-2020', fiscalYear: 2020, purpose: 'household_benefit', amountFen: 50_000_000 });
    await w.run({ type: 'SendTransfer', transferId: 'tr-9', fromAccount: POOL, toAccount: VILLAGE_ACCOUNT, amountFen: 50_000_000, lots: [{ appropriationId: 'ap-9', purpose: 'household_benefit', amountFen: 50_000_000 }] });
    await w.run({ type: 'ReceiveTransfer', transferId: 'tr-9', fromAccount: POOL, toAccount: VILLAGE_ACCOUNT, amountFen: 50_000_000 });
    for (const [i, amountFen] of flat(600).entries()) await pay(w, { amountFen, effectiveDate: `2020-0${1 + (i % 6)}-${String(1 + (i % 28)).padStart(2, '0')}` });
    t.same(withCode(await findingsOf(w), 'benford_deviation'), []);
  });

  t.test('2,000 project payments only slightly off Benford (chi-square over 15.51, MAD under 0.015) are not flagged', async (t) => {
    // 100 of the 2,000 moved from first digit 1 to 9: chi-square about 126, MAD about 0.011.
    let moved = 0;
    const amounts = benfordLike(2_000).map((fen) => (String(fen).startsWith('1') && moved++ < 100 ? Number(`9${String(fen).slice(1)}`) : fen));
    const { chiSquare, mad } = benford(amounts);
    t.ok(chiSquare > 15.51 && mad < 0.015, `the set sits between the lines: chi-square ${chiSquare.toFixed(1)}, MAD ${mad.toFixed(4)}`);
    const { w } = await projectSpending(amounts);
    t.same(withCode(await findingsOf(w), 'benford_deviation'), []);
  });

  t.test('a reversed project payment is taken out of the test: 500 flagged, 499 once one is reversed', async (t) => {
    const { w, ids } = await projectSpending(flat(500));
    t.match(withCode(await findingsOf(w), 'benford_deviation'), [{ parameters: { n: 500 } }], 'flagged at 500');
    await reverse(w, [...ids.keys()][0]!, PROJECT_ACCOUNT);
    t.same(withCode(await findingsOf(w), 'benford_deviation'), [], 'too few once one is reversed');
  });

  t.test('499 project payments are too few to test, however far from Benford', async (t) => {
    const { w } = await projectSpending(flat(499));
    t.same(withCode(await findingsOf(w), 'benford_deviation'), []);
  });
});

// ---------------------------------------------------------------- finish() decides without changing what it folded

t.test('asking for the findings twice gives the same findings: finish() keeps its state as folded', async (t) => {
  const w = await standardWorld();
  await w.run({ type: 'SetRuleParameters', effectiveFrom: '2020-01-01', parameters: { approvalThresholdFen: 1_000_000 } });
  await w.run({ type: 'RegisterProgramme', programmeId: 'edu-2020', name: '雨露计划', purpose: 'household_benefit', period: 'semester' });
  await pay(w, { amountFen: 600_000, voucherNo: 'PZ-7', programmeId: 'edu-2020', period: '2020-S1' });
  await pay(w, { amountFen: 600_000, voucherNo: 'PZ-7', programmeId: 'edu-2020', period: '2020-S1', effectiveDate: '2020-06-03' });
  await w.run({ type: 'ChangeHouseholdStatus', householdId: 'hh-1', status: 'removed', on: '2020-05-01', reason: '识别不准' });
  const detector = new Detector(PAYMENT_RULES);
  for (const event of (await w.log()) as unknown as ProjectedEvent[]) detector.apply(event);
  const once = detector.findings();
  t.same(once.map((f) => f.code).sort(), ['duplicate_benefit', 'duplicate_payment', 'ineligible_payee', 'ineligible_payee', 'split_payment']);
  t.same(detector.findings(), once);
});
