"""Where the non-Python parts live: client/ and static/ sit beside server/,
in a clone and in site-packages alike (pyproject ships them as package data)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENT_DIR = ROOT / "client"
STATIC_DIR = ROOT / "static"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SAMPLE_PACK_DIR = Path(__file__).resolve().parent / "content" / "sample"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "db" / "migrations"
