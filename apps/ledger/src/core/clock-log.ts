import { Logger } from '@nestjs/common';
import type { ClockStep } from '@trailmark/domain';

/** A step of the wall clock is the operator's to fix: server time keeps counting meanwhile (clock.ts). */
export function logClockStep(step: ClockStep): void {
  const log = new Logger('ServerClock');
  const seconds = (ms: number) => `${(Math.abs(ms) / 1000).toFixed(3)} s`;
  if (step.kind === 'stored-time') {
    log.warn(`the newest stored event is stamped ${seconds(step.skewMs)} ahead of the wall clock; new events are stamped from the clock, not after it`);
  } else if (step.skewMs === 0) {
    log.warn('the wall clock is back within the step bound of server time; server time follows it again');
  } else {
    log.warn(
      `the wall clock stepped ${seconds(step.skewMs)} ${step.skewMs > 0 ? 'ahead of' : 'behind'} server time (bound ${seconds(step.boundMs)}); ` +
        'server time keeps counting on the monotonic clock: check NTP, or restart to anchor to the wall clock again',
    );
  }
}
