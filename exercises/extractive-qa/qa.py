"""Fine-tune the tiny BERT for extractive question answering (SQuAD-style span extraction).

See README.md. The grader calls `train(...)` once, in a process of its own, then loads what you
saved in `output_dir` with `AutoModelForQuestionAnswering` / `AutoTokenizer` in a separate process
and measures SQuAD F1 and exact match on hidden questions about people, firms and towns your model
has never seen.
"""

from __future__ import annotations


def train(base_model: str, train_file: str, dev_file: str, output_dir: str) -> None:
    """Fine-tune the encoder in `base_model` for span extraction and save it to `output_dir`.

    base_model: a Hugging Face folder (BERT-style encoder + fast WordPiece tokenizer);
        `AutoModelForQuestionAnswering.from_pretrained(base_model)` adds a fresh start/end head.
    train_file, dev_file: SQuAD v1.1 JSON files ({"data": [{"paragraphs": [{"context", "qas":
        [{"id", "question", "answers": [{"text", "answer_start"}]}]}]}]}).
    output_dir: save the fine-tuned model *and* its tokenizer here (`save_pretrained`, safetensors).
    """
    raise NotImplementedError("fine-tune the encoder for span extraction and save it to output_dir")
