// The audit trail: every event that touched an area, account, household or project, in order.
import t from 'tap';
import { auditTrail, TRAIL_PAGE, trailPositions } from '../../projections/audit-trail.js';
import { foldAll, type ProjectedEvent } from '../../projections/types.js';
import { trailEntries } from '../../src/projections/trail.js';
import { COUNTY, OTHER_VILLAGE, TOWNSHIP, VILLAGE, VILLAGE_ACCOUNT, standardCounty, world } from '../domain/fixture.js';

async function county() {
  const w = world();
  await standardCounty(w);
  const paid = await w.run({ type: 'MakePayment', paymentId: 'pay-1', fromAccount: VILLAGE_ACCOUNT, payee: { kind: 'household', id: 'hh-1' }, amountFen: 150_000, voucherNo: 'PZ-1', purpose: 'household_benefit', documentNo: '东关村〔2020〕3号', verifier: 'auditor-7' });
  const log = (await w.log()) as unknown as ProjectedEvent[];
  return { w, log, views: foldAll(auditTrail, log), paymentPosition: paid.position };
}

t.test("a household's trail holds its registration and every payment to it, in order", async (t) => {
  const { log, views, paymentPosition } = await county();
  const registered = log.find((e) => e.type === 'HouseholdRegistered')!.position;
  t.same(trailPositions(views, 'household:hh-1').positions, [registered, paymentPosition]);
});

t.test("a village's trail rolls up into its township's and the county's; other villages' trails do not see it", async (t) => {
  const { views, paymentPosition } = await county();
  for (const area of [VILLAGE, TOWNSHIP, COUNTY]) t.ok(trailPositions(views, `area:${area}`, 0, 1000).positions.includes(paymentPosition), `area ${area}`);
  const merged = trailPositions(views, `area:${COUNTY}`, 0, 1000).positions;
  t.same(merged, [...merged].sort((a, b) => a - b), "the county's merged trail is in log order");
  const page = trailPositions(views, `area:${COUNTY}`, merged[2]!, 3).positions;
  t.same(page, merged.slice(3, 6), 'a cursor after a position continues the merged trail');
  t.notOk(trailPositions(views, `area:${OTHER_VILLAGE}`, 0, 1000).positions.includes(paymentPosition));
});

t.test('an account trail lists its movements in log order', async (t) => {
  const { views, log } = await county();
  const { positions, count } = trailPositions(views, `account:${VILLAGE_ACCOUNT}`);
  t.same(positions, log.filter((e) => e.stream === `account-${VILLAGE_ACCOUNT}`).map((e) => e.position));
  t.equal(count, positions.length);
});

t.test('trail entries carry actor, document, verifier, effective and recorded time', async (t) => {
  const { w, views, paymentPosition } = await county();
  const { positions } = trailPositions(views, 'household:hh-1');
  const entries = await trailEntries(w.store, positions);
  t.match(entries[entries.length - 1], { position: paymentPosition, type: 'PaymentMade', actor: 'clerk-01', role: 'finance', documentNo: '东关村〔2020〕3号', verifier: 'auditor-7', effectiveDate: '2020-06-01', recordedAt: '2020-06-30T08:00:00.000Z', historical: false });
});

t.test('a long trail pages by 1,000 and reads back with a cursor', async (t) => {
  const events: ProjectedEvent[] = [{ position: 1, id: 'e1', stream: `account-${VILLAGE_ACCOUNT}`, revision: 0, type: 'AccountOpened', data: { accountId: VILLAGE_ACCOUNT, kind: 'village', areaCode: VILLAGE }, metadata: {}, recordedAt: '' }];
  for (let i = 2; i <= 2_500; i++) events.push({ position: i, id: `e${i}`, stream: `account-${VILLAGE_ACCOUNT}`, revision: i - 1, type: 'PaymentMade', data: { payee: { kind: 'contractor', id: 'c' } }, metadata: {}, recordedAt: '' });
  const views = foldAll(auditTrail, events);
  const page = trailPositions(views, `account:${VILLAGE_ACCOUNT}`, TRAIL_PAGE - 2, 5);
  t.same(page, { positions: [999, 1000, 1001, 1002, 1003], count: 2_500 }, 'positions after the cursor, across a page boundary');
});
