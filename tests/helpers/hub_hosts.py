"""A district hub as it runs in production: app hosts behind a real nginx, on PostgreSQL.

Each app host is `baobab serve --role hub` with a data directory and port of its own;
nginx serves the shipped site config (scripts/deploy/nginx-baobab-hub.conf) with its
hosts, ports and a throw-away certificate put in; nodes trust that certificate
through SSL_CERT_FILE, as a node trusts a real one through the system's store.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import random
import re
import shutil
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from server import create_app
from server import db as database
from server.models import Answer, Attempt, Item, LocalNode, Person
from sync.ids import new_id
from tests.helpers.nodes import ServedNode
from tests.helpers.pg import ThrowawayPostgres, free_port

ROOT = Path(__file__).resolve().parents[2]
SITE_CONFIG = ROOT / "scripts" / "deploy" / "nginx-baobab-hub.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, written to ``directory``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "baobab test hub")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "hub.crt", directory / "hub.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def site_config(
    upstreams: list[int], http_port: int, https_port: int, cert: Path, key: Path
) -> str:
    """The shipped site config with this machine's hosts, ports and certificate put in."""
    text = SITE_CONFIG.read_text()
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in upstreams)
    text, count = re.subn(r"(?m)^    server 10\.0\.0\.\d+:8080 .*\n", "", text)
    assert count >= 2, "the shipped config lists its app hosts as the test expects"
    text = text.replace("    keepalive 32;", servers + "    keepalive 32;")
    text = text.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    text = text.replace("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;")
    text = text.replace("/etc/ssl/baobab/hub.crt", str(cert))
    text = text.replace("/etc/ssl/baobab/hub.key", str(key))
    return text


class Nginx:
    """nginx in the foreground, as our child, with everything it writes under ``root``."""

    def __init__(self, root: Path, upstreams: list[int]) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)
        self.cert, self.key = self_signed(root)
        self.http_port, self.https_port = free_port(), free_port()
        site = root / "site.conf"
        site.write_text(
            site_config(upstreams, self.http_port, self.https_port, self.cert, self.key)
        )
        temp = root / "tmp"
        temp.mkdir(exist_ok=True)
        os.chmod(temp, 0o777)
        (root / "nginx.conf").write_text(
            # Its workers write request bodies under the test's private folder: as root
            # (nginx started as root otherwise switches to nobody, who cannot enter it).
            "daemon off;\nworker_processes 2;\n"
            + ("user root root;\n" if os.geteuid() == 0 else "")
            + f"pid {root}/nginx.pid;\nerror_log {root}/error.log warn;\n"
            + "events { worker_connections 1024; }\n"
            + "http {\n  access_log off;\n"
            + f"  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
            + f"  fastcgi_temp_path {temp}/fcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n"
            + f"  scgi_temp_path {temp}/scgi;\n  include {site};\n}}\n"
        )
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def start(self) -> Nginx:
        conf = str(self.root / "nginx.conf")
        subprocess.run([NGINX, "-t", "-q", "-c", conf], check=True, capture_output=True)
        self.proc = subprocess.Popen(
            [NGINX, "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 20
        context = _trusting(self.cert)
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2, context=context):
                    return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError("nginx did not answer")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def _trusting(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


class HubCluster:
    """PostgreSQL, ``hosts`` app hosts of one hub, and nginx in front of them."""

    def __init__(
        self, root: Path, hosts: int = 2, workers: int = 1, pg_settings: dict | None = None
    ) -> None:
        self.root = root
        self.pg = ThrowawayPostgres(pg_settings).start()
        self.url = self.pg.create_database("hub")
        env = {
            "BAOBAB_DATABASE_URL": self.url,
            "BAOBAB_PROXY_HOPS": "1",
            "BAOBAB_WORKERS": str(workers),
        }
        self.hosts = [
            ServedNode(root / f"host{i}", demo=False, env=env, args=("--role", "hub"))
            for i in range(hosts)
        ]
        self.nginx: Nginx | None = None

    def start(self) -> HubCluster:
        for host in self.hosts:
            host.start()
        self.nginx = Nginx(self.root / "nginx", [h.port for h in self.hosts]).start()
        return self

    @property
    def public_url(self) -> str:
        assert self.nginx is not None
        return self.nginx.url

    def node_env(self) -> dict[str, str]:
        """What a node's processes need to reach the hub (they trust its certificate)."""
        assert self.nginx is not None
        return {"SSL_CERT_FILE": str(self.nginx.cert), "BAOBAB_DISCOVERY": "0"}

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """The hub's CLI, run on the first host's data directory, as its operator would."""
        env = {
            **os.environ,
            "BAOBAB_DISCOVERY": "0",
            "BAOBAB_ROLE": "hub",
            "BAOBAB_DATABASE_URL": self.url,
        }
        return subprocess.run(
            [sys.executable, "-m", "server.cli", *args, "--data-dir", str(self.hosts[0].data_dir)],
            capture_output=True, text=True, env=env, check=True, timeout=300,
        )  # fmt: skip

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows of a query on the hub's database."""
        with psycopg2.connect(self.url) as conn, conn.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall() if cursor.description else []
        conn.close()
        return rows

    def stop(self) -> None:
        try:
            if self.nginx is not None:
                self.nginx.stop()
            for host in self.hosts:
                try:
                    host.stop()
                except subprocess.TimeoutExpired:
                    host.kill()  # a loaded machine: it was told to stop, it is made to
        finally:
            self.pg.stop()


def node_cli(data_dir: Path, env: dict[str, str], *args: str, check: bool = True):
    """A node's CLI (``baobab ARGS --data-dir DATA_DIR``) in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args, "--data-dir", str(data_dir)],
        capture_output=True, text=True, env={**os.environ, **env}, check=check, timeout=600,
    )  # fmt: skip


def answer_rows(count: int, partition: str, start: int = 0) -> list[dict[str, object]]:
    """``count`` answer events of the partition's school, ids made as devices make them."""
    return [
        {
            "id": new_id(),
            "partition": partition,
            "person_id": "Kz3e9Qp1Lm7Tn2Vb5Xc8Ad",
            "attempt_id": "Qa1Ws2Ed3Rf4Tg5Yh6Uj7Ik",
            "activity_id": "baobab-sample:count-to-10-quiz-en",
            "item_id": "baobab-sample:count-to-10-quiz-en:q1",
            "response": n % 4,
            "correct": n % 3 != 0,
            "hints_used": n % 2,
            "duration_ms": 2000 + n % 5000,
            "device_ms": 1_763_800_000_000 + n * 1000,
            "received_ms": 1_763_800_000_500 + n * 1000,
        }
        for n in range(start, start + count)
    ]


def add_answers(data_dir: Path, count: int) -> str:
    """Write ``count`` answers into a node's database (as its students would); its partition."""
    create_app({"DATA_DIR": str(data_dir), "SQLITE_SYNCHRONOUS": "OFF"})
    try:
        with database.db.connection_context():
            partition = f"school:{LocalNode.get().school_id}"
            for start in range(0, count, 5000):
                rows = answer_rows(min(5000, count - start), partition, start)
                with database.db.atomic():
                    Answer.create_many(rows)
    finally:
        database.close_all()
    return partition


DAY_MS = 86_400_000


def school_work(data_dir: Path, events: int, days: int = 60, seed: int = 0) -> dict[str, int]:
    """``events`` events of a node's students over the last ``days`` days, as a class makes them.

    Every student of the school answers the school's items (a tenth of the events are
    attempts at an activity, most completed), in time order across the days, so the
    district dashboard's schools, classes, students, skills, activities and days all
    fill. Written through the models' stamping (``create_many``), as the node's own
    writes; returns the answers and attempts written.
    """
    create_app({"DATA_DIR": str(data_dir), "SQLITE_SYNCHRONOUS": "OFF"})
    rng = random.Random(seed)
    written = {"answers": 0, "attempts": 0}
    try:
        with database.db.connection_context():
            partition = f"school:{LocalNode.get().school_id}"
            students = [p.id for p in Person.live(Person.id).where(Person.role == "student")]
            items = [(i.id, i.activity_id) for i in Item.live(Item.id, Item.activity_id)]
            today = datetime.datetime.now(datetime.timezone.utc).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            first_ms = int(today.timestamp() * 1000) - (days - 1) * DAY_MS
            step = max(1, (days * DAY_MS - 1) // max(1, events))
            for start in range(0, events, 5000):
                answers, attempts = [], []
                for n in range(start, min(events, start + 5000)):
                    at = first_ms + n * step  # receipt times rise with the counters
                    person = rng.choice(students)
                    item, activity = rng.choice(items)
                    if n % 10 == 9:
                        attempts.append(
                            {
                                "partition": partition,
                                "person_id": person,
                                "activity_id": activity,
                                "started_ms": at - rng.randint(60_000, 1_200_000),
                                "ended_ms": at,
                                "completed": rng.random() < 0.7,
                                "received_ms": at,
                            }
                        )
                        continue
                    answers.append(
                        {
                            "partition": partition,
                            "person_id": person,
                            "attempt_id": None,
                            "activity_id": activity,
                            "item_id": item,
                            "response": rng.randint(0, 3),
                            "correct": rng.random() < 0.65,
                            "hints_used": rng.randint(0, 2),
                            "duration_ms": rng.randint(2_000, 60_000),
                            "device_ms": at - rng.randint(0, 5_000),
                            "received_ms": at,
                        }
                    )
                with database.db.atomic():
                    Answer.create_many(answers)
                    Attempt.create_many(attempts)
                written["answers"] += len(answers)
                written["attempts"] += len(attempts)
    finally:
        database.close_all()
    return written
