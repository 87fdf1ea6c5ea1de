"""Packaging: what the installed commands import is installed by `pip install .`
(no extras). `recon demo` once failed on a fresh install for want of xlwt."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALLED_PACKAGES = ("recon", "pipelines", "assets", "checks")


def imported_modules() -> set[str]:
    """Top-level names of every module imported anywhere in the installed packages."""
    names = set()
    for package in INSTALLED_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return names


def declared(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0].lower().replace("_", "-") for req in requirements}


def test_every_third_party_import_of_the_installed_commands_is_a_runtime_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = declared(project["dependencies"])
    distributions = packages_distributions()
    third_party = {name for name in imported_modules()
                   if name not in sys.stdlib_module_names and name not in INSTALLED_PACKAGES}
    missing = {}
    for module in sorted(third_party):
        owners = {d.lower().replace("_", "-") for d in distributions.get(module, [])}
        assert owners, f"{module} is imported but no installed distribution provides it"
        # Provided by a declared dependency itself, or pulled in by one (e.g. pyyaml by dagster) is not enough:
        # what recon imports by name must be declared by name.
        if not owners & runtime:
            missing[module] = sorted(owners)
    assert not missing, f"imported by the installed commands but not in [project].dependencies: {missing}"


def test_the_wheel_carries_every_data_file_the_packages_read(tmp_path):
    """`pip install .` once left out recon/sources/*.yaml, and the installed `recon run` failed
    on its first import. Build the wheel as pip does and look for every non-Python file."""
    import subprocess
    import zipfile

    data_files = {str(path.relative_to(ROOT)) for package in INSTALLED_PACKAGES
                  for path in (ROOT / package).rglob("*")
                  if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts}
    assert data_files, "the packages read data files (recon/sources/*.yaml at least)"
    # A clean copy, as CI clones it: a stale recon.egg-info/SOURCES.txt in the working tree would
    # otherwise smuggle the files in and hide the fault.
    import shutil
    clone = tmp_path / "clone"
    shutil.copytree(ROOT, clone, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", "demo_drop", "out", "work", ".dagster_home"))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(clone), "--no-deps", "--no-build-isolation",
                            "--quiet", "-w", str(tmp_path / "dist")], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel, = (tmp_path / "dist").glob("recon-*.whl")
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(data_files - in_wheel)
    assert not missing, f"not in the wheel (add them to [tool.setuptools.package-data]): {missing}"
