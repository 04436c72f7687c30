#!/usr/bin/env python3
"""Builds the small tokenizers the Java tokenizer tests run against, and what Python says they produce.

Why: the Java engine must tokenize exactly as transformers does (same ids, same offsets in code points), but the
real Llama / Qwen / Mistral tokenizer.json files are large and not ours to commit. So this script trains two tiny
tokenizers with the same *pipeline shape* as the real ones and records, for a fixed list of texts, the ids and
offsets that both the `tokenizers` library and `transformers.PreTrainedTokenizerFast` give. The Java tests read
only the committed output; they never need Python or /work/shared.

Output, under java/src/test/resources/tokenizers/:
  byte-level-bpe/         Llama 3 / Qwen2 shape: Split(regex) + ByteLevel pre-tokenizer, ByteLevel decoder,
                          post-processor Sequence[ByteLevel, TemplateProcessing(<|begin_of_text|> $A)], added
                          special tokens <|im_start|>, <|im_end|>, ... and non-special added tokens <think>, </think>.
  sentencepiece-bpe/      Llama 2 / Mistral shape: BPE with byte fallback and <unk>, normalizer
                          Prepend("▁") + Replace(" ", "▁"), no pre-tokenizer, TemplateProcessing(<s> $A).
  sentencepiece-bpe-with-config/
                          the same tokenizer.json plus a tokenizer_config.json with add_eos_token: true and
                          clean_up_tokenization_spaces: true. transformers 5 ignores both here (add_bos/eos_token
                          are dropped when a tokenizer.json exists; the clean-up is skipped for BPE models), and
                          this folder proves the Java side does the same. Reference: AutoTokenizer.from_pretrained.
Each folder gets tokenizer.json and expected.json (see write_expected for its format).

Usage: /opt/hfvenv/bin/python tools/make_tokenizer_fixtures.py [--training-text PATH]
Deterministic: running it twice gives byte-identical files (checked by the script itself).

Training text: the `response` fields of /work/shared/fixtures/trajectories/trajectories.jsonl (MIT / Apache-2.0
sources, see that folder's README). Only the learned vocabulary and merges end up in the committed files; every
test string below was written for this script.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile

import tokenizers
import transformers
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import AutoTokenizer, PreTrainedTokenizerFast

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_ROOT = os.path.join(REPO_ROOT, "java", "src", "test", "resources", "tokenizers")
DEFAULT_TRAINING_TEXT = "/work/shared/fixtures/trajectories/trajectories.jsonl"

# The pre-tokenizer regex of Llama 3 (and, up to \p{N}{1,3}, of Qwen2).
LLAMA3_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
    r"|\s+(?!\S)|\s+"
)


def long_text():
    """A text far over 2000 tokens (DJL would truncate to 512 unless told not to), mixing scripts and astral chars."""
    lines = []
    for i in range(1, 43):
        lines.append(
            f"Step {i}: we compute 𝑥_{{{i}}} = {i * i} and check that {i} ≤ {i + 1}; naïve café 🙂, 数 {i % 7}.\n"
        )
        if i % 15 == 0:
            lines.append("\n<think>\nWait, let me double-check the sum.\n</think>\n\n")
    return "".join(lines)


TEST_CASES = [
    ("ascii", "Hello world! This is a simple sentence."),
    ("multiple_spaces", "Hello   world  with    several     spaces"),
    ("newlines", "First line.\n\nSecond paragraph\nthird line\n\n\n"),
    ("leading_trailing_spaces", "  leading and trailing  "),
    ("tabs_crlf", "tab\tseparated\r\nwindows line"),
    ("accents", "Café naïve résumé, Ångström über façade"),
    ("cjk", "数学是科学的语言。我们来计算一下。"),
    ("emoji", "I am happy 🙂 today 🙂🙂!"),
    ("zwj_emoji_and_flag", "family 👨‍👩‍👧 and flag 🇫🇷 end"),
    ("math_astral", "Let 𝑥² + 𝑦² = 1, then 𝑥 ≤ 1 and ∑ᵢ 𝑥ᵢ ≥ 0."),
    ("chat_markup", "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n"),
    ("think_block", "<think>\nOkay, let me think.\n</think>\n\nThe answer is \\boxed{4}."),
    ("literal_bos_eos", "<s>a literal bos</s> and <|begin_of_text|> inside the text"),
    ("empty", ""),
    ("latex", r"$$\frac{a}{b} = \sqrt{x^2 + 1} \quad \text{for } x \in \mathbb{R}$$"),
    ("code", "def f(x):\n    return x ** 2  # square\n"),
    ("spaces_before_punctuation", "Wait , really ? Yes . It 's fine , isn't it !"),
    ("long", long_text()),
]


def training_texts(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["response"] for line in f if line.strip()]


def build_byte_level_bpe(texts):
    tok = Tokenizer(models.BPE(unk_token=None, fuse_unk=False, byte_fallback=False))
    tok.normalizer = None
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel(add_prefix_space=True, trim_offsets=True, use_regex=True)
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|im_start|>", "<|im_end|>"]
    trainer = trainers.BpeTrainer(
        vocab_size=1000,
        min_frequency=2,
        show_progress=False,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(texts, trainer=trainer)
    # Like DeepSeek-R1-Distill / Qwen3: the think tags are added tokens that are NOT special (decode keeps them).
    tok.add_tokens([AddedToken("<think>", special=False, normalized=False),
                    AddedToken("</think>", special=False, normalized=False)])
    bos = "<|begin_of_text|>"
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(add_prefix_space=True, trim_offsets=False, use_regex=True),
        processors.TemplateProcessing(single=f"{bos} $A", pair=f"{bos} $A {bos} $B",
                                      special_tokens=[(bos, tok.token_to_id(bos))]),
    ])
    return tok


def build_sentencepiece_bpe(texts):
    # Train merges on "▁word" pieces (sentencepiece also never merges across spaces), with a small alphabet so that
    # rarer characters (CJK, emoji, astral math) have to go through byte fallback like in Llama 2.
    trainer_tok = Tokenizer(models.BPE())
    trainer_tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    trainer_tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="never", split=True)
    trainer = trainers.BpeTrainer(vocab_size=740, min_frequency=2, show_progress=False, limit_alphabet=120)
    trainer_tok.train_from_iterator(texts, trainer=trainer)
    trained = json.loads(trainer_tok.to_str())["model"]

    # Llama 2 layout: <unk>, <s>, </s>, then the 256 byte tokens, then the learned pieces.
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = len(vocab)
    for piece, _ in sorted(trained["vocab"].items(), key=lambda kv: kv[1]):
        if piece not in vocab:
            vocab[piece] = len(vocab)
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in trained["merges"]]

    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", fuse_unk=True, byte_fallback=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tok.pre_tokenizer = None
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(content=" ", left=1, right=0)])
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in ("<unk>", "<s>", "</s>")])
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B",
                                                       special_tokens=[("<s>", 1)])
    return tok


def encode_both_ways(tok_path, hf_tokenizer, text, add_special):
    """Ids and offsets from the tokenizers library and from transformers; they must agree, we store one copy."""
    tk = Tokenizer.from_file(tok_path)
    enc = tk.encode(text, add_special_tokens=add_special)
    tk_ids, tk_offsets = list(enc.ids), [list(o) for o in enc.offsets]
    hf = hf_tokenizer(text, add_special_tokens=add_special, return_offsets_mapping=True)
    hf_ids, hf_offsets = list(hf["input_ids"]), [list(o) for o in hf["offset_mapping"]]
    if hf_ids != tk_ids or hf_offsets != tk_offsets:
        raise SystemExit(f"tokenizers and transformers disagree on {text[:40]!r} (add_special={add_special})")
    return hf_ids, hf_offsets


def write_expected(folder, hf_tokenizer, cases, note):
    """Writes expected.json:
    {"vocab_size": len(tokenizer), "token_strings": {"<id>": convert_ids_to_tokens(id), ...},
     "cases": [{"name", "text",
                "with_special_tokens" / "without_special_tokens": {"ids": [...], "offsets": [[start, end], ...],
                    "decoded": decode(ids), "decoded_skip_special": decode(ids, skip_special_tokens=True)}}]}
    Offsets are [start, end) in code points; tokens added by the post-processor have [0, 0].
    """
    tok_path = os.path.join(folder, "tokenizer.json")
    backend = Tokenizer.from_file(tok_path)
    results = []
    for name, text in cases:
        entry = {"name": name, "text": text}
        for add_special, key in ((True, "with_special_tokens"), (False, "without_special_tokens")):
            ids, offsets = encode_both_ways(tok_path, hf_tokenizer, text, add_special)
            entry[key] = {
                "ids": ids,
                "offsets": offsets,
                "decoded": hf_tokenizer.decode(ids, skip_special_tokens=False),
                "decoded_skip_special": hf_tokenizer.decode(ids, skip_special_tokens=True),
            }
        results.append(entry)
    size = len(hf_tokenizer)
    if size != backend.get_vocab_size(with_added_tokens=True):
        raise SystemExit("len(tokenizer) differs from get_vocab_size(with_added_tokens=True)")
    sample_ids = sorted({0, 1, 2, 3, 100, 258, 259, 500, size - 1, size - 2, size - 3} | set(range(size - 8, size)))
    expected = {
        "note": note,
        "generated_by": "tools/make_tokenizer_fixtures.py",
        "python_versions": {"tokenizers": tokenizers.__version__, "transformers": transformers.__version__},
        "vocab_size": size,
        "token_strings": {str(i): hf_tokenizer.convert_ids_to_tokens(i) for i in sample_ids if 0 <= i < size},
        "cases": results,
    }
    with open(os.path.join(folder, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=None, separators=(",", ":"))
        f.write("\n")


def save_tokenizer(tok, folder):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "tokenizer.json")
    tok.save(path, pretty=False)
    if os.path.getsize(path) > 200_000:
        raise SystemExit(f"{path} is over 200 KB")
    return path


def generate(out_root, texts):
    note_tk = ("ids/offsets equal for tokenizers.Tokenizer.from_file(...).encode and "
               "transformers.PreTrainedTokenizerFast(tokenizer_file=...)(text, return_offsets_mapping=True); "
               "offsets are [start, end) in code points")

    folder = os.path.join(out_root, "byte-level-bpe")
    path = save_tokenizer(build_byte_level_bpe(texts), folder)
    write_expected(folder, PreTrainedTokenizerFast(tokenizer_file=path), TEST_CASES, note_tk)

    folder = os.path.join(out_root, "sentencepiece-bpe")
    path = save_tokenizer(build_sentencepiece_bpe(texts), folder)
    write_expected(folder, PreTrainedTokenizerFast(tokenizer_file=path), TEST_CASES, note_tk)

    # The same tokenizer.json with a tokenizer_config.json that transformers 4 would have honoured (EOS appended,
    # spaces cleaned up in decode) but transformers 5 ignores. Reference: AutoTokenizer.from_pretrained(folder).
    folder_eos = os.path.join(out_root, "sentencepiece-bpe-with-config")
    os.makedirs(folder_eos, exist_ok=True)
    shutil.copyfile(path, os.path.join(folder_eos, "tokenizer.json"))
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "add_bos_token": True, "add_eos_token": True,
              "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "clean_up_tokenization_spaces": True}
    with open(os.path.join(folder_eos, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    auto = AutoTokenizer.from_pretrained(folder_eos)
    write_expected_config_variant(folder_eos, auto, [c for c in TEST_CASES if c[0] != "long"])


def write_expected_config_variant(folder, hf_tokenizer, cases):
    """Like write_expected, but the reference is transformers alone (the tokenizers library ignores the config)."""
    results = []
    for name, text in cases:
        entry = {"name": name, "text": text}
        for add_special, key in ((True, "with_special_tokens"), (False, "without_special_tokens")):
            hf = hf_tokenizer(text, add_special_tokens=add_special, return_offsets_mapping=True)
            ids = list(hf["input_ids"])
            entry[key] = {
                "ids": ids,
                "offsets": [list(o) for o in hf["offset_mapping"]],
                "decoded": hf_tokenizer.decode(ids, skip_special_tokens=False),
                "decoded_skip_special": hf_tokenizer.decode(ids, skip_special_tokens=True),
            }
        results.append(entry)
    expected = {
        "note": "reference is transformers.AutoTokenizer.from_pretrained(folder), which applies tokenizer_config.json",
        "generated_by": "tools/make_tokenizer_fixtures.py",
        "python_versions": {"tokenizers": tokenizers.__version__, "transformers": transformers.__version__},
        "vocab_size": len(hf_tokenizer),
        "token_strings": {},
        "cases": results,
    }
    with open(os.path.join(folder, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=None, separators=(",", ":"))
        f.write("\n")


def digest(root):
    h = hashlib.sha256()
    for dirpath, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            p = os.path.join(dirpath, name)
            h.update(os.path.relpath(p, root).encode())
            with open(p, "rb") as f:
                h.update(f.read())
    return h.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--training-text", default=DEFAULT_TRAINING_TEXT)
    args = parser.parse_args()
    texts = training_texts(args.training_text)

    # Generate twice in scratch folders: the files must not depend on hash seeds or thread scheduling.
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        generate(a, texts)
        generate(b, texts)
        if digest(a) != digest(b):
            raise SystemExit("two runs gave different files: the fixtures are not deterministic")
        shutil.rmtree(OUT_ROOT, ignore_errors=True)
        shutil.copytree(a, OUT_ROOT)
    for dirpath, _, files in sorted(os.walk(OUT_ROOT)):
        for name in sorted(files):
            p = os.path.join(dirpath, name)
            print(f"{os.path.getsize(p):>8}  {os.path.relpath(p, REPO_ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
