// The detector: stable ids, one finding per code and key, resolutions attached, broken controls raised,
// and the findings CLI over a store file.
import { join } from 'node:path';
import t from 'tap';
import { Detector, detectAll, findingId } from '../../projections/findings/engine.js';
import { violationsRule } from '../../projections/findings/rules/violations.js';
import type { Rule } from '../../projections/findings/types.js';
import type { ProjectedEvent } from '../../projections/types.js';
import { SqliteEventStore } from '../../src/store/sqlite/store.js';
import { cli } from '../helpers/cli.js';
import { scratchDir } from '../helpers/tmp.js';
import { standardCounty, VILLAGE, VILLAGE_ACCOUNT, world, type World } from '../domain/fixture.js';
import { findingsOf, historical, withCode } from './helpers.js';

/** A rule that flags every payment over ¥10,000, keyed by voucher, so two events may share one finding. */
const bigPayments: Rule<null> = {
  name: 'big payments (test)',
  codes: ['split_payment'],
  handles: ['PaymentMade'],
  initial: () => null,
  evolve(_s, event, ctx) {
    const d = event.data as { amountFen: number; voucherNo: string };
    if (d.amountFen <= 1_000_000) return;
    ctx.raise({
      code: 'split_payment', key: d.voucherNo, severity: d.amountFen > 2_000_000 ? 'severe' : 'warning', areaCode: VILLAGE, accounts: [VILLAGE_ACCOUNT],
      amountFen: d.amountFen, eventIds: [event.id], parameters: { over: 1_000_000 }, effectiveDate: event.metadata.effectiveDate ?? '', explanation: { zh: '大额', en: 'big' },
    });
  },
};

async function overspendWorld(): Promise<World> {
  const w = world();
  await standardCounty(w);
  // The village holds ¥30,000; imported history shows it paying ¥40,000.
  await w.run({ type: 'MakePayment', paymentId: 'pay-over', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 4_000_000, voucherNo: 'PZ-9', purpose: 'household_benefit' }, historical);
  return w;
}

t.test('a broken control on imported history becomes its finding, with the event as proof', async (t) => {
  const w = await overspendWorld();
  const log = await w.log();
  const payment = log.find((e) => e.type === 'PaymentMade')!;
  const findings = withCode(await findingsOf(w, { rules: [violationsRule] }), 'overspend');
  t.equal(findings.length, 1);
  t.match(findings[0], { id: findingId('overspend', payment.id), code: 'overspend', severity: 'severe', areaCode: VILLAGE, accounts: [VILLAGE_ACCOUNT], amountFen: 4_000_000, eventIds: [payment.id], status: 'open', parameters: { control: 'amount_exceeds_balance' } });
  t.match(findings[0]!.explanation.en, /amount_exceeds_balance/);
  t.match(findings[0]!.explanation.zh, /导入的历史记录/);
});

t.test('the same code and key raised twice is one finding whose proof holds both events', async (t) => {
  const w = world();
  await standardCounty(w);
  await w.run({ type: 'MakePayment', paymentId: 'a', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 1_200_000, voucherNo: 'PZ-1', purpose: 'household_benefit' });
  await w.run({ type: 'MakePayment', paymentId: 'b', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 1_500_000, voucherNo: 'PZ-1', purpose: 'household_benefit' });
  const payments = (await w.log()).filter((e) => e.type === 'PaymentMade');
  const findings = await findingsOf(w, { rules: [bigPayments] });
  t.equal(findings.length, 1);
  t.same(findings[0]!.eventIds, payments.map((p) => p.id));
  t.equal(findings[0]!.amountFen, 1_500_000, 'the larger stake stays');
});

t.test('findings and their ids are the same on every replay', async (t) => {
  const w = await overspendWorld();
  const log = (await w.log()) as unknown as ProjectedEvent[];
  t.same(detectAll([violationsRule, bigPayments], log), detectAll([violationsRule, bigPayments], log));
});

t.test('resolutions are attached to their finding; the last one is its status and all are kept', async (t) => {
  const w = await overspendWorld();
  const [finding] = await findingsOf(w, { rules: [violationsRule] });
  await w.run({ type: 'ResolveFinding', findingId: finding!.id, resolution: 'confirmed', reason: '挤占挪用属实' }, { actor: 'auditor-01', role: 'auditor' });
  const confirmation = (await w.log()).at(-1)!;
  await w.run({ type: 'ResolveFinding', findingId: finding!.id, resolution: 'rectified', reason: '已追回', correctingEventIds: [confirmation.id] }, { actor: 'auditor-02', role: 'auditor' });
  const [resolved] = await findingsOf(w, { rules: [violationsRule] });
  t.equal(resolved!.status, 'rectified');
  t.match(resolved!.resolutions, [{ resolution: 'confirmed', by: 'auditor-01' }, { resolution: 'rectified', by: 'auditor-02', correctingEventIds: [confirmation.id] }]);
});

t.test('time-based rules decide at the date asked for, and asking again does not add findings twice', async (t) => {
  const seen: string[] = [];
  const asOfRule: Rule<{ n: number }> = {
    name: 'as-of probe (test)', codes: ['idle_funds'], handles: ['PaymentMade'], initial: () => ({ n: 0 }),
    evolve(state) {
      state.n += 1;
    },
    finish(state, ctx) {
      seen.push(ctx.asOf);
      ctx.raise({ code: 'idle_funds', key: 'probe', severity: 'info', areaCode: null, accounts: [], amountFen: state.n, eventIds: [], parameters: {}, effectiveDate: ctx.asOf, explanation: { zh: '', en: '' } });
    },
  };
  const w = await overspendWorld();
  const detector = new Detector([asOfRule as Rule<unknown>]);
  for (const event of (await w.log()) as unknown as ProjectedEvent[]) detector.apply(event);
  t.equal(detector.findings('2021-01-01').length, 1);
  t.equal(detector.findings().length, 1, 'a second call starts from the folded state again');
  t.same(seen, ['2021-01-01', '2020-06-01'], 'the default date is the latest effective date folded');
});

t.test('fundtrail findings lists, filters and exports the findings of a store file', async (t) => {
  const path = join(scratchDir(t), 'findings.db');
  const store = new SqliteEventStore(path);
  const w = world(store);
  await standardCounty(w);
  await w.run({ type: 'MakePayment', paymentId: 'pay-over', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 4_000_000, voucherNo: 'PZ-9', purpose: 'household_benefit' }, historical);
  await store.close();

  const json = await cli(['findings', '--db', path, '--format', 'json', '--code', 'overspend']);
  t.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { findings: { code: string; amountFen: number }[] };
  t.ok(parsed.findings.length >= 1 && parsed.findings.every((f) => f.code === 'overspend'), 'only the code asked for');
  t.ok(parsed.findings.some((f) => f.amountFen === 1_000_000), "the overspend rule's depth below zero (¥10,000) replaces the whole payment as the amount at stake");

  const csv = await cli(['findings', '--db', path, '--format', 'csv', '--code', 'overspend']);
  const lines = csv.stdout.trim().split('\n');
  t.equal(lines[0], 'id,code,severity,status,effective_date,area,amount_yuan,accounts,event_ids,explanation_zh,explanation_en');
  t.match(lines[1], /^overspend:[0-9a-f]{16},overspend,severe,open,2020-06-01,620423101001,10000\.00,/);

  const elsewhere = await cli(['findings', '--db', path, '--format', 'json', '--area', '620423102000']);
  t.same((JSON.parse(elsewhere.stdout) as { findings: unknown[] }).findings, [], 'nothing in another township');
  const here = await cli(['findings', '--db', path, '--format', 'json', '--area', '620423101000', '--code', 'overspend']);
  t.ok((JSON.parse(here.stdout) as { findings: unknown[] }).findings.length >= 1, 'the township holds its village');

  const bad = await cli(['findings', '--db', path, '--code', 'nope']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /must be one of overspend/);
});
