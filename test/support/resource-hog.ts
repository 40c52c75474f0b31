/**
 * For the model-based test of the lifecycle chart under contention (SPEC §6a): another daemon
 * that requires the manager's one gpu and holds it whenever the daemon under test does not, so
 * that the daemon gets the unit only when the model says RESOURCES_GRANTED (realised as the hog
 * stopping and releasing it).
 */
import { expect } from "vitest";
import type { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import { ScriptedDaemon } from "./scripted-daemon.ts";

export const HOG = "hog";

function ignore(): void {
  // The model test asserts on states; a start or stop that ends elsewhere just rejects.
}

export class ResourceHog {
  private readonly daemon = new ScriptedDaemon({ name: HOG, now: () => 0, stopsAtOnce: true });

  constructor(
    private readonly manager: DaemonManager,
    /** The daemon under test, which requires the same gpu. */
    private readonly other: string,
    private readonly flush: () => Promise<void>,
  ) {
    manager.register(HOG, this.daemon, { startTimeoutMs: 1e9, requires: { gpu: 1 } });
  }

  /** Starts the hog, which takes the gpu at once (it stays STARTING, holding it). */
  async up(): Promise<void> {
    void this.manager.start(HOG).catch(ignore);
    await this.flush();
    expect(this.manager.resources.unitsOf(HOG)).toEqual({ gpu: [0] });
  }

  /** RESOURCES_GRANTED: the hog stops and the supervisor grants the gpu to whoever waits. */
  release(): void {
    void this.manager.stop(HOG).catch(ignore);
  }

  /**
   * After each step: whenever the daemon will have to ask again (it is resting, or PENDING
   * without a grant in the model) and nobody holds the gpu, the hog takes it back.
   */
  async keep(grantedInModel: boolean): Promise<void> {
    const { resources } = this.manager;
    const state = this.manager.stateOf(this.other);
    const asksAgain =
      state === "STOPPED" || state === "FAILED" || (state === "PENDING" && !grantedInModel);
    const taken = Object.keys(resources.unitsOf(this.other)).length > 0;
    const held = Object.keys(resources.unitsOf(HOG)).length > 0 || resources.isWaiting(HOG);
    if (asksAgain && !taken && !held) await this.up();
  }

  settle(): void {
    this.daemon.settle();
  }
}
