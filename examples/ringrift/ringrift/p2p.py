"""The P2P mesh stand-ins. Nodes are records in work/state/p2p/<node>.json: {node, port, pid}.

- P2PBackend (P2P_BACKEND, "P2P mesh network backend"): a real TCP server on 127.0.0.1 (a free
  port) that answers `PING` with `PONG <node>` and `PEERS` with the records; registers itself
  and publishes P2P_READY {port}; removes its record on stop.
- P2PAutoDeploy (P2P_AUTO_DEPLOY, "Ensures P2P runs on all nodes"): every `every` seconds pings
  every registered node, publishes P2P_UNREACHABLE for one that does not answer, and
  P2P_MISSING when no node is registered at all.
- NodeRecovery (NODE_RECOVERY, "Auto-recovers terminated nodes"): on P2P_UNREACHABLE, removes the
  dead node's record (a real one would re-provision it) and publishes NODE_RECOVERED.
"""

import asyncio
import json
import os
import socket

from .work import Periodic, folder, names, read_json, write_json


def records():
    found = (read_json(os.path.join(folder("state", "p2p"), n)) for n in names("state", "p2p"))
    return [record for record in found if record]


class P2PBackend:
    async def start(self):
        self.node = "%s-%d" % (socket.gethostname(), os.getpid())
        self.server = await asyncio.start_server(self.serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        self.file = os.path.join(folder("state", "p2p"), self.node + ".json")
        write_json(self.file, {"node": self.node, "port": self.port, "pid": os.getpid()})
        self.served = 0
        self.warden.publish("P2P_READY", {"node": self.node, "port": self.port})
        self.warden.status("listening on 127.0.0.1:%d" % self.port)

    async def serve(self, reader, writer):
        line = (await reader.readline()).strip()
        self.served += 1
        answer = "PONG %s" % self.node if line == b"PING" else json.dumps(records())
        writer.write(answer.encode() + b"\n")
        await writer.drain()
        writer.close()

    async def stop(self):
        self.server.close()
        if os.path.exists(self.file):
            os.remove(self.file)

    def health_check(self):
        return self.server.is_serving()

    def get_metrics(self):
        return {"port": self.port, "requests_served": self.served}


async def ping(port):
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 1.0)
    writer.write(b"PING\n")
    answer = await asyncio.wait_for(reader.readline(), 1.0)
    writer.close()
    return answer.startswith(b"PONG")


class P2PAutoDeploy(Periodic):
    def __init__(self, every=10.0):
        self.every, self.reachable, self.empty_rounds = every, 0, 0

    async def tick(self):
        found, self.reachable = records(), 0
        for record in found:
            try:
                self.reachable += await ping(record["port"])
            except (OSError, asyncio.TimeoutError):
                self.warden.publish("P2P_UNREACHABLE", record)
        self.empty_rounds = 0 if found else self.empty_rounds + 1
        if self.empty_rounds == 2:  # once, and not before the backend had a chance to start
            self.warden.publish("P2P_MISSING", {"detail": "no P2P backend registered on this node"})
        self.warden.status("%d of %d P2P nodes answer" % (self.reachable, len(found)))

    def get_metrics(self):
        return {"nodes_reachable": self.reachable}


class NodeRecovery:
    async def start(self):
        self.recovered = 0
        self.warden.subscribe("P2P_UNREACHABLE", self.on_unreachable)

    def on_unreachable(self, event):
        try:
            os.remove(os.path.join(folder("state", "p2p"), event["data"]["node"] + ".json"))
        except FileNotFoundError:
            return
        self.recovered += 1
        recovered = {"node": event["data"]["node"], "action": "record removed"}
        self.warden.publish("NODE_RECOVERED", recovered)

    def get_metrics(self):
        return {"nodes_recovered": self.recovered}
