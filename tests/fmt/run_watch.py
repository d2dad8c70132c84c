#!/usr/bin/python3
"""`proviso watch`: a report at start, and again at each change of a file below the folder.

    run_watch.py --proviso PATH

Starts `proviso watch` on a temporary folder, waits for its first report (all tests pass), breaks
a test and waits for the failing report, fixes it and waits for success, adds a policy with a
failing test and removes it, then stops the process with SIGINT and checks that it exits 0.
Also checks `--once` (exit 0, then 1 on a failing test). Only the Python standard library is used.
"""

import argparse
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time

TIMEOUT = 60

POLICY = """policy p
input { x: int }
output o: int
rule r { then o = x + 1 }
test "one more" {
  given x = 1
  expect o = EXPECTED
}
"""


def write(path, text):
    # A new size as well as a new time: a change is seen even where times are coarse.
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class Watcher:
    def __init__(self, cmd):
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, prefix):
        """The report's summary line starting with `prefix`; fails on the other summary or at the timeout."""
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.time()))
            except queue.Empty:
                break
            if line is None:
                raise AssertionError(f"watch exited while waiting for {prefix!r}:\n{''.join(self.seen)}")
            self.seen.append(line)
            if line.startswith(("ok:", "FAILED:")):
                if line.startswith(prefix):
                    return line
                raise AssertionError(f"expected a report {prefix!r}, got {line!r}:\n{''.join(self.seen)}")
        raise AssertionError(f"no report {prefix!r} within {TIMEOUT}s:\n{''.join(self.seen)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--proviso", required=True)
    a = ap.parse_args()
    proviso = os.path.abspath(a.proviso)
    with tempfile.TemporaryDirectory() as tmp:
        policy = os.path.join(tmp, "p.proviso")
        write(policy, POLICY.replace("EXPECTED", "2"))
        once = subprocess.run([proviso, "watch", "--once", tmp], capture_output=True, text=True, timeout=TIMEOUT)
        assert once.returncode == 0 and "ok: 1 policy, 1 passed, 0 failed" in once.stdout, once
        w = Watcher([proviso, "watch", "--interval", "50", tmp])
        try:
            print(w.wait_for("ok:").strip())
            write(policy, POLICY.replace("EXPECTED", "20"))
            line = w.wait_for("FAILED:")
            print(line.strip())
            assert "1 failed" in line, line
            assert any(l.startswith("FAIL ") and "one more" in l for l in w.seen), w.seen
            write(policy, POLICY.replace("EXPECTED", "2"))
            print(w.wait_for("ok:").strip())
            other = os.path.join(tmp, "sub", "q.proviso")
            os.makedirs(os.path.dirname(other))
            write(other, POLICY.replace("EXPECTED", "7").replace("policy p", "policy q"))
            line = w.wait_for("FAILED:")
            print(line.strip())
            assert "2 policies" in line, line
            os.remove(other)
            print(w.wait_for("ok:").strip())
            write(policy, "policy p\noutput o int\n")
            line = w.wait_for("FAILED:")
            assert "did not compile" in line and any("p.proviso:2" in l for l in w.seen), w.seen
            print(line.strip())
            once = subprocess.run([proviso, "watch", "--once", tmp], capture_output=True, text=True, timeout=TIMEOUT)
            assert once.returncode == 1, once
        finally:
            w.proc.send_signal(signal.SIGINT)
            try:
                code = w.proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                w.proc.kill()
                raise
        assert code == 0, f"watch exited {code} on SIGINT"
    print("ok")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        print(f"FAIL {e}")
        sys.exit(1)
