"""Instructions per request on the student's path, counted by valgrind: deterministic on a noisy box.

Runs scripts/profile_student_path.py's request mix (10 students: the sign-in list,
sign-in, three rounds of home, open, answers, finish, sign-out) in one process under
`valgrind --tool=callgrind`, collecting only inside the WSGI app's calls (not the
seeding, not the warm-up, not the load generator, not waitress), and prints the
instructions per class request, per ceiling request (`/bench/ceiling`) and their
ratio: the in-process counterpart of `scripts/bench classroom`'s `ratio`.

    .venv/bin/python scripts/count_student_path.py TREE [TREE ...] [--students N]

Each TREE is a source tree (`.`, or `git archive COMMIT | tar -x -C /tmp/old`), run with
this tree's .venv. Needs valgrind and a C compiler (for the callgrind client requests).
Takes about a minute per tree.
"""
import argparse, os, re, subprocess, sys, tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOGGLES = r"""
#include <valgrind/callgrind.h>
void callgrind_toggle(void) { CALLGRIND_TOGGLE_COLLECT; }
void callgrind_zero(void) { CALLGRIND_ZERO_STATS; }
void callgrind_dump(const char *why) { CALLGRIND_DUMP_STATS_AT(why); }
"""


def toggles(folder: Path) -> Path:
    """Compile the three callgrind client requests into a library ctypes can load."""
    source, library = folder / "toggles.c", folder / "toggles.so"
    source.write_text(TOGGLES)
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", library, source], check=True)
    return library


def count(tree: str, students: int, folder: Path) -> dict[str, float]:
    """Instructions per request of each kind ("class", "ceiling") for one tree."""
    out = folder / f"callgrind.{abs(hash(tree))}"
    env = dict(os.environ, COUNT=str(toggles(folder)), PYTHONHASHSEED="0")
    subprocess.run(
        ["valgrind", "--tool=callgrind", "--collect-atstart=no", f"--callgrind-out-file={out}",
         sys.executable, HERE / "profile_student_path.py", tree, "--students", str(students),
         "--loops", "1"],
        env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    per = {}
    for dump in folder.glob(out.name + ".*"):
        text = dump.read_text()
        why = re.search(r"^desc: Trigger: Client Request: (\w+) (\d+)$", text, re.M)
        total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
        if why and total:
            per[why[1]] = int(total[1]) / int(why[2])
    return per


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+")
    parser.add_argument("--students", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for tree in args.trees:
            per = count(tree, args.students, Path(folder))
            print(f"{tree}: class {per['class']:,.0f} instructions/request, ceiling "
                  f"{per['ceiling']:,.0f}, class/ceiling {per['class'] / per['ceiling']:.2f}")


if __name__ == "__main__":
    main()
