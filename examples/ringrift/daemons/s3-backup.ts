import { createHash } from "node:crypto";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { InProcessDaemon } from "warden";
import { folder, names, readJson, writeJson } from "./work.ts";

/**
 * Stand-in for S3_BACKUP ("Backs up models to S3"), in process: work/backup/s3/ is the bucket.
 * On MODEL_PROMOTED, and every `everyMs` for anything missed, it uploads the promoted models
 * that are not in the bucket yet, records their SHA-256 in the bucket's manifest.json, and
 * publishes BACKUP_COMPLETED.
 */
export default function s3Backup(options: { everyMs: number }): InProcessDaemon {
  let timer: NodeJS.Timeout | undefined;
  let subscription: { unsubscribe(): void } | undefined;
  let uploaded = 0;
  return {
    start(ctx) {
      const backup = () => {
        const bucket = folder("backup", "s3");
        const manifestFile = join(bucket, "manifest.json");
        const manifest = readJson<Record<string, string>>(manifestFile, {});
        const added: string[] = [];
        for (const name of names("models", "promoted")) {
          if (manifest[name]) continue;
          const source = join(folder("models", "promoted"), name);
          manifest[name] = createHash("sha256").update(readFileSync(source)).digest("hex");
          copyFileSync(source, join(bucket, name));
          added.push(name);
        }
        if (added.length === 0) return;
        writeJson(manifestFile, manifest);
        uploaded += added.length;
        ctx.bus.publish("BACKUP_COMPLETED", { bucket: "backup/s3", objects: added });
      };
      subscription = ctx.bus.subscribe("MODEL_PROMOTED", backup);
      timer = setInterval(backup, options.everyMs);
    },
    stop() {
      subscription?.unsubscribe();
      clearInterval(timer);
    },
    getMetrics() {
      return { uploaded };
    },
  };
}
