/** How the report writes numbers. */
import { TARGETS } from "../plan.ts";

export const integer = (n: number) => Math.round(n).toLocaleString("en-US");
/** Two decimals, or three when two would round onto a target and hide which side it is on. */
export const ratio = (n: number) => {
  const near = Object.values(TARGETS).some((target) => Math.abs(n - target) < 0.005);
  return `${n.toFixed(near ? 3 : 2)}×`;
};
export const micros = (n: number) => `${n.toFixed(1)} µs`;
export const events = (n: number) => `${(n / 1e6).toFixed(2)} M events/s`;
export const millis = (n: number) => `${n.toFixed(1)} ms`;
export const perSecond = (n: number) => `${integer(n)} req/s`;
export const latency = (n: number) => `${n.toFixed(2)} ms`;
export const mebibytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
/** "1 run", "5 runs". */
export const plural = (n: number, what: string) => `${integer(n)} ${what}${n === 1 ? "" : "s"}`;
export const percent = (n: number) => `${n.toFixed(2)} %`;
