import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { request } from './http';

/** A free TCP port on 127.0.0.1 (the OS picks one; it is released before the child binds it). */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/** Resident set size and its high-water mark (the kernel's own peak) of a process, in MB; Linux only. */
function memory(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

export interface Service {
  name: string;
  url: string;
  pid: number;
  /** The highest RSS seen so far (sampled every 50 ms, and the kernel's VmHWM), MB; null off Linux. */
  peakRssMb(): number | null;
  /** The highest RSS sampled since the previous call, MB: which workload drove the peak. */
  windowPeakRssMb(): number | null;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
/** Children never outlive the runner, whatever ends it. */
export function killAll(): void {
  for (const c of running) if (c.exitCode === null && c.pid) c.kill('SIGKILL');
}

/**
 * Starts a server as a child process (its own process, so its memory is its
 * own), its output into `logFile`, and waits until GET /healthz answers 200.
 */
export async function startService(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
  logFile: string,
  timeoutMs = 60_000,
): Promise<Service> {
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', out, out] });
  closeSync(out);
  running.add(child);
  let peak = 0;
  let windowPeak = 0;
  const sample = () => {
    const m = child.pid ? memory(child.pid) : null;
    if (m) {
      peak = Math.max(peak, m.rss, m.hwm);
      windowPeak = Math.max(windowPeak, m.rss);
    }
  };
  const timer = setInterval(sample, 50);
  timer.unref();
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with ${child.exitCode} before it was ready; see ${logFile}:\n${tail(logFile)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready within ${timeoutMs / 1000} s; see ${logFile}`);
    }
    try {
      if ((await request(`${url}/healthz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name,
    url,
    pid: child.pid!,
    peakRssMb: () => {
      sample();
      return peak || null;
    },
    windowPeakRssMb: () => {
      sample();
      const w = windowPeak;
      windowPeak = 0;
      return w || null;
    },
    async stop() {
      sample();
      clearInterval(timer);
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      running.delete(child);
    },
  };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}
