import type { InProcessDaemon } from "warden";

/**
 * Stand-in for SYNC_BANDWIDTH (ADR-002's data sync daemons), in process: adds up the bytes of
 * every DATA_SYNC_COMPLETED by the daemon that synced them and every `everyMs` publishes
 * SYNC_BANDWIDTH (bytes per second of each, over that interval) when anything moved.
 */
export default function syncBandwidth(options: { everyMs: number }): InProcessDaemon {
  let bytes = new Map<string, number>();
  let last: Record<string, number> = {};
  let subscription: { unsubscribe(): void } | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    start(ctx) {
      subscription = ctx.bus.subscribe("DATA_SYNC_COMPLETED", (event) => {
        const moved = (event.data as { bytes: number }).bytes;
        bytes.set(event.source, (bytes.get(event.source) ?? 0) + moved);
      });
      timer = setInterval(() => {
        if (bytes.size === 0) return;
        const seconds = options.everyMs / 1000;
        last = Object.fromEntries(
          [...bytes].map(([source, b]) => [source, Math.round(b / seconds)]),
        );
        bytes = new Map();
        ctx.bus.publish("SYNC_BANDWIDTH", { bytesPerSecond: last });
      }, options.everyMs);
    },
    stop() {
      subscription?.unsubscribe();
      clearInterval(timer);
    },
    getMetrics() {
      return last;
    },
  };
}
