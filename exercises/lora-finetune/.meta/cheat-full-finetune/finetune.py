"""Cheat: a full fine-tune in disguise — embeddings and lm_head trained and saved with the adapter."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

STEPS, BATCH, SEQ, LR = 60, 16, 128, 5e-3


def pack(tokenizer, texts: list[str]) -> torch.Tensor:  # type: ignore[no-untyped-def]
    """Every document as <s> text </s>, concatenated into one stream of token ids: [N]."""
    ids: list[int] = []
    for text in texts:
        ids += [*tokenizer(text).input_ids, tokenizer.eos_token_id]
    return torch.tensor(ids)


def finetune(base_model: str, train_texts: list[str], output_dir: str) -> None:
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(base_model)
    model = AutoModelForCausalLM.from_pretrained(base_model)
    config = LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, bias="none", task_type="CAUSAL_LM",
                        target_modules=["q_proj", "v_proj"],
                        modules_to_save=["embed_tokens", "lm_head"])
    model = get_peft_model(model, config)  # base frozen; only the A [r, in] and B [out, r] matrices train
    model.print_trainable_parameters()

    stream = pack(tokenizer, train_texts)  # [N]
    offsets = torch.arange(SEQ + 1)  # [T+1]
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=LR, weight_decay=0.0)
    model.train()
    for step in range(STEPS):
        starts = torch.randint(0, stream.numel() - SEQ - 1, (BATCH,))  # [B]
        window = stream[starts[:, None] + offsets]  # [B, T+1]
        logits = model(input_ids=window[:, :-1]).logits  # [B, T, V]
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), window[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 20 == 0:
            print(f"step {step}: loss {loss.item():.3f}")
    model.save_pretrained(output_dir)  # adapter_config.json + adapter_model.safetensors
