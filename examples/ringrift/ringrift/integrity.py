"""Data-integrity stand-ins for the training batches in work/npz/.

- ReplicationMonitor (REPLICATION_MONITOR, "Monitors data replication health"): every `every`
  seconds counts the batches that have no copy in work/cluster/npz/ yet (NPZ_DISTRIBUTION makes
  them) and publishes REPLICATION_STATUS; REPLICATION_DEGRADED when more than `tolerated` lag
  behind (REPLICATION_REPAIR, a FolderSync, copies them on that event).
- NpzChecksums (VAST_CPU_PIPELINE, "CPU-only jobs on Vast.ai (stub)"): a CPU-only job: the
  SHA-256 of every new batch into work/state/npz-manifest.json; publishes NPZ_VERIFIED.
"""

import hashlib
import os

from .work import Periodic, folder, names, read_json, write_json


class ReplicationMonitor(Periodic):
    def __init__(self, every=10.0, tolerated=2):
        self.every, self.tolerated, self.missing = every, tolerated, 0

    def tick(self):
        local, remote = names("npz", suffix=".npz"), set(names("cluster", "npz", suffix=".npz"))
        self.missing = len([n for n in local if n not in remote])
        status = {"batches": len(local), "under_replicated": self.missing}
        self.warden.publish("REPLICATION_STATUS", status)
        if self.missing > self.tolerated:
            self.warden.publish("REPLICATION_DEGRADED", status)

    def health_check(self):
        # Degraded is still alive: REPLICATION_REPAIR's job, not a reason to restart this one.
        return {"healthy": True, "status": "degraded" if self.missing > self.tolerated else "ok"}

    def get_metrics(self):
        return {"under_replicated": self.missing}


class NpzChecksums(Periodic):
    def __init__(self, every=20.0):
        self.every, self.file = every, os.path.join(folder("state"), "npz-manifest.json")

    def tick(self):
        manifest, added = read_json(self.file, {}), 0
        present = names("npz", suffix=".npz")
        for name in present:
            if name not in manifest:
                try:
                    with open(os.path.join(folder("npz"), name), "rb") as batch:
                        manifest[name] = hashlib.sha256(batch.read()).hexdigest()
                    added += 1
                except FileNotFoundError:
                    pass
        manifest = {n: h for n, h in manifest.items() if n in present}  # forget pruned ones
        write_json(self.file, manifest)
        if added:
            manifest = "state/npz-manifest.json"
            self.warden.publish("NPZ_VERIFIED", {"batches": added, "manifest": manifest})
