"""FolderSync: the stand-in for the sync daemons (AUTO_SYNC, EPHEMERAL_SYNC, HIGH_QUALITY_SYNC,
ELO_SYNC, GOSSIP_SYNC, CLUSTER_DATA_SYNC, NPZ_DISTRIBUTION, MODEL_SYNC, MODEL_DISTRIBUTION,
REPLICATION_REPAIR). Copies (or, for a push, moves) the new files of one folder of work/ to
another every `every` seconds, and at once when a `trigger` event arrives; publishes
DATA_SYNC_COMPLETED for each round that moved something, as the documents' sync daemons do."""

import os
import shutil
import time

from .work import Periodic, folder, names, read_json


class FolderSync(Periodic):
    def __init__(self, src, dst, every=5.0, move=False, match="", min_quality=None, trigger=None):
        self.src, self.dst, self.every, self.move = src, dst, every, move
        self.match, self.min_quality, self.trigger = match, min_quality, trigger
        self.files = self.bytes = self.rounds = 0
        self.error = ""

    def begin(self):
        if self.trigger:
            self.warden.subscribe(self.trigger, lambda event: self.tick())

    def wanted(self, path):
        if self.min_quality is None:
            return True
        return (read_json(path, {}).get("quality") or 0) >= self.min_quality

    def tick(self):
        started, copied, size = time.monotonic(), 0, 0
        src, dst = folder(*self.src.split("/")), folder(*self.dst.split("/"))
        try:
            for name in names(*self.src.split("/"))[:500]:
                if self.match not in name:
                    continue
                source, target = os.path.join(src, name), os.path.join(dst, name)
                try:
                    if self.wanted(source) and not _same(source, target):
                        part = os.path.join(dst, ".part-" + name)  # hidden until complete
                        shutil.copy2(source, part)
                        os.replace(part, target)
                        copied, size = copied + 1, size + os.path.getsize(target)
                    if self.move:
                        os.remove(source)
                except FileNotFoundError:
                    continue  # another daemon took it (exported, quarantined, pruned) meanwhile
            self.error = ""
        except OSError as error:
            self.error = "%s -> %s: %s" % (self.src, self.dst, error)
        self.rounds += 1
        if copied:
            self.files, self.bytes = self.files + copied, self.bytes + size
            seconds = round(time.monotonic() - started, 3)
            self.warden.publish("DATA_SYNC_COMPLETED", {"src": self.src, "dst": self.dst,
                                                        "files": copied, "bytes": size,
                                                        "seconds": seconds})
        self.warden.status("%d files synced %s -> %s" % (self.files, self.src, self.dst))

    def health_check(self):
        return {"healthy": not self.error, "message": self.error}

    def get_metrics(self):
        return {"files_synced": self.files, "bytes_synced": self.bytes, "rounds": self.rounds}


def _same(source, target):
    try:
        return os.path.getsize(source) == os.path.getsize(target)
    except OSError:
        return False
