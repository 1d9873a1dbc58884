/* global setTimeout, setInterval */
// Preloaded (`node -r`) into every service process the multi-instance suite starts, so none outlives
// it: the process exits when its parent (the test runner) is gone, or after A4_WATCHDOG_MS at most.
const parent = process.ppid;
const limit = Number(process.env.A4_WATCHDOG_MS || 600000);
setTimeout(() => {
  process.stderr.write(`watchdog: still running after ${limit} ms; exiting\n`);
  process.exit(70);
}, limit).unref();
setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch {
    process.stderr.write('watchdog: the test runner is gone; exiting\n');
    process.exit(70);
  }
}, 1000).unref();
