import { describe, expect, it } from "vitest";
import { clusterSettings, nodeNameOf } from "../../../runtime/cluster/cluster-settings.ts";
import { validateConfig } from "../../../runtime/config/validate-config.ts";

describe("cluster settings", () => {
  it("fill in the defaults and resolve paths against the config file", () => {
    const settings = clusterSettings(
      {
        nats: "nats://a:4222, nats://b:4222",
        node: "gpu-3",
        creds: "secrets/node.creds",
        tls: { caFile: "ca.pem" },
        user: "warden",
        pass: "pw",
      },
      "/srv/warden/warden.config.ts",
    );
    expect(settings).toMatchObject({
      servers: ["nats://a:4222", "nats://b:4222"],
      node: "gpu-3",
      ttlMs: 15_000,
      secret: undefined,
      natsCredentials: true,
      events: [],
    });
    expect(settings.connectOptions.tls).toEqual({ caFile: "/srv/warden/ca.pem" });
    expect(settings.connectOptions).toMatchObject({ user: "warden", pass: "pw" });
    expect(settings.connectOptions.authenticator).toBeTypeOf("function");
  });

  it("make a node name of the hostname", () => {
    expect(nodeNameOf("gpu-3.lab.example.com")).toBe("gpu-3");
    expect(nodeNameOf("weird host")).toBe("weird_host");
    expect(nodeNameOf("")).toBe("node");
  });
});

describe("the cluster key of a configuration", () => {
  const check = (cluster: unknown) => {
    try {
      validateConfig({ daemons: {}, cluster }, "warden.config.json");
      return "ok";
    } catch (error) {
      return (error as Error).message;
    }
  };

  it("accepts every documented field", () => {
    expect(
      check({
        nats: "nats://127.0.0.1:4222",
        node: "gpu-3",
        ttlMs: 15_000,
        secret: "sixteen-chars-ok",
        events: ["MODEL_PROMOTED"],
        token: "t",
        tls: { caFile: "ca.pem", certFile: "c.pem", keyFile: "k.pem" },
      }),
    ).toBe("ok");
  });

  it("names what is wrong", () => {
    expect(check({ nats: "nats://x", node: "gpu.3" })).toMatch(/cluster\.node/);
    expect(check({ nats: "nats://x", ttlMs: 10 })).toMatch(/cluster\.ttlMs/);
    expect(check({ nats: "nats://x", secret: "short" })).toMatch(/cluster\.secret/);
    expect(check({ nats: "nats://x", nodes: 3 })).toMatch(/cluster.*nodes/);
  });
});
