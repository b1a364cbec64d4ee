import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectionLimiter } from '../../src/discovery/limiter.js';

/** A task that can be finished from outside, recording how many tasks ran at once overall and per domain. */
function tracker() {
  let now = 0;
  let max = 0;
  const perDomain = new Map<string, number>();
  const maxPerDomain = new Map<string, number>();
  const started: string[] = [];
  const finishers: Array<() => void> = [];
  const task = (domain: string, name: string) => () => {
    now += 1;
    max = Math.max(max, now);
    const mine = (perDomain.get(domain) ?? 0) + 1;
    perDomain.set(domain, mine);
    maxPerDomain.set(domain, Math.max(maxPerDomain.get(domain) ?? 0, mine));
    started.push(name);
    return new Promise<string>((resolve) => {
      finishers.push(() => {
        now -= 1;
        perDomain.set(domain, (perDomain.get(domain) ?? 1) - 1);
        resolve(name);
      });
    });
  };
  /** Finishes the oldest running task and lets the limiter start the next ones. */
  const finishOne = async () => {
    finishers.shift()?.();
    await sleep(1);
  };
  return { task, finishOne, started, max: () => max, maxFor: (domain: string) => maxPerDomain.get(domain) ?? 0, running: () => now };
}

t.test('never more than the global cap, never more than the per-domain cap', async (t) => {
  const limiter = new ConnectionLimiter({ global: 4, perDomain: 2 });
  const track = tracker();
  const domains = ['a.test', 'b.test', 'c.test'];
  const all: Array<Promise<string>> = [];
  for (let i = 0; i < 18; i += 1) {
    const domain = domains[i % 3] as string;
    all.push(limiter.run(domain, track.task(domain, `${domain}#${i}`)));
  }
  await sleep(1);
  t.equal(track.running(), 4, 'the global cap is filled at once');
  t.equal(limiter.active, 4);
  t.equal(limiter.waiting, 14);
  while (track.started.length < 18 || track.running() > 0) await track.finishOne();
  const names = await Promise.all(all);
  t.equal(names.length, 18, 'every task ran');
  t.equal(track.max(), 4, 'the global cap held');
  for (const domain of domains) t.equal(track.maxFor(domain), 2, `the per-domain cap held for ${domain}`);
  t.equal(limiter.active, 0);
  t.equal(limiter.waiting, 0);
});

t.test('one busy domain does not block the others, and each queue is FIFO', async (t) => {
  const limiter = new ConnectionLimiter({ global: 3, perDomain: 1 });
  const track = tracker();
  const all = [
    limiter.run('busy.test', track.task('busy.test', 'busy-1')),
    limiter.run('busy.test', track.task('busy.test', 'busy-2')),
    limiter.run('busy.test', track.task('busy.test', 'busy-3')),
    limiter.run('other.test', track.task('other.test', 'other-1')),
  ];
  await sleep(1);
  t.same(track.started, ['busy-1', 'other-1'], 'other.test starts although busy.test tasks queued before it');
  while (track.started.length < 4 || track.running() > 0) await track.finishOne();
  await Promise.all(all);
  t.same(track.started, ['busy-1', 'other-1', 'busy-2', 'busy-3'], 'busy.test tasks ran in arrival order');
});

t.test('a queued task whose signal aborts leaves the queue; a running one is not touched', async (t) => {
  const limiter = new ConnectionLimiter({ global: 1, perDomain: 1 });
  const track = tracker();
  const first = limiter.run('a.test', track.task('a.test', 'first'));
  const controller = new AbortController();
  const queued = limiter.run('a.test', track.task('a.test', 'aborted'), controller.signal);
  const last = limiter.run('a.test', track.task('a.test', 'last'));
  await sleep(1);
  t.equal(limiter.waiting, 2);
  controller.abort(new Error('client went away'));
  await t.rejects(queued, { message: 'client went away' }, 'the aborted task rejects with the reason');
  t.equal(limiter.waiting, 1, 'and left the queue at once');
  await track.finishOne();
  await track.finishOne();
  t.equal(await first, 'first');
  t.equal(await last, 'last');
  t.same(track.started, ['first', 'last'], 'the aborted task never ran');

  const already = AbortSignal.abort();
  await t.rejects(limiter.run('a.test', track.task('a.test', 'never'), already), { name: 'AbortError' }, 'an already aborted signal rejects at once');
  t.equal(limiter.active, 0);
});

t.test('a failing task frees its slot', async (t) => {
  const limiter = new ConnectionLimiter({ global: 1, perDomain: 1 });
  await t.rejects(limiter.run('a.test', async () => Promise.reject(new Error('boom'))), { message: 'boom' });
  await t.rejects(limiter.run('a.test', () => { throw new Error('sync boom'); }), { message: 'sync boom' });
  t.equal(await limiter.run('a.test', async () => 'next'), 'next', 'the slot was released');
  t.equal(limiter.active, 0);
});

t.test('caps below one are refused', async (t) => {
  t.throws(() => new ConnectionLimiter({ global: 0, perDomain: 1 }), RangeError);
  t.throws(() => new ConnectionLimiter({ global: 1, perDomain: Number.NaN }), RangeError);
});

t.test('a cap per target address holds across domains, and others pass it by', async (t) => {
  const limiter = new ConnectionLimiter({ global: 10, perDomain: 10, perTarget: 2 });
  const held: Array<() => void> = [];
  const started: string[] = [];
  const task = (name: string) => () => {
    started.push(name);
    return new Promise<void>((resolve) => held.push(resolve));
  };
  // Five unique domains pointing at one server address, then one domain elsewhere.
  const all = ['u1', 'u2', 'u3', 'u4', 'u5'].map((domain) => limiter.run(`${domain}.test`, task(domain), undefined, '127.0.3.9'));
  all.push(limiter.run('other.test', task('other'), undefined, '127.0.3.10'));
  t.same(started, ['u1', 'u2', 'other'], 'two at the shared address, the other address at once');
  t.equal(limiter.waiting, 3);
  held.shift()?.();
  await all[0];
  t.same(started, ['u1', 'u2', 'other', 'u3'], 'the next one starts when one ends');
  while (held.length > 0) {
    held.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(all);
  t.same(started.sort(), ['other', 'u1', 'u2', 'u3', 'u4', 'u5']);
});
