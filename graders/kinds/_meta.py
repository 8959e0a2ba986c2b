"""Load trusted helper modules from an exercise's ``.meta/`` folder (hidden cases, references)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["load_meta_module"]


def load_meta_module(path: Path) -> ModuleType:
    """Import ``path`` under a private name. It is library code, never the learner's."""
    name = f"_llm_sprint_meta_{path.parent.parent.name.replace('-', '_')}_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
