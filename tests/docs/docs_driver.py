"""Run the examples of one docs page, in order, as a reader would.

``python``/``ipython`` blocks run as cells of one IPython shell (so ``%%track`` works and
state carries over); ``console`` blocks run each ``$ command`` line in a shell and must
exit 0 unless the line ends with ``# exits N``. Other blocks are not run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.S | re.M)


def blocks(page: Path) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(page.read_text())]


def main(page: Path) -> int:
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    for number, (language, code) in enumerate(blocks(page), 1):
        if language in ("python", "ipython"):
            result = shell.run_cell(code, store_history=True)
            if not result.success:
                print(f"{page.name}: block {number} ({language}) failed:\n{code}", file=sys.stderr)
                return 1
        elif language == "console":
            for line in code.splitlines():
                if not line.startswith("$ "):
                    continue
                command = line[2:]
                expected = 0
                match = re.search(r"#\s*exits\s+(\d+)\s*$", command)
                if match:
                    expected = int(match.group(1))
                    command = command[: match.start()]
                done = subprocess.run(command, shell=True, executable="/bin/bash", capture_output=True, text=True)
                sys.stdout.write(done.stdout)
                if done.returncode != expected:
                    print(f"{page.name}: `{command}` exited {done.returncode}, expected {expected}:\n"
                          f"{done.stdout}\n{done.stderr}", file=sys.stderr)
                    return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
