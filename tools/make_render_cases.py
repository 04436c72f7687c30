#!/usr/bin/env python3
"""Reference outputs for `provtrace render` with the object form of --messages, from transformers itself.

Each case is a request {"messages": [...], "tools": [...]?, "add_generation_prompt": bool, <template keyword
arguments>} rendered by transformers' tokenizer.apply_chat_template(messages, tools=..., add_generation_prompt=...,
tokenize=False, **kwargs) with the chat template and special tokens of one fixture family
(java/src/test/resources/chat-templates/<family>/tokenizer_config.json), on a tokenizer built from the byte-level BPE
fixture's tokenizer.json (the template only sees the special-token strings). Families whose templates read the
clock (strftime_now) are left out: `render` renders with the real date. Output:
java/src/test/resources/render-cases/cases.json, which RenderRequestTest feeds to the CLI. The Java tests never run
Python.

Usage: /tmp/hfvenv/bin/python tools/make_render_cases.py   (transformers 5.18.0, jinja2 3.1.6; see tools/README.md)
"""
import json
import os

import jinja2
import transformers
from transformers import PreTrainedTokenizerFast

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RES = os.path.join(ROOT, "java", "src", "test", "resources")
TOKENIZER = os.path.join(RES, "tokenizers", "byte-level-bpe", "tokenizer.json")
SPECIAL = ["bos_token", "eos_token", "unk_token", "pad_token"]

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather in a city.",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "City name, e.g. Zürich"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}}}
SEARCH = {"type": "function", "function": {
    "name": "search", "description": "Search the web.",
    "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}
CALL = {"id": "call1", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Zürich"}}}

CASES = {
    "qwen3": {
        "thinking_off": {"messages": [{"role": "user", "content": "What is 17 * 23?"}], "add_generation_prompt": True,
                         "enable_thinking": False},
        "thinking_on": {"messages": [{"role": "system", "content": "Think step by step."},
                                     {"role": "user", "content": "What is 17 * 23?"}], "add_generation_prompt": True,
                        "enable_thinking": True},
        "tools_thinking_off": {"messages": [{"role": "user", "content": "Weather in Zürich?"}], "tools": [WEATHER, SEARCH],
                               "add_generation_prompt": True, "enable_thinking": False},
        "tool_round_trip": {"messages": [{"role": "user", "content": "Weather in Zürich?"},
                                         {"role": "assistant", "content": "", "tool_calls": [CALL]},
                                         {"role": "tool", "content": "{\"temp\": 21}"}],
                            "tools": [WEATHER], "add_generation_prompt": True},
        "multi_turn_reasoning": {"messages": [{"role": "user", "content": "2+2?"},
                                              {"role": "assistant", "content": "<think>\nEasy.\n</think>\n\n4"},
                                              {"role": "user", "content": "And 3+3?"}], "add_generation_prompt": True},
    },
    "llama-3.1-instruct": {
        "tools_in_user_message": {"messages": [{"role": "user", "content": "Weather in Zürich?"}], "tools": [WEATHER],
                                  "add_generation_prompt": True, "date_string": "26 Jul 2024"},
        "tools_in_system": {"messages": [{"role": "system", "content": "Be brief."},
                                         {"role": "user", "content": "Weather in Zürich?"}], "tools": [WEATHER],
                            "add_generation_prompt": True, "tools_in_user_message": False, "date_string": "1 Feb 2025"},
    },
    "qwq-32b": {
        "tools": {"messages": [{"role": "user", "content": "Find the weather."}], "tools": [WEATHER, SEARCH],
                  "add_generation_prompt": True},
    },
}


def tokenizer_for(family):
    d = os.path.join(RES, "chat-templates", family)
    cfg = json.load(open(os.path.join(d, "tokenizer_config.json"), encoding="utf-8"))
    template = cfg.get("chat_template")
    path = os.path.join(d, "chat_template.jinja")
    if os.path.exists(path):
        template = open(path, encoding="utf-8").read()
    special = {}
    for k in SPECIAL:
        v = cfg.get(k)
        if isinstance(v, dict):
            v = v.get("content")
        if v is not None:
            special[k] = v
    tok = PreTrainedTokenizerFast(tokenizer_file=TOKENIZER, **special)
    tok.chat_template = template
    return tok


def main():
    assert transformers.__version__ == "5.18.0", transformers.__version__
    out = []
    for family, cases in CASES.items():
        tok = tokenizer_for(family)
        for name, request in cases.items():
            kwargs = {k: v for k, v in request.items() if k not in ("messages", "tools", "add_generation_prompt")}
            expected = tok.apply_chat_template(request["messages"], tools=request.get("tools"),
                                               add_generation_prompt=request.get("add_generation_prompt", False),
                                               tokenize=False, **kwargs)
            out.append({"family": family, "name": name, "request": request, "expected": expected})
    data = {"generator": "tools/make_render_cases.py", "transformers": transformers.__version__,
            "jinja2": jinja2.__version__, "cases": out}
    os.makedirs(os.path.join(RES, "render-cases"), exist_ok=True)
    with open(os.path.join(RES, "render-cases", "cases.json"), "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    print(f"{len(out)} cases")


if __name__ == "__main__":
    main()
