/**
 * Where `warden inspect` opens its URL (cli/open-url.ts): on a desktop only.
 */
import { describe, expect, it } from "vitest";
import { browserCommand, openInBrowser } from "../../cli/open-url.ts";

describe("browserCommand", () => {
  it("opens with xdg-open on a Linux desktop, open on macOS, nothing elsewhere", () => {
    expect(browserCommand({ DISPLAY: ":0" }, "linux")).toBe("xdg-open");
    expect(browserCommand({ WAYLAND_DISPLAY: "wayland-0" }, "freebsd")).toBe("xdg-open");
    expect(browserCommand({}, "darwin")).toBe("open");
    expect(browserCommand({}, "linux")).toBeUndefined(); // a server, an SSH session
    expect(browserCommand({ DISPLAY: "" }, "linux")).toBeUndefined();
    expect(browserCommand({ DISPLAY: ":0" }, "win32")).toBeUndefined();
  });

  it("never fails: without a desktop nothing is started", () => {
    expect(openInBrowser("http://127.0.0.1:1/inspector", {}, "linux")).toBeUndefined();
  });
});
