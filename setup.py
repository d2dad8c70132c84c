"""Builds the `proviso` Python package: the pure-Python package in bindings/python/proviso and the
extension `_proviso`, which CMake builds (with the C++ runtime it links, bundled beside it).

The CMake build directory is _cmake/ (not build/, which is the project's own CMake build), or
$PROVISO_CMAKE_BUILD_DIR; setuptools' own build files go under it too, so the tree stays clean.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
CMAKE_DIR = Path(os.environ.get("PROVISO_CMAKE_BUILD_DIR", ROOT / "_cmake")).resolve()
VERSION = re.search(r"project\(Proviso VERSION ([0-9.]+)", (ROOT / "CMakeLists.txt").read_text()).group(1)


class CMakeExtension(Extension):
    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    """Configures and builds the `_proviso` target, then copies what the package needs."""

    def build_extension(self, ext: Extension) -> None:
        out_dir = Path(self.get_ext_fullpath(ext.name)).resolve().parent
        package_dir = CMAKE_DIR / "python"
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(CMAKE_DIR),
            "-DCMAKE_BUILD_TYPE=Release",
            # The real interpreter, not the venv's symlink (stable across venvs: incremental builds).
            f"-DPython_EXECUTABLE={os.path.realpath(sys.executable)}",
            "-DPROVISO_BUILD_TESTS=OFF",
            "-DPROVISO_PYTHON_BUNDLE_RUNTIME=ON",
            f"-DPROVISO_PYTHON_DIR={package_dir}",
        ]
        if not (CMAKE_DIR / "CMakeCache.txt").exists() and shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        subprocess.run(configure, check=True, stdout=subprocess.DEVNULL)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")
        subprocess.run(["cmake", "--build", str(CMAKE_DIR), "--target", "_proviso", "-j", jobs], check=True)
        out_dir.mkdir(parents=True, exist_ok=True)
        built = package_dir / "proviso"
        for pattern in ("_proviso*.so", "libproviso.so*", "_version.py"):
            files = list(built.glob(pattern))
            if not files:
                raise RuntimeError(f"the CMake build did not produce {built / pattern}")
            for f in files:
                shutil.copy2(f, out_dir / f.name)


setup(
    version=VERSION,
    packages=["proviso"],
    package_dir={"proviso": "bindings/python/proviso"},
    package_data={"proviso": ["py.typed", "*.pyi"]},
    ext_modules=[CMakeExtension("proviso._proviso")],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
    options={
        "build": {"build_base": str(CMAKE_DIR / "setuptools")},
        "egg_info": {"egg_base": str(CMAKE_DIR)},
    },
)
