"""Secrets left in an image, kind ``deploy``: what looks like one, and where to look. No Docker here.

An image keeps every layer it was built from, so a credential copied in and deleted later is still
there, and ``docker history`` keeps every build argument a ``RUN`` saw. These functions say what
looks secret in what the engine reports; :mod:`graders.kinds.deploy_engine` fetches it:

* :func:`secret_path` — a file path that looks like it holds credentials (``.env``, SSH keys,
  ``.npmrc``/``.pypirc``, cloud and Docker credentials, private keys), or None;
* :func:`secret_build_args` — ``NAME=value`` build arguments recorded in ``docker history`` lines
  (``|N NAME=value … /bin/sh -c …``) whose names look secret;
* :func:`secret_env` — ``ENV`` entries of the image's config whose names look secret and are set
  (not those the base image brought);
* :func:`added_paths` — the paths in the layers an image added on top of its base, read from a
  ``docker save`` archive (the legacy layout and the OCI one both carry ``manifest.json``).

Names are judged, not contents: a file called ``config.py`` with a token in it is not caught.
Third-party trees (``site-packages``, ``dist-packages``, ``node_modules``) are left out: their test
keys are not the learner's secrets.
"""

from __future__ import annotations

import json
import re
import tarfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

__all__ = ["added_paths", "secret_build_args", "secret_env", "secret_name", "secret_path"]

_SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "API_KEY", "APIKEY", "PRIVATE_KEY",
                 "ACCESS_KEY")
_SECRET_FILES = frozenset({
    ".env", ".envrc", ".netrc", "_netrc", ".npmrc", ".pypirc", ".git-credentials", ".htpasswd", ".dockercfg",
    "credentials", "credentials.json", "client_secret.json", "service-account.json", "secrets.json",
    "secrets.yaml", "secrets.yml", "secrets.toml", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519",
})
_SECRET_SUFFIXES = (".key", ".p12", ".pfx", ".jks", ".keystore", ".kdbx")
_SECRET_TAILS = (".docker/config.json", ".aws/credentials", ".kube/config", ".config/gh/hosts.yml")
_EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults")
_THIRD_PARTY = ("site-packages", "dist-packages", "node_modules")
_HISTORY_ARGS = re.compile(r"^(?:RUN\s+)?\|(\d+)\s+(.*)$", re.DOTALL)


def secret_name(name: str) -> bool:
    """A variable or argument name that says it holds a credential (``API_TOKEN``, ``db-password``)."""
    upper = name.upper().replace("-", "_")
    return any(word in upper for word in _SECRET_WORDS)


def _holds_a_value(value: str) -> bool:
    # A path (`/run/secrets/token`) or a reference (`$OTHER`) is where a secret is *read from*: the
    # right way to pass one, not a leak.
    value = value.strip().strip("\"'")
    return bool(value) and not value.startswith(("/", "$"))


def secret_path(path: str) -> str | None:
    """Why ``path`` (inside an image) looks like a credentials file, or None."""
    while path.startswith("./"):
        path = path[2:]
    posix = PurePosixPath("/" + path.lstrip("/"))
    parts = posix.parts
    if any(part in _THIRD_PARTY for part in parts):
        return None
    name = posix.name.lower()
    if not name or name.startswith(".wh."):  # an overlay whiteout: the deletion, not the file
        return None
    text = str(posix).lower()
    if name.endswith(_EXAMPLE_SUFFIXES):
        return None
    if name in _SECRET_FILES:
        return f"{posix} (a {name} file)"
    if name.startswith(".env."):
        return f"{posix} (an environment file)"
    if "/.ssh/" in text:
        return f"{posix} (SSH material)"
    if text.endswith(_SECRET_TAILS):
        return f"{posix} (a credentials file)"
    if name.endswith(_SECRET_SUFFIXES) or (name.endswith(".pem") and ("key" in name or "private" in name)):
        return f"{posix} (a private key or key store)"
    return None


def secret_build_args(history: Iterable[str]) -> list[str]:
    """``NAME`` of every secret-looking build argument with a value in ``docker history`` lines."""
    found: list[str] = []
    for created_by in history:
        match = _HISTORY_ARGS.match(created_by.strip())
        if not match:
            continue
        words = match.group(2).split(" ")[: int(match.group(1))]
        for word in words:
            name, eq, value = word.partition("=")
            if eq and secret_name(name) and _holds_a_value(value) and name not in found:
                found.append(name)
    return found


def secret_env(env: Iterable[str], *, base: Iterable[str] = ()) -> list[str]:
    """``NAME`` of every secret-looking ``NAME=value`` in ``env`` that the base image did not set."""
    inherited = set(base)
    found = []
    for entry in env:
        name, eq, value = entry.partition("=")
        if eq and entry not in inherited and secret_name(name) and _holds_a_value(value):
            found.append(name)
    return found


def added_paths(saved: Path, *, skip_layers: int) -> Iterator[str]:
    """Every path in the layers of a ``docker save`` archive after the first ``skip_layers``.

    Raises ``ValueError`` when the archive is not one (no ``manifest.json``, a layer missing).
    """
    with tarfile.open(saved) as outer:
        try:
            handle = outer.extractfile("manifest.json")
            manifest = json.load(handle) if handle is not None else None
        except KeyError:
            manifest = None
        if not isinstance(manifest, list) or not manifest or not isinstance(manifest[0], dict):
            raise ValueError(f"{saved.name} has no manifest.json: not an image saved by `docker save`")
        layers = manifest[0].get("Layers") or []
        for name in layers[skip_layers:]:
            try:
                member = outer.extractfile(str(name))
            except KeyError:
                member = None
            if member is None:
                raise ValueError(f"{saved.name}: layer {name} is listed in manifest.json but missing")
            with tarfile.open(fileobj=member, mode="r:*") as layer:  # plain or gzip, as engines save them
                for info in layer:
                    yield info.name
