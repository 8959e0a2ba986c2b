"""The llm-sprint version: the one place it is written (the build reads it from here, see pyproject.toml).

Changed only by a release commit, together with CHANGELOG.md; ``v<version>`` is then the tag the
release workflow publishes. Between releases ``main`` keeps the last released number, so a
workspace that a source checkout creates still pins a version that exists on PyPI.
"""

__version__ = "0.1.0"
