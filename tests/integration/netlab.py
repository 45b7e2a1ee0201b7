"""Network namespaces for tests: hosts on a bridge that exists only inside them.

Each host gets a namespace with a veth ``eth0`` whose peer is enslaved to a
bridge in a namespace of its own, addresses in a /24 that exists only there.
Nothing of this touches the machine's own network; ``down()`` removes it all.
"""

from __future__ import annotations

import os
import subprocess


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


class NetLab:
    """A bridge and hosts in namespaces named after this process."""

    def __init__(self, hosts: list[str], subnet: str = "10.199.77") -> None:
        tag = f"bb{os.getpid() % 100000}"
        self.bridge_ns = f"{tag}-br"
        self.ns = {h: f"{tag}-{h}" for h in hosts}
        self.addr = {h: f"{subnet}.{i + 2}" for i, h in enumerate(hosts)}

    def up(self) -> NetLab:
        ip("netns", "add", self.bridge_ns)
        ip("-n", self.bridge_ns, "link", "add", "br0", "type", "bridge")
        ip("-n", self.bridge_ns, "link", "set", "br0", "up")
        ip("-n", self.bridge_ns, "link", "set", "lo", "up")
        for i, (host, ns) in enumerate(self.ns.items()):
            ip("netns", "add", ns)
            ip("-n", ns, "link", "set", "lo", "up")
            ip(
                "-n",
                ns,
                "link",
                "add",
                "eth0",
                "type",
                "veth",
                "peer",
                "name",
                f"v{i}",
                "netns",
                self.bridge_ns,
            )
            ip("-n", self.bridge_ns, "link", "set", f"v{i}", "master", "br0")
            ip("-n", self.bridge_ns, "link", "set", f"v{i}", "up")
            ip("-n", ns, "addr", "add", f"{self.addr[host]}/24", "dev", "eth0")
            ip("-n", ns, "link", "set", "eth0", "up")
        return self

    def down(self) -> None:
        for ns in [*self.ns.values(), self.bridge_ns]:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)

    def cmd(self, host: str, *argv: str) -> list[str]:
        """The command line that runs ``argv`` on ``host``."""
        return ["ip", "netns", "exec", self.ns[host], *argv]
