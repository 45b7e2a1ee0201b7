"""sync/ is a library: importing it loads no web, server or discovery code."""

from __future__ import annotations

import subprocess
import sys


def test_import_sync_loads_none_of_flask_waitress_zeroconf_or_server():
    code = (
        "import sys, pkgutil, importlib, sync\n"
        "for m in pkgutil.walk_packages(sync.__path__, 'sync.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in "
        "('flask', 'waitress', 'zeroconf', 'server', 'werkzeug', 'peewee'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
