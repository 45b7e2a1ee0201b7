"""What-if benchmark: database bytes per answer event for candidate layouts of the answer table.

Each layout is built from today's migrated schema (read from a fresh node's
sqlite_master, so it cannot drift), filled with the same N answer events as
`scripts/bench sync` in chunks of 5,000 in counter order, as a receiver applies
them, and measured with dbstat (table and each index; no VACUUM). Layouts:

- today: partition and origin as this node's small integer codes (migration 0007).
- text: partition and origin as text in every row, as before migration 0007.
- today_8k: today's with 8 KB pages.
- today_clustered: today's, WITHOUT ROWID keyed by (origin, counter), a unique index on id.

Ends with one line `today=… text=… today_8k=… today_clustered=…` (bytes per event).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_sync import answer_row  # noqa: E402

from server import create_app  # noqa: E402
from server import db as database  # noqa: E402
from server.cli import prepare  # noqa: E402
from sync.hlc import HybridLogicalClock  # noqa: E402

PARTITION, ORIGIN = "school:Kz3e9Qp1Lm7Tn2Vb5Xc8Ad", "Ab3dE5gH7jK9mN1p"  # today's lengths
CHUNK = 5000


def todays_schema(work: Path) -> tuple[str, list[str]]:
    """The answer table's CREATE statements on a freshly migrated node."""
    prepare(create_app({"DATA_DIR": str(work)}))
    database.close_all()
    with sqlite3.connect(work / "baobab.db") as conn:
        table = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'answer'").fetchone()[0]
        indexes = [
            r[0]
            for r in conn.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'answer' AND type = 'index' "
                "AND sql IS NOT NULL"
            )
        ]
    return table, indexes


def as_text(sql: str) -> str:
    """Partition and origin typed as text, as they were before migration 0007."""
    return re.sub(r'("(?:partition|origin)") INTEGER', r"\1 VARCHAR(100)", sql)


def clustered(sql: str) -> str:
    """Rows stored in (origin, counter) order; the id keeps a unique index."""
    sql = sql.replace("NOT NULL PRIMARY KEY", "NOT NULL UNIQUE", 1)
    return sql.rstrip().removesuffix(")") + ', PRIMARY KEY ("origin", "counter")) WITHOUT ROWID'


def measure(
    path: Path,
    events: int,
    page_size: int,
    table_sql: str,
    index_sql: list[str],
    stamp: tuple[object, object],
) -> dict[str, int]:
    """Fill one layout with ``events`` answers and return bytes per table and index."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA page_size = {page_size}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(table_sql)
    for sql in index_sql:
        conn.execute(sql)
    partition, origin = stamp
    hlc = HybridLogicalClock().now()
    names = None
    for start in range(0, events, CHUNK):
        rows = []
        for n in range(start, min(events, start + CHUNK)):
            row = answer_row(n, PARTITION)
            row.update(partition=partition, origin=origin, counter=n + 1, hlc=hlc, deleted=0)
            row["response"] = json.dumps(row["response"])
            rows.append(row)
        names = names or list(rows[0])
        conn.execute("BEGIN")
        conn.executemany(
            f"INSERT INTO answer ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [[r[k] for k in names] for r in rows],
        )
        conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sizes = dict(
        conn.execute(
            "SELECT name, sum(pgsize) FROM dbstat WHERE name = 'answer' OR name IN "
            "(SELECT name FROM sqlite_master WHERE tbl_name = 'answer') GROUP BY name "
            "ORDER BY 2 DESC"
        ).fetchall()
    )
    conn.close()
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=31_000, help="answer events per layout")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="baobab-bench-layout-"))
    try:
        table, indexes = todays_schema(work / "node")
        stamp_index = [i for i in indexes if '("origin", "counter")' in i]
        others = [i for i in indexes if i not in stamp_index]
        names, codes = (PARTITION, ORIGIN), (1, 2)
        layouts = {
            "today": (4096, table, indexes, codes),
            "text": (4096, as_text(table), indexes, names),
            "today_8k": (8192, table, indexes, codes),
            "today_clustered": (4096, clustered(table), others, codes),
        }
        figures = {}
        for name, (page_size, table_sql, index_sql, stamp) in layouts.items():
            path = work / f"{name}.db"
            sizes = measure(path, args.events, page_size, table_sql, index_sql, stamp)
            figures[name] = sum(sizes.values()) / args.events
            parts = ", ".join(f"{k} {v / args.events:.0f}" for k, v in sizes.items())
            print(f"{name}: {figures[name]:.0f} B per answer event ({parts})")
        print(" ".join(f"{k}={v:.0f}" for k, v in figures.items()))
    finally:
        database.close_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
