"""A known device's sign-in check against the number of devices the node remembers.

The sign-in limit (server/auth/throttle.py) keeps the devices that signed in to each
account within 30 days in a file every serving process shares: a school's every
tablet and account. This times `SignInThrottle.checked` (a picture sign-in from a
device used before, as a class's sign-ins mostly are) with 50, 500 and 2,000 known
devices, in thread CPU per check, least of three rounds of 300.

    .venv/bin/python scripts/profile_known_devices.py TREE

TREE is the source tree to measure (`.`, or an export of another commit:
`git archive COMMIT | tar -x -C /tmp/old`), so before and after run the same check.
"""
import json, shutil, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else ".")
from server.auth.throttle import KNOWN, SignInThrottle  # noqa: E402

figures = []
for devices in (50, 500, 2000):
    folder = Path(tempfile.mkdtemp(prefix="baobab-known-devices-"))
    try:
        now = time.monotonic()
        known = {f"{KNOWN}student:{n}|addr:10.0.{n // 250}.{n % 250}": [now - n] for n in range(devices)}
        (folder / "signin-known.json").write_text(json.dumps(known))
        throttle = SignInThrottle(5, 300, path=folder / "signin.json")
        device = "student:7|addr:10.0.0.7"
        limits = {device: 5, "addr:10.0.0.7": 15}
        best = float("inf")
        for _ in range(3):
            began = time.thread_time()
            for _ in range(300):
                assert throttle.checked(limits, ("student:7", 15), device, lambda: True)
            best = min(best, (time.thread_time() - began) / 300)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{devices:5d} known devices: {best * 1e6:8.1f} us a sign-in check")
    figures.append(f"known_{devices}_us={best * 1e6:.1f}")
print(" ".join(figures))
