#!/usr/bin/env python3
"""Fixture for the end-to-end `provtrace logprobs` test: a 512-token byte-level BPE tokenizer that fits the
hf-reference llama checkpoint (vocab 512), and the log-probs transformers computes for a few texts tokenized
with it. The test puts this tokenizer.json next to hf-reference/llama's weights and compares.

Run with the tools venv (see tools/README.md):
    /opt/hfvenv/bin/python tools/make_cli_fixture.py
Writes java/src/test/resources/cli-logprobs/{tokenizer.json, expected.json}. Deterministic.
"""
import json
import os

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RES = os.path.join(ROOT, "java", "src", "test", "resources")
MODEL = os.path.join(RES, "hf-reference", "llama")
OUT = os.path.join(RES, "cli-logprobs")

TRAIN = [
    "The derivative of x squared is two x. So the slope at x = 3 is 6.",
    "Wait, let me check that again. If n is even, then n squared is even too.",
    "Therefore the answer is 42. Let me verify: 6 times 7 is 42.",
    "We need to find the number of integers between 1 and 100 divisible by 3 or 5.",
    "Hmm, maybe I should try a different approach: use the inclusion-exclusion principle.",
] * 20

TEXTS = [
    ("plain", "The answer is 42."),
    ("reasoning", "Wait, let me check that again.\n\nSo the slope at x = 3 is 6, and 6 times 7 is 42."),
    ("unicode", "Let 𝑥 be réel: 𝑥² ≥ 0 🙂 always."),
    ("special-inside", "<|begin_of_text|>Hello again"),
]


def build_tokenizer():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=510, special_tokens=["<|begin_of_text|>", "<|end_of_text|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(TRAIN, trainer)
    bos = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.TemplateProcessing(single="<|begin_of_text|> $A",
                                                       special_tokens=[("<|begin_of_text|>", bos)])
    assert tok.get_vocab_size() <= 512, tok.get_vocab_size()
    return tok


def main():
    os.makedirs(OUT, exist_ok=True)
    tok = build_tokenizer()
    path = os.path.join(OUT, "tokenizer.json")
    tok.save(path)
    hf_tok = PreTrainedTokenizerFast(tokenizer_file=path)
    model = AutoModelForCausalLM.from_pretrained(MODEL, dtype=torch.float32, attn_implementation="sdpa").eval()
    cases = []
    for name, text in TEXTS:
        enc = hf_tok(text, return_offsets_mapping=True)
        ids = enc["input_ids"]
        with torch.no_grad():
            logits = model(torch.tensor([ids])).logits[0].float()
        lp = torch.log_softmax(logits, dim=-1)
        token_lp = [None] + [lp[t - 1, ids[t]].item() for t in range(1, len(ids))]
        cases.append({"id": name, "text": text, "input_ids": ids,
                      "offsets": [list(o) for o in enc["offset_mapping"]], "token_logprobs": token_lp})
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"model": "hf-reference/llama", "tokenizer": "tokenizer.json (this folder)",
                   "note": "transformers PreTrainedTokenizerFast(tokenizer_file=...) with add_special_tokens=True; "
                           "offsets are code points; log-probs from LlamaForCausalLM in float32 (sdpa)",
                   "cases": cases}, f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
