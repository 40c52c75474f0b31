import { styleText } from "node:util";
import type { LifecycleState } from "../machines/lifecycle-states.ts";

type Colour = Parameters<typeof styleText>[0];

const STATE_COLOURS: Record<LifecycleState, Colour> = {
  PENDING: "gray",
  STARTING: "cyan",
  RUNNING: "green",
  STOPPING: "cyan",
  STOPPED: "gray",
  FAILED: ["red", "bold"],
  RESTARTING: "yellow",
};

/** Colours text when colour is on; plain text otherwise. */
export function paint(color: boolean, colour: Colour, text: string): string {
  return color ? styleText(colour, text) : text;
}

export function paintState(color: boolean, state: LifecycleState, width = 0): string {
  return paint(color, STATE_COLOURS[state], state.padEnd(width));
}

/** Local wall-clock time as HH:MM:SS.mmm. */
export function clockTime(time: number): string {
  const date = new Date(time);
  const pad = (value: number, size = 2) => String(value).padStart(size, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}
