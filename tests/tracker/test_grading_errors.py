"""graders raises its own errors (graders.errors); where the tracker calls in, they become the tracker's."""

from __future__ import annotations

import pytest

from graders.errors import GradersError, KindLoadError, SandboxError, ThresholdSyntaxError
from tracker.errors import GradingError, SprintError, UsageError
from tracker.grading import graders_errors, kind_of
from tracker.roadmap.models import Exercise


@pytest.mark.parametrize(("raised", "becomes", "exit_code"), [
    (KindLoadError("grader kind 'x' (pkg.mod:X) failed to load: boom"), UsageError, 2),
    (ThresholdSyntaxError("unknown unit 'parsecs'", "use one of: %, B, …"), UsageError, 2),
    (SandboxError("the sandbox supervisor failed (exit 1): …"), GradingError, 1),
    (GradersError("anything else graders raises on purpose"), GradingError, 1),
])
def test_each_graders_error_becomes_one_of_ours(raised: GradersError, becomes: type[SprintError],
                                                exit_code: int) -> None:
    with pytest.raises(becomes) as caught, graders_errors():
        raise raised
    assert caught.value.exit_code == exit_code
    assert str(raised) in str(caught.value)


def test_a_bug_of_ours_is_not_disguised_as_a_graders_error() -> None:
    with pytest.raises(ZeroDivisionError), graders_errors():
        1 / 0  # noqa: B018


def test_a_kind_that_is_not_installed_is_bad_input() -> None:
    with pytest.raises(UsageError, match="needs grader kind 'no-such-kind', which is not installed"):
        kind_of(Exercise(slug="demo", title="Demo", kind="no-such-kind"))


def test_the_graders_tree_stands_alone() -> None:
    """graders' errors are not the tracker's (graders knows nothing of the tracker) but are ValueError-
    compatible where pydantic needs it (a threshold in a roadmap model)."""
    assert not issubclass(GradersError, SprintError)
    assert issubclass(ThresholdSyntaxError, ValueError)
