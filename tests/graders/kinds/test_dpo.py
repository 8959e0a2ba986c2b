"""Kind ``dpo`` on the dpo exercise: golden verdicts, the preference pairs' splits, the policy checks
before measuring, the measurer on an untrained policy, and the gpu profile pending on a CPU."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graders.contract import GradeResult
from graders.kinds.dpo import policy_problem
from graders.kinds.dpo_pairs import facts, first_sentence, pairs, split_of
from graders.paths import exercise_dir
from tests.graders.kinds.golden import assert_golden
from tests.helpers import REPO
from tracker.devcheck import load_meta, materialise
from tracker.grading import GradeTarget, grade
from tracker.roadmap import load_roadmap
from tracker.roadmap.models import Exercise


def _exercise() -> Exercise:
    found = load_roadmap(REPO / "roadmap.yaml").exercise("dpo")
    assert found is not None
    return found


@pytest.mark.slow
def test_dpo_verdicts_match_golden() -> None:
    verdicts = assert_golden("dpo")
    assert verdicts["reference"]["status"] == "pass"
    assert verdicts["starter"]["status"] == "fail"
    assert verdicts["cheat-sft-only"]["checks"]["rejected_reward"] == "fail"
    assert verdicts["cheat-collapsed"]["checks"]["kl_from_reference"] == "fail"
    assert verdicts["cheat-swapped"]["checks"]["preference_accuracy"] == "fail"


def test_no_hidden_pair_is_a_training_pair_whatever_the_seeds() -> None:
    train = {p for seed in range(5) for p in pairs("train", seed, 1000)}
    hidden = {p for seed in range(5, 10) for p in pairs("hidden", seed, 1000)}
    assert train and hidden and not train & hidden
    assert {p.prompt for p in train} == {p.prompt for p in hidden}  # the same questions, other wrong values


def test_pairs_are_a_pure_function_of_split_seed_and_size() -> None:
    assert pairs("hidden", 3, 50) == pairs("hidden", 3, 50)
    assert pairs("hidden", 3, 50) != pairs("hidden", 4, 50)
    assert split_of("What is the capital of Veloria?", "Ormund") == split_of("What is the capital of Veloria?",
                                                                             "Ormund")


def test_chosen_and_rejected_differ_in_the_fact_alone() -> None:
    by_question = {f"Q: {f.question}\nA:": f for f in facts()}
    for pair in pairs("train", 1):
        fact = by_question[pair.prompt]
        head = fact.template.split("{}")[0]
        assert pair.chosen == " " + fact.template.format(fact.value)
        assert pair.rejected.startswith(" " + head) and pair.rejected != pair.chosen
        assert pair.rejected[len(head) + 1:].removesuffix(".") in fact.wrong


def test_first_sentence_is_the_answer_a_greedy_generation_gives() -> None:
    assert first_sentence(" The capital of Veloria is Tarsk. The capital of") == "The capital of Veloria is Tarsk."
    assert first_sentence(" Tarsk\nQ: What") == "Tarsk"


def test_a_pickled_sharded_or_missing_policy_is_refused_with_what_to_do(tmp_path: Path) -> None:
    assert "does not exist" in (policy_problem(tmp_path / "nope") or "")
    (tmp_path / "pytorch_model.bin").write_bytes(b"pickle")
    assert "safetensors only" in (policy_problem(tmp_path) or "")
    (tmp_path / "pytorch_model.bin").unlink()
    (tmp_path / "model-00001-of-00002.safetensors").write_bytes(b"")
    assert "sharded" in (policy_problem(tmp_path) or "")
    (tmp_path / "model-00001-of-00002.safetensors").unlink()
    (tmp_path / "training_args.bin").write_bytes(b"pickle")  # what Trainer.save_model writes beside the model
    assert "neither a LoRA adapter" in (policy_problem(tmp_path) or "")
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"")
    assert policy_problem(tmp_path) is None


def test_the_measurer_scores_an_untrained_policy_as_the_reference(tmp_path: Path) -> None:
    """The base saved as the policy: every log-ratio is 0 — no pair is ranked, no margin, no KL, no gain."""
    pytest.importorskip("transformers")
    from graders.kinds.dpo_measure import MeasureJob, measure
    from graders.kinds.quantization import tiny_model_path

    base = tiny_model_path(1800.0)
    policy = tmp_path / "policy"
    policy.mkdir()
    for name in ("config.json", "model.safetensors"):
        (policy / name).write_bytes((Path(base) / name).read_bytes())
    got: dict[str, Any] = {}

    class _Channel:
        def result(self, **fields: Any) -> None:
            got.update(fields)

    job = MeasureJob(model_path=base, policy_dir=str(policy), seed=5, eval_pairs=20, neutral_docs=8, beta=0.1,
                     device="cpu")
    measure(dict(job), _Channel())  # type: ignore[arg-type]
    assert got["form"] == "full"
    assert got["preference_accuracy"] == 0.0 and got["reward_margin"] == 0.0 and got["rejected_reward"] == 0.0
    assert got["kl_from_reference"] == pytest.approx(0.0, abs=1e-6)
    assert got["property_rate"] == got["reference_property_rate"]
    json.dumps(got)  # what the channel sends


def _grade(variant: str, *, cuda: bool, gpu_model: Path | None = None) -> GradeResult:
    ex = _exercise()
    library = exercise_dir("dpo")
    with materialise(library, library / ".meta" / variant, load_meta(library)) as folder:
        return grade(GradeTarget(ex, Path(folder), library), profile="gpu", cuda=cuda, gpu_model=gpu_model, seed=7)


def test_gpu_profile_without_cuda_is_pending_not_failed(tmp_path: Path) -> None:
    result = _grade("reference", cuda=False, gpu_model=tmp_path)
    assert result.status == "pending"
    assert all(c.status == "pending" and "CUDA" in c.message for c in result.checks)


def test_gpu_profile_without_a_model_folder_is_pending_and_says_where_to_set_one() -> None:
    result = _grade("reference", cuda=True)
    assert result.status == "pending"
    assert "[grading.gpu_models]" in result.checks[0].message and "SPRINT_GPU_MODEL_DPO" in result.checks[0].message
