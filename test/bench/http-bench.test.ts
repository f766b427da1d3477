// The HTTP benchmark's machinery, run for a second per phase: what it reports must be true, whatever the
// speed. Nothing here asserts a rate: the machine is shared, and speed targets live in `npm run bench`.
import t from 'tap';
import { runHttpBench } from '../../src/bench/http-bench.js';
import { assertLoopback } from '../../src/bench/http-load.js';
import { scratchDir } from '../helpers/tmp.js';

t.test('only loopback addresses are load-tested', async (t) => {
  for (const url of ['http://127.0.0.1:3000/x', 'http://[::1]:3000/', 'http://localhost:1/']) t.doesNotThrow(() => assertLoopback(url), url);
  for (const url of ['http://10.0.0.1:3000/', 'http://example.org/', 'http://0.0.0.0:3000/']) t.throws(() => assertLoopback(url), /only loopback/, url);
});

t.test('a one-second run reads and pays without a failure, and every payment answered 201 is stored exactly once', async (t) => {
  const notes: string[] = [];
  const report = await runHttpBench({ dir: scratchDir(t, 'http-bench'), seconds: 1, connections: 2, sync: 'normal', logLevel: 'warn', note: (line) => notes.push(line) });
  const { reads, payments } = report;
  t.equal(reads.path, '/v1/areas/620423101001/balance');
  t.ok(reads.bodyBytes > 100, 'the balance document was served');
  t.ok(reads.fundtrail.responses > 0, 'balance reads were answered');
  t.same(reads.fundtrail.statusCodes, { 200: reads.fundtrail.responses }, 'every read answered 200');
  t.same(payments.fundtrail.statusCodes, { 201: payments.fundtrail.responses }, 'every payment answered 201');
  for (const side of [reads.fundtrail, reads.baseline, payments.fundtrail, payments.baseline]) {
    t.equal(side.errors, 0, 'no connection error or timeout');
    t.equal(side.non2xx, 0, 'no non-2xx answer');
    t.ok(side.requestsPerSec > 0, 'a rate was measured');
    t.ok(side.latencyMs.p50 > 0 && side.latencyMs.p50 <= side.latencyMs.p99 && side.latencyMs.p99 <= side.latencyMs.max, 'latency percentiles are ordered');
  }
  t.equal(reads.ratio, Math.round((reads.fundtrail.requestsPerSec / reads.baseline.requestsPerSec) * 100) / 100, 'the read ratio is fundtrail / baseline');
  t.equal(payments.ratio, Math.round((payments.fundtrail.requestsPerSec / payments.baseline.requestsPerSec) * 100) / 100, 'the payment ratio is fundtrail / baseline');
  t.ok(payments.created >= payments.fundtrail.responses, 'the warm-up\'s payments are counted too');
  t.equal(payments.storedPayments, payments.created + payments.settledAfterStop, 'the store holds one PaymentMade per payment answered 201 or settled');
  t.ok(payments.settledAfterStop <= 2 * 2, 'at most one request per connection per run was cut off');
  t.equal(payments.exactlyOnce, true, 'each by its command id, exactly once');
  t.same(report.target, { readsPerSec: 10_000, readP99Ms: 10, paymentsPerSec: 2_000 });
  t.match(notes.join('\n'), /R fundtrail GET balance: \d+ req\/s/, 'progress lines name each phase');
});
