// A clock for unit tests: `now` and `later` as the shared modules take them, moved by hand.

export function fakeClock() {
  let t = 1_000_000;
  const timers: { at: number; f: () => void }[] = [];
  return {
    clock: {
      now: () => t,
      later: (f: () => void, ms: number) => {
        const timer = { at: t + ms, f };
        timers.push(timer);
        return () => { const i = timers.indexOf(timer); if (i >= 0) timers.splice(i, 1); };
      },
    },
    advance(ms: number) {
      t += ms;
      for (const timer of timers.filter((x) => x.at <= t)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.f();
      }
    },
    pending: () => timers.length,
  };
}
