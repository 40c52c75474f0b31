"""Housekeeping stand-ins.

- Maintenance (MAINTENANCE, "Scheduled maintenance tasks"): every `every` seconds, and on
  MAINTENANCE_REQUESTED, keeps only the newest `keep` files of each folder the other stand-ins
  fill (cluster copies, backups, quarantine, models, batches); publishes MAINTENANCE_COMPLETED.
- CacheCoordination (CACHE_COORDINATION, "Coordinates caches across cluster"): keeps
  work/cache/best-model.json equal to the best model, refreshing it when BEST_MODEL_CHANGED or
  MODEL_ADOPTED says it changed; publishes CACHE_REFRESHED.
- MultiProvider (MULTI_PROVIDER, "Manages multi-cloud provider nodes"): the inventory of P2P
  nodes by provider (this machine is "local"), as PROVIDER_INVENTORY every `every` seconds.
"""

import os
import shutil

from .work import Periodic, folder, names, read_json

PRUNED = ("npz", "quarantine", "models/candidates", "models/promoted", "models/nnue",
          "models/synced", "cluster/games", "cluster/hq-games", "cluster/gossip", "cluster/npz",
          "cluster/models", "backup/s3", "backup/external-drive")


class Maintenance(Periodic):
    def __init__(self, every=60.0, keep=50):
        self.every, self.keep, self.deleted = every, keep, 0

    def begin(self):
        self.warden.subscribe("MAINTENANCE_REQUESTED", lambda event: self.tick())

    def tick(self):
        deleted = freed = 0
        for path in PRUNED:
            for name in names(*path.split("/"))[: -self.keep]:
                try:
                    freed += os.path.getsize(os.path.join(folder(*path.split("/")), name))
                    os.remove(os.path.join(folder(*path.split("/")), name))
                    deleted += 1
                except FileNotFoundError:
                    pass
        self.deleted += deleted
        done = {"files_deleted": deleted, "bytes_freed": freed}
        self.warden.publish("MAINTENANCE_COMPLETED", done)

    def get_metrics(self):
        return {"files_deleted": self.deleted}


class CacheCoordination(Periodic):
    def __init__(self, every=30.0):
        self.every, self.refreshes = every, 0

    def begin(self):
        for kind in ("BEST_MODEL_CHANGED", "MODEL_ADOPTED"):
            self.warden.subscribe(kind, lambda event: self.tick())

    def tick(self):
        best = os.path.join(folder("state"), "best-model.json")
        cached = os.path.join(folder("cache"), "best-model.json")
        model = read_json(best)
        if model and read_json(cached, {}).get("name") != model["name"]:
            shutil.copyfile(best, cached)
            self.refreshes += 1
            refreshed = {"entry": "best-model.json", "model": model["name"]}
            self.warden.publish("CACHE_REFRESHED", refreshed)

    def get_metrics(self):
        return {"refreshes": self.refreshes}


class MultiProvider(Periodic):
    def __init__(self, every=30.0):
        self.every, self.inventory = every, {}

    def tick(self):
        nodes = folder("state", "p2p")
        records = [read_json(os.path.join(nodes, name), {}) for name in names("state", "p2p")]
        self.inventory = {}
        for record in records:
            provider = record.get("provider", "local")
            self.inventory[provider] = self.inventory.get(provider, 0) + 1
        self.warden.publish("PROVIDER_INVENTORY", {"nodes": self.inventory})

    def get_metrics(self):
        return {"nodes_%s" % provider: count for provider, count in self.inventory.items()}
