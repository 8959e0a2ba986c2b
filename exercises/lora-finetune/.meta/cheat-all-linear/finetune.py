"""Cheat: "LoRA" on every linear layer at rank 64 — most of a full fine-tune, labelled an adapter."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

STEPS, BATCH, SEQ, LR = 20, 16, 128, 2e-3


def finetune(base_model: str, train_texts: list[str], output_dir: str) -> None:
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(base_model)
    model = AutoModelForCausalLM.from_pretrained(base_model)
    config = LoraConfig(r=64, lora_alpha=64, lora_dropout=0.0, task_type="CAUSAL_LM", target_modules="all-linear")
    model = get_peft_model(model, config)  # A [64, in] and B [out, 64] on every projection and MLP layer
    model.print_trainable_parameters()

    ids: list[int] = []
    for text in train_texts:
        ids += [*tokenizer(text).input_ids, tokenizer.eos_token_id]
    stream = torch.tensor(ids)  # [N]
    offsets = torch.arange(SEQ + 1)  # [T+1]
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=LR, weight_decay=0.0)
    model.train()
    for _ in range(STEPS):
        starts = torch.randint(0, stream.numel() - SEQ - 1, (BATCH,))  # [B]
        window = stream[starts[:, None] + offsets]  # [B, T+1]
        logits = model(input_ids=window[:, :-1]).logits  # [B, T, V]
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), window[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    model.save_pretrained(output_dir)
