"""A small LSP client for tests: starts `proviso lsp`, speaks JSON-RPC over its pipes (Content-Length
framing), and waits for answers and notifications with timeouts, so that a hung server fails a test
instead of hanging it."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

TIMEOUT = 20.0  # seconds for any one answer


def path_uri(path: Path) -> str:
    """`file://` URI of an absolute path, percent-encoded like the server does."""
    from urllib.parse import quote
    return "file://" + quote(str(path), safe="/-._~")


def utf16_len(s: str) -> int:
    """The length of `s` in UTF-16 code units (LSP's `character` unit)."""
    return len(s.encode("utf-16-le")) // 2


def position_of(text: str, needle: str, occurrence: int = 0, offset: int = 0) -> dict:
    """The LSP position of the `occurrence`-th `needle` in `text` (plus `offset` code points)."""
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(needle, at + 1)
    at += offset
    line = text.count("\n", 0, at)
    start = text.rfind("\n", 0, at) + 1
    return {"line": line, "character": utf16_len(text[start:at])}


def range_of(text: str, needle: str, occurrence: int = 0) -> dict:
    start = position_of(text, needle, occurrence)
    return {"start": start, "end": {"line": start["line"], "character": start["character"] + utf16_len(needle)}}


class LspClient:
    """One `proviso lsp` process. Not thread-safe: one test drives it."""

    def __init__(self, proviso: str, args: Optional[list] = None, cwd: Optional[str] = None):
        self.proc = subprocess.Popen([proviso, "lsp", *(args or [])], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=cwd)
        self.messages: "queue.Queue[Any]" = queue.Queue()
        self.pending: list = []  # messages read but not yet asked for
        self.next_id = 1
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
            body = out.read(length)
            self.messages.put(json.loads(body.decode("utf-8")))

    # ------------------------------------------------------------------ sending
    def send_raw(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict) -> None:
        body = json.dumps(message, ensure_ascii=False).encode("utf-8")
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, **({"params": params} if params is not None else {})})

    def request_async(self, method: str, params: Any = None) -> int:
        rid = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, **({"params": params} if params is not None else {})})
        return rid

    def request(self, method: str, params: Any = None, timeout: float = TIMEOUT) -> dict:
        """The whole response (with `result` or `error`)."""
        rid = self.request_async(method, params)
        return self.wait(lambda m: m.get("id") == rid and "method" not in m, timeout, f"the answer to {method}")

    def result(self, method: str, params: Any = None) -> Any:
        response = self.request(method, params)
        assert "error" not in response, response
        return response["result"]

    # ------------------------------------------------------------------ receiving
    def wait(self, match: Callable[[dict], bool], timeout: float = TIMEOUT, what: str = "a message") -> dict:
        for i, m in enumerate(self.pending):
            if match(m):
                return self.pending.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {what} within {timeout}s; unclaimed: {self.pending[-5:]}")
            try:
                m = self.messages.get(timeout=left)
            except queue.Empty:
                continue
            if m is None:
                raise EOFError(f"the server ended while waiting for {what}; stderr: {self.stderr_text()}")
            if match(m):
                return m
            self.pending.append(m)

    def diagnostics(self, uri: str, timeout: float = TIMEOUT) -> list:
        """The next publishDiagnostics for `uri`."""
        m = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri,
                      timeout, f"diagnostics for {uri}")
        return m["params"]["diagnostics"]

    def stderr_text(self) -> str:
        try:
            return self.proc.stderr.read().decode("utf-8", "replace") if self.proc.poll() is not None else ""
        except Exception:  # noqa: BLE001
            return ""

    # ------------------------------------------------------------------ lifecycle
    def initialize(self, root: Optional[Path] = None) -> dict:
        result = self.result("initialize", {"processId": None, "rootUri": path_uri(root) if root else None,
                                            "capabilities": {}})
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: Optional[str] = None, version: int = 1) -> str:
        uri = path_uri(path)
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "proviso", "version": version,
                                                              "text": path.read_text() if text is None else text}})
        return uri

    def shutdown_and_exit(self, timeout: float = TIMEOUT) -> int:
        self.result("shutdown")
        self.notify("exit")
        return self.proc.wait(timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except Exception:  # noqa: BLE001
                pass
