"""Finding the school's other nodes on the LAN: zeroconf, plus our own liveness check.

Advertises ``_baobab._tcp.local.`` with TXT records (node id, school id, role,
protocol version, port) and browses for the same type. zeroconf keeps a peer
that vanished without a goodbye listed for about 19 minutes, so whether a peer
is alive comes from our own check: its ``/healthz`` must answer with its node id.
A background service with ``start()``/``stop()``, started by ``serve``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from zeroconf import IPVersion, ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

from sync import PROTOCOL_VERSION

from ..node import rundir

log = logging.getLogger(__name__)

SERVICE_TYPE = "_baobab._tcp.local."


@dataclass
class Sighting:
    """A node seen on the LAN, and what our own check says of it."""

    node_id: str
    school_id: str
    role: str
    protocol: int
    url: str
    alive: bool = False
    checked_at: float = 0.0


def nearby_path(data_dir: str) -> Path:
    """Where the node's discovery shares its sightings with the other serving processes."""
    return rundir.run_dir(data_dir) / "nearby.json"


def shared_sightings(path: Path) -> list[Sighting]:
    """The sightings a node's discovery last shared at ``path`` (none when it is off)."""
    return [Sighting(**fields) for fields in rundir.read_json(path, [])]


def probe(url: str, node_id: str, timeout: float = 2.0) -> bool:
    """Say whether the node at ``url`` answers /healthz as ``node_id``."""
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=timeout) as response:
            return json.loads(response.read()).get("node_id") == node_id
    except (OSError, ValueError):
        return False


class Discovery:
    """Advertise this node and keep a list of live peers."""

    def __init__(
        self,
        node_id: str,
        school_id: str | None,
        port: int,
        addresses: list[str],
        role: str = "node",
        interfaces: list[str] | None = None,
        check_interval_s: float = 30.0,
        on_alive: Callable[[Sighting], None] | None = None,
        share_path: Path | None = None,
    ) -> None:
        self.node_id, self.school_id, self.port, self.role = node_id, school_id or "", port, role
        self.addresses, self.interfaces = addresses, interfaces
        self.check_interval_s = check_interval_s
        self.on_alive = on_alive
        self.share_path = share_path  # where the node's other serving processes read sightings
        self._sightings: dict[str, Sighting] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._zc: Zeroconf | None = None
        self._browser: ServiceBrowser | None = None
        self._checker: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Register our service, browse for others, start the liveness checks."""
        kwargs = {"ip_version": IPVersion.V4Only}
        if self.interfaces:
            kwargs["interfaces"] = self.interfaces
        self._zc = Zeroconf(**kwargs)
        info = ServiceInfo(
            SERVICE_TYPE,
            f"{self.node_id}.{SERVICE_TYPE}",
            port=self.port,
            addresses=self.addresses,
            server=f"baobab-{self.node_id.lower()}.local.",
            properties={
                "node_id": self.node_id,
                "school_id": self.school_id,
                "role": self.role,
                "protocol": str(PROTOCOL_VERSION),
                "port": str(self.port),
            },
        )
        self._zc.register_service(info)
        self._browser = ServiceBrowser(self._zc, SERVICE_TYPE, handlers=[self._on_change])
        self._stop.clear()
        self._checker = threading.Thread(target=self._check_loop, name="baobab-liveness")
        self._checker.start()
        log.info("discovery: advertising %s on port %s", self.node_id, self.port)

    def stop(self) -> None:
        """Say goodbye, stop browsing and checking; returns within a few seconds."""
        self._stop.set()
        if self._checker is not None:
            self._checker.join(timeout=5)
            self._checker = None
        if self._browser is not None:
            self._browser.cancel()
            self._browser = None
        if self._zc is not None:
            self._zc.unregister_all_services()
            self._zc.close()
            self._zc = None

    # ------------------------------------------------------------ what we see

    def sightings(self) -> list[Sighting]:
        """Every node seen, alive or not, by node id."""
        with self._lock:
            return sorted(self._sightings.values(), key=lambda s: s.node_id)

    def alive_peers(self) -> list[Sighting]:
        """Nodes our own check found alive."""
        return [s for s in self.sightings() if s.alive]

    def check_now(self) -> None:
        """Probe every sighting once (also run every ``check_interval_s``)."""
        for sighting in self.sightings():
            alive = probe(sighting.url, sighting.node_id)
            with self._lock:
                sighting.alive, sighting.checked_at = alive, time.monotonic()
            self._share()
            if alive and self.on_alive is not None and not self._stop.is_set():
                try:
                    self.on_alive(sighting)
                except Exception:  # a failing callback must not stop discovery
                    log.exception("discovery: handling %s failed", sighting.node_id)

    # ------------------------------------------------------------ internals

    def _share(self) -> None:
        if self.share_path is not None:
            rundir.write_json(self.share_path, [asdict(s) for s in self.sightings()])

    def _check_loop(self) -> None:
        while not self._stop.wait(self.check_interval_s):
            self.check_now()

    def _on_change(
        self, zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change is ServiceStateChange.Removed:
            with self._lock:
                for key in list(self._sightings):
                    if name.startswith(f"{key}."):
                        del self._sightings[key]
            self._share()
            return
        info = zeroconf.get_service_info(service_type, name, timeout=3000)
        if info is None or not info.parsed_addresses():
            return
        props = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
        node_id = props.get("node_id", "")
        if not node_id or node_id == self.node_id:
            return
        try:
            protocol = int(props.get("protocol", "0"))
        except ValueError:
            protocol = 0
        sighting = Sighting(
            node_id=node_id,
            school_id=props.get("school_id", ""),
            role=props.get("role", "node"),
            protocol=protocol,
            url=f"http://{info.parsed_addresses()[0]}:{info.port}",
        )
        with self._lock:
            self._sightings[node_id] = sighting
        self._share()
        log.info("discovery: saw %s at %s", node_id, sighting.url)
