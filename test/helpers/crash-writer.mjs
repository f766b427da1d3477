// Child process for the durability test: appends batches as fast as it can and prints one line per
// acknowledged append ("ack <batch> <size> <position>"), until it is killed.
const { SqliteEventStore } = await import(new URL('../../dist/src/store/sqlite/store.js', import.meta.url).href);
const { uuidv7 } = await import(new URL('../../dist/src/ids.js', import.meta.url).href);

const [path, seedText] = process.argv.slice(2);
let seed = Number(seedText);
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const store = new SqliteEventStore(path, { sync: process.env.FUNDTRAIL_SYNC === 'full' ? 'full' : 'normal' });
for (let batch = 0; ; batch++) {
  const size = 1 + Math.floor(random() * 40);
  const batchId = `${seedText}-${batch}`;
  const events = Array.from({ length: size }, (_, i) => ({ id: uuidv7(), type: 'PaymentMade', data: { batchId, size, i, amountFen: 100 + i } }));
  const result = await store.append(`village-${Math.floor(random() * 50)}`, events, 'any');
  process.stdout.write(`ack ${batchId} ${size} ${result.position}\n`);
  if (batch % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
}
