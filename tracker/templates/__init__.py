"""Jinja2 templates (issue body, metrics comment, release notes, README section, job summary)."""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = ["render"]


@cache
def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tracker", "templates"),
        autoescape=False,  # markdown, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    return env


def render(name: str, **context: Any) -> str:
    """Render ``templates/<name>`` with ``context``. Undefined names are errors, not blanks."""
    return str(_env().get_template(name).render(**context))
