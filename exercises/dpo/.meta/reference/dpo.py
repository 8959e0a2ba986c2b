"""Reference: TRL's DPOTrainer on the full model, DPO's sigmoid loss plus an SFT term on the chosen
answers (RPO: without it DPO lowers the chosen answers' likelihood too, and greedy answers degrade)."""

from __future__ import annotations

import tempfile

import torch
from datasets import Dataset
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import DPOConfig, DPOTrainer

STEPS, BATCH, LR, BETA = 150, 8, 1e-3, 0.1
LOSS, WEIGHTS = ["sigmoid", "sft"], [1.0, 1.0]


def train(base_model: str, pairs: list[dict[str, str]], output_dir: str) -> None:
    torch.manual_seed(0)
    torch.set_num_threads(1)  # a 2M-parameter model: a second thread only waits on the first
    tokenizer = AutoTokenizer.from_pretrained(base_model)
    tokenizer.pad_token = tokenizer.eos_token  # the tiny Llama has none; padding is masked out
    model = AutoModelForCausalLM.from_pretrained(base_model)
    with tempfile.TemporaryDirectory() as scratch:  # checkpoints and logs go nowhere we keep
        config = DPOConfig(output_dir=scratch, per_device_train_batch_size=BATCH, max_steps=STEPS,
                           learning_rate=LR, beta=BETA, loss_type=LOSS, loss_weights=WEIGHTS, max_length=128,
                           logging_steps=50, report_to=[], save_strategy="no", use_cpu=True, seed=0)
        trainer = DPOTrainer(model=model, args=config, train_dataset=Dataset.from_list(pairs),
                             processing_class=tokenizer)  # ref_model=None: a frozen copy of the start
        trainer.train()
    trainer.save_model(output_dir)  # config.json + model.safetensors (+ tokenizer files)
