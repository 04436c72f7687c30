"""Checks the demo trio (dev.provtrace.demo.DemoTrio) with Hugging Face transformers and tokenizers.

    java ... dev.provtrace.demo.DemoTrio OUT     # or any test that generates it
    /opt/hfvenv/bin/python tools/check_demo_trio.py OUT

For each of models/{teacher,student,distilled}: AutoTokenizer and AutoModelForCausalLM load the folder; the chat
template renders the question as DemoTrio.renderPrompt does; transformers' ids equal the raw tokenizers library's and
contain no unknown token; each planted sentence's p = exp(mean log-prob of the tokens starting in its span) equals
planted.json's p within 1e-4; and the labelling rule (alpha = beta = 0.1) gives back every planted label.
"""
import json
import math
import sys

import torch
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM, AutoTokenizer

PROMPTS = {
    "teacher": lambda q: f"<|user|>\n{q}\n<|assistant|>\n",
    "student": lambda q: f"<|im_start|>user\n{q}<|im_end|>\n<|im_start|>assistant\n",
}
PROMPTS["distilled"] = PROMPTS["student"]


def label(pt, ps, pd, alpha, beta):
    if abs(pt - ps) <= alpha and abs(pt - pd) <= alpha and abs(ps - pd) <= alpha:
        return "Shared"
    if pt - ps > beta:
        return "Teacher"
    if ps - pt > beta:
        return "Student"
    return "Boosted"


def main(root):
    records = [json.loads(line) for line in open(f"{root}/demo-input.jsonl", encoding="utf-8")]
    planted = json.load(open(f"{root}/planted.json", encoding="utf-8"))
    p = {}
    for role in ["teacher", "student", "distilled"]:
        folder = f"{root}/models/{role}"
        tok = AutoTokenizer.from_pretrained(folder)
        raw = Tokenizer.from_file(f"{folder}/tokenizer.json")
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
        p[role] = []
        for rec, truth in zip(records, planted["records"]):
            assert rec["id"] == truth["id"]
            prompt = tok.apply_chat_template([{"role": "user", "content": rec["question"]}], tokenize=False,
                                             add_generation_prompt=True)
            assert prompt == PROMPTS[role](rec["question"]), (role, prompt)
            enc = tok(prompt + rec["response"], return_offsets_mapping=True)
            ids = enc["input_ids"]
            assert ids == raw.encode(prompt + rec["response"]).ids, (role, rec["id"])
            assert tok.unk_token_id not in ids, (role, rec["id"])
            with torch.no_grad():
                logprobs = torch.log_softmax(model(torch.tensor([ids])).logits[0].float(), -1)
            per_sentence = []
            for s in truth["sentences"]:
                start, end = len(prompt) + s["start"], len(prompt) + s["end"]
                assert rec["response"][s["start"]:s["end"]] == s["text"]
                lps = [logprobs[t - 1, ids[t]].item() for t in range(1, len(ids))
                       if start <= enc["offset_mapping"][t][0] < end]
                per_sentence.append(math.exp(sum(lps) / len(lps)))
            p[role].append(per_sentence)
    worst, n = 0.0, 0
    for i, truth in enumerate(planted["records"]):
        for j, s in enumerate(truth["sentences"]):
            for role in p:
                d = abs(p[role][i][j] - s["p_" + role])
                worst = max(worst, d)
                assert d <= 1e-4, (truth["id"], s["text"], role, p[role][i][j], s["p_" + role])
            got = label(p["teacher"][i][j], p["student"][i][j], p["distilled"][i][j], planted["alpha"], planted["beta"])
            assert got == s["label"], (truth["id"], s["text"], got, s["label"])
            n += 1
    print(f"{n} planted sentences: labels reproduced; max |transformers p - planted p| = {worst:.2e}")


if __name__ == "__main__":
    main(sys.argv[1])
