import type { RequestContext } from '../synapse/index.js';
import { MinerError, type Clock, type TimerHandle } from '../util/index.js';

/** setTimeout cannot wait longer than this; later deadlines are left to the caller's signal. */
const MAX_TIMER_MS = 2_147_483_647;

interface Flight<T> {
  readonly controller: AbortController;
  readonly ctx: RequestContext;
  promise: Promise<T>;
  waiters: number;
  maxDeadlineMs: number;
  maxPriority: number;
  settled: boolean;
}

export interface Joined<T> {
  /** False for the request that started the computation, true for the ones that joined it. */
  readonly joined: boolean;
  readonly result: Promise<T>;
}

function leaveError(ctx: RequestContext, clock: Clock): MinerError {
  const reason: unknown = ctx.signal.reason;
  if (reason instanceof MinerError) return reason;
  if (clock.now() >= ctx.deadlineMs) return new MinerError('DEADLINE_EXCEEDED', 'Request timed out');
  return new MinerError('DEADLINE_EXCEEDED', 'Request abandoned before the answer was ready');
}

/**
 * Concurrent identical requests share one computation. The computation runs under its own
 * signal, aborted only when every waiter has gone, and sees the latest deadline and highest
 * priority among its waiters; each waiter still leaves at its own deadline or abort. A failure
 * reaches every waiter and the key is free again for the next request.
 */
export class InFlight<T> {
  private readonly flights = new Map<string, Flight<T>>();

  constructor(
    private readonly clock: Clock,
    private readonly maxFlights: number,
  ) {}

  get size(): number {
    return this.flights.size;
  }

  /** Undefined when the table is full: the caller then runs alone, unshared. */
  join(key: string, ctx: RequestContext, run: (shared: RequestContext) => Promise<T>): Joined<T> | undefined {
    const existing = this.flights.get(key);
    if (existing) return { joined: true, result: this.wait(key, existing, ctx) };
    if (this.flights.size >= this.maxFlights) return undefined;
    const flight = this.open(key, ctx, run);
    return { joined: false, result: this.wait(key, flight, ctx) };
  }

  private open(key: string, ctx: RequestContext, run: (shared: RequestContext) => Promise<T>): Flight<T> {
    const controller = new AbortController();
    const flight: Flight<T> = {
      controller,
      ctx,
      promise: Promise.resolve() as Promise<never>,
      waiters: 0,
      maxDeadlineMs: ctx.deadlineMs,
      maxPriority: ctx.priority,
      settled: false,
    };
    const shared: RequestContext = {
      requestId: ctx.requestId,
      callerHotkey: ctx.callerHotkey,
      get priority() {
        return flight.maxPriority;
      },
      get deadlineMs() {
        return flight.maxDeadlineMs;
      },
      signal: controller.signal,
    };
    this.flights.set(key, flight);
    flight.promise = Promise.resolve()
      .then(() => run(shared))
      .finally(() => {
        flight.settled = true;
        if (this.flights.get(key) === flight) this.flights.delete(key);
      });
    flight.promise.catch(() => {});
    return flight;
  }

  private wait(key: string, flight: Flight<T>, ctx: RequestContext): Promise<T> {
    flight.waiters++;
    flight.maxDeadlineMs = Math.max(flight.maxDeadlineMs, ctx.deadlineMs);
    flight.maxPriority = Math.max(flight.maxPriority, ctx.priority);
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let timer: TimerHandle | undefined;
      const finish = (): boolean => {
        if (done) return false;
        done = true;
        flight.waiters--;
        this.clock.clearTimer(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        return true;
      };
      const leave = (err: MinerError): void => {
        if (!finish()) return;
        if (flight.waiters === 0 && !flight.settled) this.abandon(key, flight, err);
        reject(err);
      };
      const onAbort = (): void => leave(leaveError(ctx, this.clock));
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const wait = ctx.deadlineMs - this.clock.now();
      if (wait <= MAX_TIMER_MS) {
        timer = this.clock.setTimeout(() => leave(new MinerError('DEADLINE_EXCEEDED', 'Request timed out')), Math.max(0, wait));
      }
      flight.promise.then(
        (v) => {
          if (finish()) resolve(v);
        },
        (err: unknown) => {
          if (finish()) reject(err);
        },
      );
    });
  }

  /** Nobody waits any more: stop the work and let the next request start afresh. */
  private abandon(key: string, flight: Flight<T>, reason: MinerError): void {
    if (this.flights.get(key) === flight) this.flights.delete(key);
    flight.controller.abort(reason);
  }
}
