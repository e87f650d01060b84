import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { everyPeriod } from '../../../../edge-agent/recorder/shared-interval';

describe('everyPeriod', () => {
  it('runs every callback of a period on one shared timer, each tick in one turn of the event loop', async () => {
    const ticks: string[][] = [];
    let turn: string[] | undefined;
    const note = (name: string) => () => {
      if (!turn) {
        turn = [];
        ticks.push(turn);
        setImmediate(() => (turn = undefined)); // the next turn starts a new group
      }
      turn.push(name);
    };
    const stops = ['a', 'b', 'c'].map((n) => everyPeriod(20, note(n)));
    await sleep(110);
    for (const stop of stops) stop();
    assert.ok(ticks.length >= 3, `ticked ${ticks.length} times`);
    for (const group of ticks) assert.deepEqual(group, ['a', 'b', 'c'], 'all three in the same turn, in order of registration');
  });

  it('stops a callback once, keeps the others running, and ends its timer with the last one', async () => {
    let a = 0;
    let b = 0;
    const stopA = everyPeriod(15, () => a++);
    const stopB = everyPeriod(15, () => b++);
    await sleep(60);
    stopA();
    stopA(); // idempotent: must not stop B
    const aStopped = a;
    const bBefore = b;
    await sleep(60);
    assert.equal(a, aStopped, 'A no longer runs');
    assert.ok(b > bBefore, 'B still runs');
    stopB();
    const bStopped = b;
    await sleep(50);
    assert.equal(b, bStopped);
    // A new registration after the timer ended starts a new one.
    let c = 0;
    const stopC = everyPeriod(15, () => c++);
    await sleep(50);
    stopC();
    assert.ok(c > 0);
  });

  it('runs the same function registered twice twice, and stops one registration at a time', async () => {
    let n = 0;
    const fn = () => n++;
    const stop1 = everyPeriod(25, fn);
    const stop2 = everyPeriod(25, fn);
    await sleep(40);
    stop1();
    assert.ok(n >= 2 && n % 2 === 0, `both registrations ran each tick (${n})`);
    const afterOne = n;
    await sleep(60);
    stop2();
    assert.ok(n > afterOne, 'the other registration still ran');
  });
});
