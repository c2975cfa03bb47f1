// Preloaded into a ledger process by clock tests (`node --import`): shifts the process's wall clock
// (Date.now and `new Date()`) by the milliseconds written in the file TRAILMARK_TEST_CLOCK_SHIFT_FILE,
// read again on every call, so a test moves the clock both ways while the process runs. The monotonic
// clock (performance.now) is left alone, as a step of the system clock leaves CLOCK_MONOTONIC alone.
import { readFileSync } from 'node:fs';

const file = process.env.TRAILMARK_TEST_CLOCK_SHIFT_FILE;
if (file) {
  const realNow = Date.now;
  const RealDate = Date;
  const shift = () => Number(readFileSync(file, 'utf8').trim() || '0');
  const now = () => realNow() + shift();
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(now());
      else super(...args);
    }
    static now() {
      return now();
    }
  }
  globalThis.Date = ShiftedDate;
}
