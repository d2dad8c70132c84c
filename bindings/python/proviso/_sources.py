"""A policy's source files: what a pickled :class:`~proviso.Policy` carries, and how another
process compiles the same policy from them.

A policy pickles as its sources (every file the compiler read: the main file, its imports and the
law files they cite, from ``Policy::SourceFiles``, with their paths relative to the main file's
folder), its back end and its name. Unpickling writes the files into a folder of this process
(under :func:`tempfile.gettempdir`, one sub-folder per content hash, the relative layout kept) and
compiles the main file there: once per process and policy, as later loads of the same sources find
the compiled policy in memory. The original files need not exist anywhere but in the pickle.
"""

from __future__ import annotations

import atexit
import collections
import dataclasses
import hashlib
import os
import shutil
import tempfile
import threading
from typing import TYPE_CHECKING, Dict, Optional, Sequence, Tuple

from . import _proviso
from ._errors import ProvisoError

if TYPE_CHECKING:
    from ._policy import Policy

__all__ = ["State", "state_of", "digest", "load", "original_paths"]

#: What a pickled policy carries: ``(name, backend, files, origin)``; ``files`` are ``(relative
#: path, content)``, the main file first, paths relative to the main file's folder
#: (``/``-separated, possibly starting with ``../``); ``origin`` is the main file's path where the
#: policy was compiled first (``<string>`` for source text), to name it in messages.
State = Tuple[str, str, Tuple[Tuple[str, bytes], ...], str]

#: The main file's name on disk when the policy was compiled from source text named ``<string>``.
_TEXT_MAIN = "policy.proviso"
#: Compiled policies kept in memory, by (content hash, backend): later loads cost a dict lookup.
_KEEP = 32

_lock = threading.Lock()
_loaded: "collections.OrderedDict[Tuple[str, str], Policy]" = collections.OrderedDict()
_root: Optional[Tuple[int, str]] = None  # (pid, folder): a forked child makes its own folder
_origins: Dict[str, Tuple[str, str]] = {}  # main file written -> (its folder, the origin's folder), origin


def state_of(policy: "Policy") -> State:
    """The sources, back end and name of ``policy`` (see :data:`State`). Reads only memory."""
    native = policy._native
    files = native.source_files()
    main_path = files[0][0]
    base = os.path.dirname(os.path.abspath(main_path))
    main = os.path.basename(main_path)
    if not main or any(c in main for c in '<>:"|?*'):
        main = _TEXT_MAIN  # source text named "<string>"
    out = [(main, files[0][1])]
    seen = {main}
    for path, content in files[1:]:
        rel = os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")
        if rel not in seen:
            seen.add(rel)
            out.append((rel, content))
    return (native.name, native.backend, tuple(out), main_path)


def digest(files: Sequence[Tuple[str, bytes]]) -> str:
    """The content hash of a policy's files (their relative paths and contents): the name of their folder."""
    h = hashlib.sha256()
    for rel, content in files:
        h.update(rel.encode("utf-8") + b"\0" + len(content).to_bytes(8, "little") + content)
    return h.hexdigest()[:32]


def _folder() -> str:
    """This process's folder of unpickled policies (made on first use, removed at exit)."""
    global _root
    if _root is None or _root[0] != os.getpid() or not os.path.isdir(_root[1]):
        path = tempfile.mkdtemp(prefix="proviso-policies-")
        atexit.register(shutil.rmtree, path, True)
        _root = (os.getpid(), path)
    return _root[1]


def _write(folder: str, files: Sequence[Tuple[str, bytes]]) -> str:
    """Writes ``files`` under ``folder`` with their relative layout, and a ``.proviso-root`` file
    in ``folder``; returns the main file's path. Files that reach above the main file's folder
    (``../``) stay inside ``folder``: the main file goes as many levels down (in folders ``_``)."""
    rels = [os.path.normpath(rel) for rel, _ in files]
    up = 0
    for rel in rels:
        if os.path.isabs(rel):
            raise ProvisoError(f"pickled policy: source path `{rel}` is not relative to the main file")
        parts = rel.split(os.sep)
        up = max(up, next((k for k, p in enumerate(parts) if p != ".."), len(parts)))
    base = os.path.join(folder, *(["_"] * up)) if up else folder
    # The folder is the policy's import root (the SDK reads imports and law files only under the
    # nearest folder holding a `.proviso-root`), so that `../` imports resolve as they did.
    os.makedirs(folder, exist_ok=True)
    open(os.path.join(folder, ".proviso-root"), "ab").close()
    for rel, (_, content) in zip(rels, files):
        path = os.path.join(base, rel)
        try:
            with open(path, "rb") as f:
                if f.read() == content:
                    continue  # the folder was written before (reused)
        except OSError:
            pass
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(tmp, "wb") as f:
            f.write(content)
        os.replace(tmp, path)
    return os.path.join(base, rels[0])


def load(name: str, backend: str, files: Sequence[Tuple[str, bytes]], origin: str = "") -> "Policy":
    """The policy of a pickled :data:`State`: from memory if this process loaded the same sources
    before, else written under this process's folder and compiled (:class:`CompileError` if the
    sources do not compile here, :class:`ProvisoError` if they compile to a policy of another
    name). Thread-safe: concurrent loads of the same policy compile it once."""
    from ._policy import Policy

    files = tuple((str(rel), bytes(content)) for rel, content in files)
    key = (digest(files), backend)
    with _lock:
        policy = _loaded.get(key)
        if policy is not None:
            _loaded.move_to_end(key)
            return policy
        main = _write(os.path.join(_folder(), key[0]), files)
        policy = Policy(_proviso.compile_file(main, backend))
        if policy.name != name:
            raise ProvisoError(f"pickled policy `{name}` compiled to a policy named `{policy.name}`")
        policy._state = (name, backend, files, origin)
        if origin:
            _origins[main] = (origin, os.path.dirname(origin))
        _loaded[key] = policy
        while len(_loaded) > _KEEP:
            _loaded.popitem(last=False)
        return policy


def original_paths(policy: "Policy", e: ProvisoError) -> ProvisoError:
    """``e``, raised by an unpickled ``policy``, naming the policy's files by their paths where it
    was first compiled, not by their copies in this process's folder (in place)."""
    main = policy._native.source_files()[0][0] if policy._state is not None else None
    origin = _origins.get(main or "")
    if origin is None:
        return e
    origin_main, origin_dir = origin
    base = os.path.dirname(main) + os.sep

    def restore(text: str) -> str:
        text = text.replace(main, origin_main)
        return text.replace(base, os.path.join(origin_dir, "") if origin_dir else "")

    e.message = restore(e.message)
    e.args = (e.message,) + e.args[1:]
    if e.location is not None and e.location.file:
        e.location = dataclasses.replace(e.location, file=restore(e.location.file))
    for d in e.diagnostics:
        for k in ("file", "rendered", "message"):
            if isinstance(d.get(k), str):
                d[k] = restore(d[k])
    return e
