import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { closestName, suggestion } from "../../machines/closest-name.ts";

const CATALOG = ["EVENT_ROUTER", "AUTO_SYNC", "DLQ_RETRY", "HEALTH_SERVER", "DAEMON_WATCHDOG"];

describe("closestName", () => {
  it("finds a typo by substitution, insertion, deletion and adjacent swap", () => {
    expect(closestName("AUTO_SYNK", CATALOG)).toBe("AUTO_SYNC");
    expect(closestName("AUTO_SYNCC", CATALOG)).toBe("AUTO_SYNC");
    expect(closestName("AUTO_SYN", CATALOG)).toBe("AUTO_SYNC");
    expect(closestName("DLQ_RETYR", CATALOG)).toBe("DLQ_RETRY");
  });

  it("ignores case, and prefers the candidate closer in case on a tie", () => {
    expect(closestName("dependson", ["dependsOn", "description"])).toBe("dependsOn");
    expect(closestName("event_router", CATALOG)).toBe("EVENT_ROUTER");
    expect(closestName("Trainer", ["TRAINER", "Trainer"])).toBe("Trainer");
  });

  it("suggests nothing for a name that is not plausibly a typo", () => {
    expect(closestName("trainer", CATALOG)).toBeUndefined();
    expect(closestName("ab", ["cd"])).toBeUndefined();
    expect(closestName("x", [])).toBeUndefined();
  });

  it("allows max(2, len/3) edits", () => {
    expect(closestName("a", ["aa"])).toBe("aa");
    expect(closestName("aa", ["a"])).toBe("a");
    expect(closestName("abcdefghi", ["abcdefXYZ"])).toBe("abcdefXYZ"); // 3 edits, 9 / 3 = 3
    expect(closestName("abcdefghi", ["abcdeWXYZ"])).toBeUndefined(); // 4 edits
    expect(closestName("abcd", ["abXY"])).toBe("abXY"); // 2 edits: the floor of 2
  });

  it("returns the nearest of several close candidates", () => {
    expect(closestName("restrat", ["restart", "resetAfterMs", "retryFailedAfterMs"])).toBe(
      "restart",
    );
  });

  it("property: the answer is always one of the candidates", () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string()), (input, candidates) => {
        const found = closestName(input, candidates);
        expect(found === undefined || candidates.includes(found)).toBe(true);
      }),
    );
  });

  it("property: a name among the candidates is its own closest name", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.array(fc.string()), (input, others) => {
        expect(closestName(input, [...others, input])?.toLowerCase()).toBe(input.toLowerCase());
      }),
    );
  });

  it("property: one substituted character is always recognised", () => {
    const name = fc.stringMatching(/^[a-z_]{2,20}$/);
    fc.assert(
      fc.property(name, fc.nat(), (original, at) => {
        const i = at % original.length;
        const typo = `${original.slice(0, i)}${original[i] === "q" ? "z" : "q"}${original.slice(i + 1)}`;
        expect(closestName(typo, [original])).toBe(original);
      }),
    );
  });
});

describe("suggestion", () => {
  it('renders " (did you mean "X"?)" or nothing', () => {
    expect(suggestion("AUTO_SYNK", CATALOG)).toBe(' (did you mean "AUTO_SYNC"?)');
    expect(suggestion("trainer", CATALOG)).toBe("");
  });
});
