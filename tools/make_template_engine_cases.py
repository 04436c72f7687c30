#!/usr/bin/env python3
"""Reference outputs for the Java Jinja engine (dev.provtrace.text.template), from the real thing.

Every snippet below is compiled with transformers' own `_compile_jinja_template` (jinja2's
ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks, loopcontrols, the generation tag, transformers'
tojson / raise_exception / strftime_now) and rendered with JSON-only variables; strftime_now is frozen at
2026-01-01 00:00:00 (a Thursday), as in the chat-template fixtures. The output (or the exception type, message and,
for syntax errors, line) goes to java/src/test/resources/template-engine/cases.json, which TemplateEngineCasesTest
compares with the Java renderer. The Java tests never run Python.

A second file, template-engine/families.json, renders the 15 fixture templates (java/src/test/resources/
chat-templates/*) on conversations the fixtures do not cover: tools (so tojson runs), tool calls and tool results,
enable_thinking, reasoning_effort, model_identity, builtin_tools, list-of-parts content, empty content.

Usage: /opt/hfvenv/bin/python tools/make_template_engine_cases.py
Environment: CPython 3.11.7, transformers 5.18.0, jinja2 3.1.6 (see tools/README.md).
"""
import datetime as _dt
import json
import os
import sys

import jinja2
import transformers
import transformers.utils.chat_template_utils as ctu

FROZEN = _dt.datetime(2026, 1, 1, 0, 0, 0)


class _FrozenDatetime(_dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return FROZEN


ctu.datetime = _FrozenDatetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "java", "src", "test", "resources", "template-engine")
FIXTURES = os.path.join(ROOT, "java", "src", "test", "resources", "chat-templates")

DEFAULT_VARS = {
    "s": "  Hello, Wörld!  ",
    "n": 7,
    "f": 2.5,
    "neg": -7,
    "empty": "",
    "nothing": None,
    "yes": True,
    "no": False,
    "xs": [3, 1, 2],
    "words": ["banana", "Apple", "cherry", "apple"],
    "d": {"b": 2, "a": 1, "items": "ITEMS", "nested": {"k": [10, 20, {"deep": "x"}]}},
    "users": [
        {"name": "ann", "age": 31, "role": "user", "tags": ["a"]},
        {"name": "Bob", "age": 25, "role": "assistant"},
        {"name": "cy", "age": 31, "role": "user", "tags": []},
    ],
    "astral": "a😀b𝄞c",
    "ws": "\u3000\u00a0 text \u2028\u0085\t",
    "think": "<think>\nreasoning here\n</think>\n\nfinal answer",
    "tree": [{"name": "a", "children": [{"name": "a1", "children": []}, {"name": "a2", "children": []}]},
             {"name": "b", "children": []}],
}

# (name, template[, extra vars])
CASES = [
    # ---- whitespace control ----
    ("ws_trim_blocks", "{% if true %}\nyes\n{% endif %}\nafter"),
    ("ws_lstrip_blocks", "<ul>\n    {% for x in xs %}\n    <li>{{ x }}</li>\n    {% endfor %}\n</ul>"),
    ("ws_lstrip_tabs_and_mixed", "a\n \t {% if true %}b{% endif %}\n\t{# c #}\nend"),
    ("ws_lstrip_not_for_variables", "a\n    {{ n }}\n    {% if true %}x{% endif %}"),
    ("ws_lstrip_only_at_line_start", "a  {% if true %}b{% endif %}  c"),
    ("ws_minus_both", "a   \n  {%- if true -%}   \n  b  \n  {%- endif -%}  \n  c"),
    ("ws_minus_variables", "a  \n {{- n -}} \n  b {{ n }} c"),
    ("ws_plus_disables_lstrip", "a\n    {%+ if true %}b{% endif %}"),
    ("ws_plus_end_disables_trim", "{% if true +%}\nb{% endif %}"),
    ("ws_comment_trim", "a\n  {# comment #}\nb\n{#- c -#}\n  d"),
    ("ws_raw", "{% raw %}{{ not evaluated }}{% if %}{% endraw %}!"),
    ("ws_raw_minus", "a  {%- raw -%}  x  {%- endraw -%}  b"),
    ("ws_trailing_newline_dropped", "line\n"),
    ("ws_only_one_trailing_newline_dropped", "line\n\n"),
    ("ws_crlf_source", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc\rd"),
    ("ws_unicode_space_minus", "a\u3000\u00a0{{- 'b' -}}\u2028 c"),
    ("ws_lstrip_unicode_indent", "a\n\u3000{% if true %}b{% endif %}"),
    ("ws_block_end_newline_only_one", "{% if true %}\n\nb{% endif %}"),
    ("ws_variable_end_no_trim", "{{ n }}\nb"),
    ("ws_set_block_lines", "{% set x = 1 %}\n  {% set y = 2 %}\n{{ x + y }}\n"),
    # ---- literals ----
    ("lit_string_escapes", "{{ 'a\\tb\\nc\\\\d\\'e\\\"f\\x41\\u00e9\\U0001F600\\N{BULLET}\\101\\q' }}"),
    ("lit_string_adjacent", "{{ 'a' \"b\" 'c' }}"),
    ("lit_string_multiline", "{{ 'line1\nline2' }}"),
    ("lit_ints", "{{ 0x1F }} {{ 0b101 }} {{ 0o17 }} {{ 1_000_000 }} {{ 0 }}"),
    ("lit_floats", "{{ 1.5 }} {{ 1e3 }} {{ 2.5E-3 }} {{ 1_0.2_5 }} {{ 10.0 }}"),
    ("lit_bools_none", "{{ true }} {{ True }} {{ false }} {{ False }} {{ none }} {{ None }}"),
    ("lit_list_dict_tuple", "{{ [1, 'a', [2]] }} {{ {'k': 1, 2: 'v'} }} {{ (1, 2) }} {{ (1,) }} {{ () }} {{ [] }} {{ {} }}"),
    ("lit_trailing_commas", "{{ [1, 2,] }} {{ {'a': 1,} }} {{ (1, 2,) }}"),
    # ---- output (Python str / repr) ----
    ("out_scalars", "{{ nothing }}|{{ yes }}|{{ n }}|{{ f }}|{{ neg }}|{{ empty }}"),
    ("out_containers", "{{ xs }} {{ d }} {{ users[0] }}"),
    ("out_repr_quotes", "{{ [\"it's\", 'say \"hi\"', 'both \\' \"', 'plain'] }}"),
    ("out_repr_escapes", "{{ ['tab\\there', 'nl\\n', 'nul\\x00', 'del\\x7f', 'nbsp\\xa0', 'ideo\\u3000', 'zwsp\\u200b', 'e\\u00e9', 'emoji\\U0001F600', 'back\\\\slash'] }}"),
    ("out_floats", "{{ [1e16, 1e15, 1.0, 0.1 + 0.2, 1 / 3, 1e-5, 0.0001, -0.0, 123456789012345678.0, 1e308 * 10, -(1e308 * 10), 2.5e-310, 5e-324, 1.7976931348623157e308, 0.5, 100.0, 1e22, 1.5e16] }}"),
    ("out_big_ints", "{{ 2 ** 100 }} {{ -(2 ** 70) }} {{ 9223372036854775807 + 1 }}"),
    ("out_namespace", "{% set ns = namespace(a=1, b='x') %}{{ ns }}"),
    ("out_nested_tuple_in_dict", "{{ {'t': (1, 'a'), 'l': [none, true]} }}"),
    # ---- operators ----
    ("op_arith_ints", "{{ 7 + 2 }} {{ 7 - 9 }} {{ 7 * 3 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 2 ** 3 ** 2 }}"),
    ("op_arith_floats", "{{ 7.5 // 2 }} {{ -7.5 // 2 }} {{ 7.5 % 2 }} {{ -7.5 % 2 }} {{ 7.5 % -2 }} {{ 1.5 + 1 }} {{ 10 / 4 }} {{ 6 / 3 }} {{ 0.1 * 3 }}"),
    ("op_bool_arith", "{{ true + true }} {{ true * 3 }} {{ 1 == true }} {{ 1.0 == 1 }} {{ 0 == false }}"),
    ("op_str_list_mul_add", "{{ 'ab' * 3 }} {{ 3 * 'x' }} {{ [1] * 2 }} {{ [1] + [2, 3] }} {{ 'a' + 'b' }} {{ (1,) + (2,) }} {{ 'x' * 0 }} {{ 'x' * -1 }}"),
    ("op_concat_tilde", "{{ 'a' ~ 1 ~ none ~ true ~ undefined_var ~ [1] }}"),
    ("op_compare_chain", "{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 2 >= 2.0 }} {{ 'B' < 'a' }} {{ 1 != 2 }} {{ (1, 2) == (1, 2) }} {{ [1] == (1,) }}"),
    ("op_in", "{{ 'ell' in 'hello' }} {{ 'x' not in 'hello' }} {{ 2 in xs }} {{ 'a' in d }} {{ 'zz' in d }} {{ 1 in (1, 2) }} {{ 'x' in undefined_var }} {{ undefined_var in xs }}"),
    ("op_and_or_operands", "{{ 0 or 'fallback' }} {{ 'a' and 'b' }} {{ '' and 'b' }}|{{ none or [] }} {{ xs and xs[0] }} {{ not xs }} {{ not none }}"),
    ("op_condexpr", "{{ 'y' if yes else 'n' }} {{ 'y' if no else 'n' }} {{ 'a' if no else 'b' if yes else 'c' }} [{{ 'x' if no }}]"),
    ("op_precedence_filters", "{{ 'a' + s | trim + 'b' }} {{ xs | length - 1 }} {{ -n | abs }} {{ 2 * 3 + 4 }} {{ 2 + 3 * 4 }} {{ not 1 == 2 }} {{ 'a' ~ 1 + 2 if false else 'z' }}"),
    ("op_not_in_precedence", "{{ not 'a' in 'abc' }} {{ not xs | length == 3 }}"),
    ("op_unary", "{{ -n }} {{ +n }} {{ --n }} {{ -f }} {{ -(2 ** 64) }} {{ -true }}"),
    # ---- errors ----
    ("err_undefined_attr", "{{ missing.attr }}"),
    ("err_undefined_item", "{{ missing['k'] }}"),
    ("err_undefined_call", "{{ missing() }}"),
    ("err_undefined_add", "{{ missing + 1 }}"),
    ("err_undefined_add_right", "{{ 'a' + missing }}"),
    ("err_undefined_lt", "{{ missing < 1 }}"),
    ("err_member_of_missing_key", "{{ d.zz.y }}"),
    ("err_member_of_missing_index", "{{ xs[10].y }}"),
    ("err_member_of_none", "{{ nothing.x.y }}"),
    ("err_method_on_none", "{{ nothing.startswith('a') }}"),
    ("err_str_plus_none", "{{ 'a' + nothing }}"),
    ("err_none_plus_str", "{{ nothing + 'a' }}"),
    ("err_str_plus_int", "{{ 'a' + 1 }}"),
    ("err_int_plus_str", "{{ 1 + 'a' }}"),
    ("err_list_plus_str", "{{ xs + 'a' }}"),
    ("err_int_lt_str", "{{ 1 < 'a' }}"),
    ("err_none_lt_int", "{{ nothing < 1 }}"),
    ("err_div_zero", "{{ 1 / 0 }}"),
    ("err_floordiv_zero", "{{ 1 // 0 }}"),
    ("err_mod_zero", "{{ 1 % 0 }}"),
    ("err_float_div_zero", "{{ 1.0 / 0 }}"),
    ("err_in_none", "{{ 'a' in nothing }}"),
    ("err_int_in_str", "{{ 1 in 'abc' }}"),
    ("err_iterate_none", "{% for x in nothing %}{% endfor %}"),
    ("err_iterate_int", "{% for x in n %}{% endfor %}"),
    ("err_len_int", "{{ n | length }}"),
    ("err_raise_exception", "{{ raise_exception('Custom: ' ~ n) }}"),
    ("err_raise_in_loop", "{% for x in xs %}{% if x == 2 %}{{ raise_exception('found two') }}{% endif %}{% endfor %}"),
    ("err_list_append", "{{ xs.append(4) }}"),
    ("err_list_pop", "{{ xs.pop() }}"),
    ("err_dict_update", "{{ d.update({'a': 2}) }}"),
    ("err_dict_pop_via_item", "{{ d['pop']('a') }}"),
    ("unsafe_attr_renders_empty", "[{{ xs.append }}][{{ d.clear }}]"),
    ("err_unpack_too_many", "{% set a, b = [1, 2, 3] %}"),
    ("err_unpack_not_enough", "{% for a, b in [[1]] %}{% endfor %}"),
    ("err_unhashable_key", "{{ {[1]: 2} }}"),
    ("err_not_callable", "{{ s() }}"),
    ("err_join_non_str", "{{ ', '.join(xs) }}"),
    ("err_tojson_undefined", "{{ missing | tojson }}"),
    ("err_tojson_namespace", "{{ namespace(a=1) | tojson }}"),
    ("err_split_empty_sep", "{{ s.split('') }}"),
    ("err_set_attr_non_namespace", "{% set d.x = 1 %}"),
    ("err_range_too_big", "{{ range(100001) | length }}"),
    ("err_loop_not_recursive", "{% for x in xs %}{{ loop([1]) }}{% endfor %}"),
    ("err_macro_too_many_args", "{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}"),
    ("err_macro_unknown_kwarg", "{% macro m(a) %}{% endmacro %}{{ m(b=1) }}"),
    ("err_first_of_empty_then_attr", "{{ ([] | first).x }}"),
    ("err_int_filter_inf", "{{ (inf | float) | int }}", {"inf": "inf"}),
    ("err_str_method_bad_arg", "{{ s.strip(1) }}"),
    ("err_abs_str", "{{ 'a' | abs }}"),
    ("err_items_non_mapping", "{{ xs | items | list }}"),
    ("err_slice_step_zero", "{{ xs[::0] }}"),
    # ---- syntax errors ----
    ("syn_unknown_tag", "a\n{% frobnicate %}"),
    ("syn_do_tag_not_enabled", "{% do xs.append(1) %}"),
    ("syn_missing_endfor", "{% for x in xs %}\n{{ x }}\n"),
    ("syn_missing_endif", "{% if true %}\nx"),
    ("syn_wrong_end", "{% if true %}\n{% endfor %}"),
    ("syn_unknown_filter", "\n\n{{ 1 | frobnicate }}"),
    ("syn_unknown_test", "{{ 1 is frobnicate }}"),
    ("syn_unknown_filter_in_dead_branch", "{% if false %}{{ 1 | frobnicate }}{% endif %}ok"),
    ("syn_break_outside_loop", "{% break %}"),
    ("syn_continue_in_macro_in_loop", "{% for x in xs %}{% macro m() %}{% continue %}{% endmacro %}{% endfor %}"),
    ("syn_unclosed_paren", "{{ (1 + 2 }}"),
    ("syn_unexpected_bracket", "{{ 1 ] }}"),
    ("syn_empty_expression", "{{ }}"),
    ("syn_bad_assign_target", "{% set 1 = 2 %}"),
    ("syn_unclosed_comment", "a {# never closed"),
    ("syn_unclosed_variable", "a {{ n "),
    ("syn_extra_tokens", "{{ 1 2 }}"),
    ("syn_elif_after_else", "{% if true %}{% else %}{% elif false %}{% endif %}"),
    ("syn_chained_is", "{{ 1 is number is true }}"),
    ("syn_non_default_after_default", "{% macro m(a=1, b) %}{% endmacro %}"),
    ("syn_unexpected_char", "{{ 1 $ 2 }}"),
    ("syn_truncated_escape", "{{ '\\x4' }}"),
    # ---- string methods ----
    ("str_strip_family", "[{{ s.strip() }}][{{ s.lstrip() }}][{{ s.rstrip() }}][{{ 'xxhixx'.strip('x') }}][{{ '\\n\\nhi\\n'.lstrip('\\n') }}][{{ 'abcba'.rstrip('ab') }}][{{ ws.strip() }}][{{ 'hi'.strip(none) }}]"),
    ("str_split", "{{ 'a,b,,c'.split(',') }} {{ '  a  b \\t c\\n'.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a b c'.rsplit(' ', 1) }} {{ 'a,b,c'.rsplit(',') }} {{ ''.split() }} {{ ''.split(',') }} {{ '  a b  '.split(none, 1) }} {{ '  a b  '.rsplit(none, 1) }} {{ 'a\u3000b'.split() }}"),
    ("str_split_think", "{{ think.split('</think>')[-1].lstrip('\\n') }}|{{ think.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') }}"),
    ("str_splitlines", "{{ 'a\\nb\\r\\nc\\rd\\x0be\\u2028f\\n'.splitlines() }} {{ 'a\\nb\\n'.splitlines(true) }} {{ ''.splitlines() }}"),
    ("str_starts_ends", "{{ s.startswith('  He') }} {{ s.endswith('!  ') }} {{ 'abc'.startswith(('x', 'a')) }} {{ 'abc'.startswith('b', 1) }} {{ 'abc'.endswith('b', 0, 2) }} {{ ''.startswith('') }}"),
    ("str_case", "{{ 'ß straße'.upper() }} {{ 'İSTANBUL'.lower() | length }} {{ 'hello wORLD it\\'s 3rd'.title() }} {{ 'hELLO wORLD'.capitalize() }} {{ 'ǆemal'.capitalize() }} {{ 'ǆemal'.title() }} {{ 'AbC'.swapcase() }} {{ 'ΣΑΣ'.lower() }} {{ 'ß'.title() }}"),
    ("str_find_count_replace", "{{ 'hello'.find('l') }} {{ 'hello'.rfind('l') }} {{ 'hello'.find('z') }} {{ 'hello'.index('e') }} {{ 'hello'.count('l') }} {{ 'aaaa'.count('aa') }} {{ 'hello'.replace('l', 'L') }} {{ 'hello'.replace('l', 'L', 1) }} {{ 'ab'.replace('', '-') }} {{ astral.find('b') }} {{ 'hello'.count('') }}"),
    ("str_pad", "[{{ 'ab'.center(7, '*') }}][{{ 'ab'.center(6) }}][{{ 'abc'.center(6) }}][{{ 'ab'.ljust(5) }}][{{ 'ab'.rjust(5, '0') }}][{{ '-42'.zfill(6) }}][{{ 'ab'.center(1) }}]"),
    ("str_misc", "{{ 'a-b'.partition('-') }} {{ 'a-b-c'.rpartition('-') }} {{ 'abc'.partition('x') }} {{ 'prefix_x'.removeprefix('prefix_') }} {{ 'x.txt'.removesuffix('.txt') }} {{ '-'.join(['a', 'b']) }} {{ ''.join('xyz') }}"),
    ("str_predicates", "{{ '123'.isdigit() }} {{ '12a'.isdigit() }} {{ 'abc'.isalpha() }} {{ 'ab1'.isalnum() }} {{ '  '.isspace() }} {{ ''.isspace() }} {{ 'abc'.islower() }} {{ 'ABC'.isupper() }} {{ 'Hello World'.istitle() }} {{ 'a1'.islower() }} {{ '١٢'.isdigit() }}"),
    ("str_format", "{{ '{} and {}'.format(1, 'x') }} {{ '{1}{0}'.format('a', 'b') }} {{ '{name}!'.format(name='Ann') }} {{ '{:>5}|{:<5}|{:^5}'.format('a', 'b', 'c') }} {{ '{:05.2f}'.format(3.14159) }} {{ '{:,}'.format(1234567) }} {{ '{!r}'.format('q') }} {{ '{{literal}}'.format() }} {{ '{0[k]}'.format({'k': 'v'}) }} {{ '{:x} {:o} {:b} {:#x}'.format(255, 8, 5, 255) }} {{ '{:.3}'.format(1.0) }} {{ '{:e}'.format(12345.678) }} {{ '{:g}'.format(0.00001) }} {{ '{:%}'.format(0.25) }} {{ '{:+d}'.format(5) }}"),
    ("str_percent", "{{ '%s-%d' % ('a', 3) }} {{ '%5.2f|%-4s|%r|%03d|%x|%X|%o' % (3.14159, 'a', 'b', 7, 255, 255, 8) }} {{ '%(a)s=%(b)r' % {'a': 1, 'b': 'x'} }} {{ '%s' % none }} {{ '%s' % [1, 2] }} {{ '100%%' % () }} {{ '%e|%g|%G' % (1234.5, 0.0001234, 1e20) }} {{ '%+d % d' % (5, 5) }}"),
    ("str_index_and_len", "{{ astral | length }} {{ astral[1] }} {{ astral[-1] }} {{ astral[1:4] }} {{ astral[::-1] }} {{ 'abc'[5] }}|{{ 'abc'[-4] }}|"),
    # ---- slicing ----
    ("slice_lists", "{{ xs[::-1] }} {{ xs[1:] }} {{ xs[:-1] }} {{ xs[-2:] }} {{ xs[::2] }} {{ xs[5:] }} {{ xs[-10:1] }} {{ xs[2:0:-1] }} {{ xs[:] }} {{ xs[1:-1] }} {{ xs[::-2] }} {{ xs[-1:-10:-1] }}"),
    ("slice_strings", "{{ 'hello'[::-1] }} {{ 'hello'[1:3] }} {{ 'hello'[:-1] }} {{ 'hello'[-3:] }} {{ 'hello'[::2] }} {{ 'hello'[10:] }}|{{ 'hello'[4:1:-1] }}"),
    ("slice_tuple_and_bad", "{{ (1, 2, 3)[1:] }} {{ xs[1:2:none] }}|{{ xs[true:] }}"),
    ("err_slice_str_bounds", "{{ xs['a':'b'] }}"),
    ("err_slice_dict", "{{ d[1:2] }}"),
    ("err_slice_none", "{{ nothing[1:] }}"),
    ("err_slice_undefined", "{{ missing[1:] }}"),
    ("err_map_attribute_of_undefined", "{{ users | map(attribute='tags.0') | list }}"),
    ("index_out_of_range_undefined", "[{{ xs[10] }}][{{ xs[-10] }}][{{ xs[10] is defined }}]"),
    # ---- dicts ----
    ("dict_methods", "{{ d.get('a') }} {{ d.get('zz') }} {{ d.get('zz', 'dflt') }} {{ d.keys() | list }} {{ d.values() | list | length }} {% for k, v in d.items() %}{{ k }}={{ v is mapping }};{% endfor %}"),
    ("dict_attr_vs_item", "{{ d.items is callable }} {{ d['items'] }} {{ d.a }} {{ d['a'] }} {{ d.nested.k[2].deep }} {{ d['nested']['k'][0] }} {{ d.nested.k.1 }}"),
    ("dict_iteration_order", "{% for k in d %}{{ k }},{% endfor %} {{ d | list }} {{ d | length }}"),
    ("dict_equality", "{{ {'a': 1, 'b': 2} == {'b': 2, 'a': 1} }} {{ {'a': 1} == {'a': 1.0} }} {{ users[0] == users[0] }} {{ users[0] == users[2] }}"),
    ("dict_literal_dup_keys", "{{ {'a': 1, 'b': 2, 'a': 3} }}"),
    ("dict_int_keys", "{% set m = {1: 'one', 2: 'two'} %}{{ m[1] }} {{ m.get(2) }} {{ 1 in m }}"),
    ("dict_copy_safe", "{% set c = d.copy() %}{{ c | length }} {{ xs.copy() }} {{ xs.index(1) }} {{ xs.count(3) }}"),
    # ---- loops ----
    ("loop_vars", "{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.depth }}|{% endfor %}"),
    ("loop_prev_next", "{% for x in xs %}[{{ loop.previtem }}<{{ x }}>{{ loop.nextitem }}]{% endfor %}"),
    ("loop_cycle_changed", "{% for u in users %}{{ loop.cycle('odd', 'even') }}{% if loop.changed(u.age) %}*{% endif %} {% endfor %}"),
    ("loop_else", "{% for x in [] %}x{% else %}empty{% endfor %}|{% for x in xs if x > 5 %}x{% else %}none kept{% endfor %}"),
    ("loop_filter_counts", "{% for x in xs if x != 1 %}{{ loop.index }}/{{ loop.length }}:{{ x }} {% endfor %}"),
    ("loop_break_continue", "{% for x in range(10) %}{% if x is odd %}{% continue %}{% endif %}{% if x > 6 %}{% break %}{% endif %}{{ x }}{% endfor %}"),
    ("loop_nested_loop_var", "{% for a in [1, 2] %}{% for b in 'xy' %}{{ loop.index }}{{ b }}{% endfor %}{{ loop.index }};{% endfor %}"),
    ("loop_unpack", "{% for a, b in [[1, 2], (3, 4), 'xy'] %}{{ a }}{{ b }} {% endfor %}{% for (k, v) in {'p': 1}.items() %}{{ k }}{{ v }}{% endfor %}"),
    ("loop_over_string_dict_undefined", "{% for c in astral %}[{{ c }}]{% endfor %}{% for k in d %}{{ k }}{% endfor %}{% for x in missing %}never{% endfor %}."),
    ("loop_recursive", "{% for item in tree recursive %}{{ item.name }}{% if item.children %}({{ loop(item.children) }}){% endif %}{{ loop.depth }};{% endfor %}"),
    ("loop_reversed_messages", "{% for u in users[::-1] %}{{ (users | length - 1) - loop.index0 }}{{ u.name }} {% endfor %}"),
    ("loop_iterable_tuple", "{% for x in 1, 2 %}{{ x }}{% endfor %}"),
    ("loop_filter_sees_target", "{% for u in users if u.age > 30 %}{{ u.name }}{% endfor %}"),
    # ---- scoping ----
    ("scope_loop_does_not_leak", "{% set x = 0 %}{% for i in [1, 2] %}{{ x }}{% set x = i %}{{ x }}{% endfor %}{{ x }}"),
    ("scope_if_leaks", "{% if true %}{% set y = 4 %}{% endif %}{{ y }}"),
    ("scope_loop_var_after_loop", "{% for i in [1] %}{% endfor %}[{{ i }}][{{ i is defined }}]"),
    ("scope_namespace_mutation", "{% set ns = namespace(total=0, items=[]) %}{% for x in xs %}{% set ns.total = ns.total + x %}{% set ns.items = ns.items + [x] %}{% endfor %}{{ ns.total }} {{ ns.items }}"),
    ("scope_namespace_from_dict", "{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}{{ ns.c }}|{{ ns['a'] }}"),
    ("scope_macro_reads_outer_late", "{% macro m() %}{{ x }}{% endmacro %}{% set x = 3 %}{{ m() }}"),
    ("scope_macro_local_set", "{% macro m() %}{{ x }}{% set x = 2 %}{{ x }}{% endmacro %}{% set x = 3 %}{{ m() }}{{ x }}"),
    ("scope_generation_block", "{% set x = 0 %}{% for i in [1, 2] %}{% generation %}<{{ loop.index }}>{% set x = 5 %}{% endgeneration %}{{ x }}{% endfor %}"),
    ("scope_with", "{% with a = 1, b = n %}{{ a + b }}{% set c = 1 %}{% endwith %}[{{ a }}][{{ c }}]"),
    ("scope_block_set", "{% set x %}  captured {{ n }}  {% endset %}[{{ x }}]{% set y | upper %}shout{% endset %}{{ y }}"),
    ("scope_filter_block", "{% filter upper %}hello {{ s | trim }}{% endfilter %}"),
    ("scope_call_block", "{% macro wrap(tag) %}<{{ tag }}>{{ caller('inner') }}</{{ tag }}>{% endmacro %}{% call(v) wrap('b') %}got {{ v }}{% endcall %}"),
    ("scope_set_tuple", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set (c, d2) = [3, 4] %}{{ c }}{{ d2 }}"),
    ("scope_reassign_messages", "{% set xs = xs[1:] %}{{ xs }}{% for x in xs %}{{ x }}{% endfor %}"),
    ("scope_block_tag", "{% block body %}in block {{ n }}{% endblock %}|{% block other scoped %}x{% endblock other %}"),
    ("scope_autoescape_tag", "{% autoescape false %}<{{ '<b>' }}>{% endautoescape %}"),
    # ---- macros ----
    ("macro_defaults_and_kwargs", "{% macro m(a, b=2, c=a) %}{{ a }}{{ b }}{{ c }}{% endmacro %}{{ m(1) }}|{{ m(1, 3) }}|{{ m(b=4, a=0) }}|{{ m(5, c=9) }}"),
    ("macro_missing_arg_undefined", "{% macro m(a, b) %}[{{ a }}][{{ b }}][{{ b is defined }}]{% endmacro %}{{ m(1) }}"),
    ("macro_varargs_kwargs", "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, x=4) }}"),
    ("macro_recursive", "{% macro fact(k) %}{% if k <= 1 %}1{% else %}{{ k * (fact(k - 1) | int) }}{% endif %}{% endmacro %}{{ fact(6) }}"),
    ("macro_returns_string", "{% macro m() %}12{% endmacro %}{{ m() ~ '!' }} {{ m() | length }} {{ m() is string }} {{ (m() | int) + 1 }}"),
    ("macro_attributes", "{% macro m(a, b) %}{{ varargs }}{% endmacro %}{{ m.name }} {{ m.arguments }} {{ m.catch_varargs }} {{ m.catch_kwargs }}"),
    # ---- filters ----
    ("flt_trim", "[{{ s | trim }}][{{ ws | trim }}][{{ 'xxaxx' | trim('x') }}][{{ nothing | trim }}][{{ missing | trim }}][{{ 12 | trim }}]"),
    ("flt_length_count", "{{ xs | length }} {{ d | count }} {{ astral | length }} {{ missing | length }} {{ '' | length }}"),
    ("flt_string_upper_lower", "{{ nothing | string }} {{ xs | string }} {{ 'aBc' | upper }} {{ 'aBc' | lower }} {{ 1.5 | string }} {{ missing | string }}|"),
    ("flt_first_last", "{{ xs | first }} {{ xs | last }} {{ 'abc' | first }} {{ 'abc' | last }} {{ d | first }} [{{ [] | first }}] {{ ([] | first) is defined }}"),
    ("flt_join", "{{ xs | join }} {{ xs | join(', ') }} {{ users | join('/', attribute='name') }} {{ [1, none, missing, 'x'] | join('-') }} {{ 'abc' | join('.') }}"),
    ("flt_replace", "{{ 'aaa' | replace('a', 'b') }} {{ 'aaa' | replace('a', 'b', 2) }} {{ 123 | replace('2', 'x') }} {{ 'ab' | replace('', '.') }}"),
    ("flt_default", "[{{ missing | default('dflt') }}][{{ missing | d }}][{{ '' | default('e') }}][{{ '' | default('e', true) }}][{{ nothing | default('n') }}][{{ nothing | default('n', boolean=true) }}][{{ 0 | d(5, true) }}]"),
    ("flt_items_list", "{{ d | items | list | length }} {% for k, v in {'x': 1, 'y': 2} | items %}{{ k }}{{ v }}{% endfor %} {{ missing | items | list }} {{ 'abc' | list }} {{ (1, 2) | list }} {{ d | list }}"),
    ("flt_select_reject", "{{ users | selectattr('role', 'equalto', 'user') | map(attribute='name') | list }} {{ users | rejectattr('role', 'equalto', 'user') | list | length }} {{ users | selectattr('tags') | list | length }} {{ users | selectattr('tags', 'undefined') | map(attribute='name') | list }} {{ users | selectattr('tags', 'defined') | list | length }} {{ [0, 1, '', 'a', none] | select | list }} {{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3, 4] | reject('even') | list }} {{ [1, 5, 10] | select('>', 3) | list }} {{ users | selectattr('age', '==', 31) | map(attribute='name') | join(',') }} {{ nothing | selectattr('x') | list }} {{ missing | select | list }}"),
    ("flt_map", "{{ users | map(attribute='name') | map('upper') | list }} {{ users | map(attribute='missing', default='?') | list }} {{ xs | map('string') | join('|') }} {{ [' a ', 'b '] | map('trim') | list }} {{ ['x', 'y'] | map('replace', 'x', 'z') | list }} {{ users | map(attribute='tags.0', default='-') | list }}"),
    ("flt_sort_unique", "{{ words | sort }} {{ words | sort(case_sensitive=true) }} {{ words | sort(reverse=true) }} {{ users | sort(attribute='age') | map(attribute='name') | list }} {{ users | sort(attribute='age,name') | map(attribute='name') | list }} {{ words | unique | list }} {{ words | unique(case_sensitive=true) | list }} {{ xs | sort }} {{ [3, 1.5, 2] | sort(reverse=true) }}"),
    ("flt_min_max_sum", "{{ xs | min }} {{ xs | max }} {{ words | min }} {{ words | max(case_sensitive=true) }} {{ users | max(attribute='age') }} {{ xs | sum }} {{ users | sum(attribute='age') }} {{ [0.1, 0.2] | sum }} {{ [[1], [2]] | sum(start=[]) }} [{{ [] | max }}]"),
    ("flt_reverse", "{{ xs | reverse | list }} {{ 'abc' | reverse }} {{ astral | reverse }} {{ d | reverse | list }}"),
    ("flt_int_float", "{{ '42' | int }} {{ '42.7' | int }} {{ 'x' | int }} {{ 'x' | int(-1) }} {{ '0x1F' | int(0, 16) }} {{ '0b11' | int(base=2) }} {{ 3.99 | int }} {{ -3.99 | int }} {{ true | int }} {{ none | int }} {{ ' 12 ' | int }} {{ '1_000' | int }} {{ '3' | float }} {{ 'x' | float }} {{ '1e3' | float }} {{ 2 | float }} {{ ' -2.5 ' | float }} {{ 'inf' | float }} {{ 'nan' | float }}"),
    ("flt_round_abs", "{{ 2.675 | round(2) }} {{ 2.5 | round }} {{ 3.5 | round }} {{ -2.5 | round }} {{ 1.26 | round(1, 'floor') }} {{ 1.21 | round(1, 'ceil') }} {{ 7 | round }} {{ 1234 | round(-2) }} {{ -3 | abs }} {{ -2.5 | abs }} {{ true | abs }}"),
    ("flt_capitalize_title_center", "{{ 'hELLO world' | capitalize }} {{ 'hello-world (foo) [bar] <baz> it\\'s' | title }} [{{ 'ab' | center(6) }}] {{ 'x' | center }}|"),
    ("flt_indent", "{{ 'a\\nb\\n\\nc' | indent }}|{{ 'a\\nb' | indent(2, true) }}|{{ 'a\\n\\nb' | indent('> ', blank=true) }}|{{ 'a\\nb\\n' | indent(first=true) }}"),
    ("flt_truncate_wordcount", "{{ 'the quick brown fox jumps over the lazy dog' | truncate(20) }}|{{ 'the quick brown fox' | truncate(10, true) }}|{{ 'the quick brown fox jumps' | truncate(12, false, '…', 0) }}|{{ 'short' | truncate(3, leeway=5) }}|{{ 'Hello, wörld! 3 words_x' | wordcount }}"),
    ("flt_batch_slice", "{{ range(7) | batch(3) | list }} {{ range(7) | batch(3, 'x') | list }} {{ range(7) | slice(3) | list }} {{ range(7) | slice(3, 0) | list }}"),
    ("flt_dictsort", "{{ {'b': 1, 'A': 2, 'c': 0} | dictsort }} {{ {'b': 1, 'A': 2, 'c': 0} | dictsort(true) }} {{ {'b': 1, 'A': 2, 'c': 0} | dictsort(by='value') }} {{ {'b': 1, 'A': 2} | dictsort(reverse=true) }}"),
    ("flt_attr_escape_format", "{{ d | attr('a') }}|{{ d | attr('items') is callable }}|{{ '<a href=\"x\">&\\'</a>' | escape }}|{{ '<b>' | e }}|{{ '%s=%d' | format('x', 3) }}|{{ '%(k)s' | format(k='v') }}|{{ '<i>' | safe }}|{{ '<i>' | forceescape }}"),
    ("flt_filter_chain_on_expression", "{{ (xs + [9]) | sort | first }} {{ ('a' ~ 'b') | upper }} {{ xs | map('string') | join | int + 1 }}"),
    # ---- tojson ----
    ("json_basic", "{{ d | tojson }}"),
    ("json_indent", "{{ d | tojson(indent=2) }}"),
    ("json_indent_zero_and_str", "{{ [1, {'a': []}] | tojson(indent=0) }}|{{ {'a': [1]} | tojson(indent='\\t') }}"),
    ("json_separators", "{{ d | tojson(separators=(',', ':')) }} {{ xs | tojson(indent=1, separators=(', ', ' = ')) }}"),
    ("json_sort_keys", "{{ {'b': 1, 'a': {'d': 2, 'c': 3}} | tojson(sort_keys=true) }}"),
    ("json_unicode_and_escapes", "{{ ['é', '😀', '\\u2028', '<>&\\'', 'q\"b\\\\', '\\x00\\x1f\\x7f', '\\n\\r\\t\\b\\f'] | tojson }}"),
    ("json_ensure_ascii", "{{ ['é', '😀', '\\x7f', '~'] | tojson(ensure_ascii=true) }}"),
    ("json_scalars", "{{ none | tojson }} {{ true | tojson }} {{ 1.0 | tojson }} {{ 1e16 | tojson }} {{ ('inf' | float) | tojson }} {{ ('-inf' | float) | tojson }} {{ ('nan' | float) | tojson }} {{ (2 ** 70) | tojson }} {{ 'x' | tojson }} {{ (1, 'a') | tojson }}"),
    ("json_non_str_keys", "{{ {1: 'a', 2.5: 'b', true: 'c', none: 'd'} | tojson }}"),
    ("json_empty_containers_indent", "{{ {'a': [], 'b': {}} | tojson(indent=4) }}"),
    # ---- tests ----
    ("tests_types", "{{ s is string }} {{ n is number }} {{ f is number }} {{ yes is number }} {{ n is integer }} {{ f is float }} {{ yes is integer }} {{ yes is boolean }} {{ nothing is none }} {{ d is mapping }} {{ xs is mapping }} {{ xs is sequence }} {{ s is sequence }} {{ d is sequence }} {{ n is sequence }} {{ xs is iterable }} {{ s is iterable }} {{ n is iterable }} {{ missing is iterable }} {{ missing is sequence }} {{ nothing is iterable }}"),
    ("tests_defined", "{{ missing is defined }} {{ missing is undefined }} {{ nothing is defined }} {{ d.zz is defined }} {{ d.a is defined }} {{ xs[9] is undefined }} {{ missing is not defined }}"),
    ("tests_bool_and_numbers", "{{ yes is true }} {{ 1 is true }} {{ no is false }} {{ 0 is false }} {{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ 4.0 is even }}"),
    ("tests_compare", "{{ 1 is eq 1 }} {{ 1 is equalto 1.0 }} {{ 'a' is ne 'b' }} {{ 2 is gt 1 }} {{ 2 is greaterthan 3 }} {{ 2 is ge 2 }} {{ 1 is lt 2 }} {{ 1 is lessthan 0 }} {{ 1 is le 1 }} {{ 2 is in [1, 2] }} {{ 'x' is in 'xyz' }}"),
    ("tests_misc", "{{ 'abc' is lower }} {{ 'ABC' is upper }} {{ '123' is lower }} {{ 'upper' is filter }} {{ 'nope' is filter }} {{ 'odd' is test }} {{ m is callable }} {{ 'x'.upper is callable }} {{ none is sameas none }} {{ true is sameas true }} {{ s is escaped }} {{ range is callable }}"),
    ("tests_not_and_chains", "{{ missing is not none }} {{ nothing is not none }} {{ not missing is defined }} {{ xs is not string and xs is iterable }}"),
    # ---- globals ----
    ("glob_range", "{{ range(3) | list }} {{ range(1, 4) | list }} {{ range(10, 0, -3) | list }} {{ range(0) | list }} {{ range(5, 1) | list }}"),
    ("glob_dict", "{{ dict(a=1, b='x') }} {{ dict({'z': 1}, y=2) }} {{ dict([('k', 'v')]) }} {{ dict() }}"),
    ("glob_cycler_joiner", "{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}{{ c.current }}{% set j = joiner('|') %}{% for x in xs %}{{ j() }}{{ x }}{% endfor %}"),
    ("glob_strftime", "{{ strftime_now('%Y-%m-%d %H:%M:%S') }}|{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%A %a %B %b %j %p %I %y %U %W %w %u %V %G %e %C %%') }}|{{ strftime_now('%c|%x|%X|%D|%F|%T|%R|%r|%h|%k|%l|%P') }}|{{ strftime_now('%-d/%-m %_d %^a %f %Q') }}|{{ strftime_now('%z%Z') }}|"),
    ("glob_strftime_defined", "{{ strftime_now is defined }} {{ raise_exception is defined }} {{ lipsum is defined }} {{ namespace is callable }}"),
    # ---- undefined behaviour ----
    ("undef_render", "[{{ missing }}][{{ missing ~ 'x' }}][{{ missing | length }}][{{ missing == missing }}][{{ missing != 1 }}][{{ missing is none }}][{{ missing or 'alt' }}][{{ missing and 'x' }}]"),
    ("undef_attr_chain_none", "[{{ nothing.x }}][{{ d.zz }}][{{ xs[9] }}][{{ 'abc'.foo }}][{{ n.real }}]"),
    ("undef_tools_semantics", "{{ tools is defined }} {{ tools is none }} {{ 'x' if tools else 'no tools' }}", {"tools": None}),
    ("undef_special_token_absent", "[{{ bos_token }}][{{ bos_token is defined }}][{{ eos_token }}]", {"eos_token": "</s>"}),
    ("undef_in_list", "{{ missing in [1, 2] }} {{ missing in [] }} {{ [missing] | length }}"),
    ("undef_if_not_defined_set", "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}{{ add_generation_prompt }}"),
    # ---- more edge cases ----
    ("lex_strings_with_delimiters", "{{ '}}' }}|{{ \"%}\" }}|{% set x = '%}' %}{{ x }}|{# {% if %} {{ }} #}|{{ '{{' ~ '{%' }}"),
    ("lex_lone_braces", "{ not a tag } {x} {{ n }}} {"),
    ("lex_strip_signs_odd", "a {{-1}} b {{+ n }} c {%-if true-%} d {%-endif%}"),
    ("lex_same_line_tags_no_lstrip", "x\n  {% if true %} {% if true %}y{% endif %}{% endif %}"),
    ("lex_plus_end_then_lstrip", "{% if true +%}\n    {% if true %}z{% endif %}{% endif %}"),
    ("lex_comment_lstrip_and_trim", "a\n    {# c #}\n    b"),
    ("lex_minus_variable_eats_newlines", "{{ n -}}\n\n   {% if true %}q{% endif %}"),
    ("lex_float_forms", "{{ 1.0e5 }} {{ 3 // 2.0 }} {{ -0.0 }} {{ 1e-7 }} {{ 1e100 }} {{ 0.1 }} {{ 12345678901234567890.0 }}"),
    ("op_neg_pow_jinja_precedence", "{{ -1 ** 2 }} {{ -2 ** 2 }} {{ (-2) ** 2 }} {{ 2 ** -2 }}"),
    ("op_and_or_precedence", "{{ 0 or 1 and 2 }} {{ (0 or 1) and 2 }} {{ not 0 and 1 }} {{ 1 if 0 or 1 else 2 }}"),
    ("op_is_not_in", "{{ 1 is not in [1] }} {{ 3 is not in [1] }}"),
    ("err_undefined_in_string", "{{ missing in 'abc' }}"),
    ("err_none_in_string", "{{ nothing in 'abc' }}"),
    ("undef_filters", "[{{ missing | upper }}][{{ missing | join }}][{{ missing | sum }}][{{ missing | sort }}][{{ missing | list }}][{{ missing | reverse | list }}][{{ missing | center(4) }}][{{ missing | wordcount }}][{{ missing | unique | list }}][{{ missing | map('upper') | list }}][{{ missing | batch(2) | list }}][{{ missing | escape }}][{{ missing | format }}][{{ missing | capitalize }}]"),
    ("err_undefined_int_filter", "{{ missing | int }}"),
    ("err_undefined_float_filter", "{{ missing | float }}"),
    ("err_undefined_dictsort", "{{ missing | dictsort }}"),
    ("err_undefined_odd", "{{ missing is odd }}"),
    ("undef_tests", "{{ missing is callable }} {{ missing is lower }} {{ missing is eq missing }} {{ missing is in [1] }} {{ missing is sequence }} {{ missing is escaped }} {{ missing is number }}"),
    ("none_filters", "{{ nothing | upper }} {{ nothing | default('x') }} {{ nothing | tojson }} {{ nothing | string | length }} {{ nothing | lower }}"),
    ("err_none_length", "{{ nothing | length }}"),
    ("err_none_join", "{{ nothing | join }}"),
    ("err_none_items", "{{ nothing | items | list }}"),
    ("callable_tests", "{{ loop is callable }} {% for x in [1] %}{{ loop is callable }}{% endfor %} {{ cycler(1) is callable }} {{ joiner() is callable }} {{ namespace() is callable }} {{ d.get is callable }} {{ xs.append is callable }}"),
    ("dict_views", "{{ d.keys() }} {{ d.values() | list }} {{ d.items() | list | first }} {{ 'a' in d.keys() }} {{ 1 in d.values() }} {{ d.keys() | length }} {{ d.items() }} {{ {}.keys() }} {{ d.keys() | first }}"),
    ("err_dict_view_tojson", "{{ d.keys() | tojson }}"),
    ("range_object", "{{ range(3) }} {{ range(1, 9, 2) }} {{ range(3) | list }} {{ range(3)[1] }} {{ range(3) | length }} {{ 2 in range(3) }} {{ range(5)[1:3] | list }} {{ range(3) | sum }}"),
    ("percent_edge", "{{ '%d' % 3.7 }} {{ '%s' % (1, ) }} {{ '%5s|%-5d|%.2s' % ('ab', 3, 'xyz') }} {{ '%c%c' % (65, 'b') }} {{ '%s' % missing }}|{{ '%.3f' % 2.0005 }} {{ '%i' % true }}"),
    ("err_percent_not_all_converted", "{{ '%s' % (1, 2) }}"),
    ("err_percent_not_enough", "{{ '%s %s' % 'ab' }}"),
    ("format_edge", "{{ '{:>10}'.format('x') }}|{{ '{0}{0}'.format('ab') }}|{{ '{:*^9}'.format('mid') }}|{{ '{:.2%}'.format(0.1234) }}|{{ '{:08.3f}'.format(-3.14159) }}|{{ '{!s:>4}'.format(none) }}|{{ '{}'.format(missing) }}|"),
    ("err_format_none_spec", "{{ '{:>4}'.format(none) }}"),
    ("if_elif_chain", "{% for v in [1, 2, 3, 4] %}{% if v == 1 %}one{% elif v == 2 %}two{% elif v == 3 %}three{% else %}many{% endif %},{% endfor %}"),
    ("macro_call_block_non_caller", "{% macro m() %}plain{% endmacro %}{% call m() %}body{% endcall %}"),
    ("macro_caller_default_undefined", "{% macro m() %}[{{ caller is defined }}]{% endmacro %}{{ m() }}"),
    ("loop_set_same_name", "{% for x in xs %}{% set x = x * 2 %}{{ x }}{% endfor %}{{ x }}"),
    ("loop_outside_undefined", "[{{ loop }}][{{ loop is defined }}]"),
    ("ns_in_macro", "{% set ns = namespace(c=0) %}{% macro bump() %}{% set ns.c = ns.c + 1 %}{% endmacro %}{{ bump() }}{{ bump() }}{{ ns.c }}"),
    ("err_ns_undefined_assign", "{% set nope.x = 1 %}"),
    ("set_from_undefined_then_attr", "{% set y = missing %}{{ y is defined }}|{{ y }}|"),
    ("err_set_from_undefined_then_attr", "{% set y = missing %}{{ y.attr }}"),
    ("str_unicode_case_and_strip", "{{ '\u00a0x\u00a0'.strip() }}|{{ 'x\u200b'.strip() }}|{{ 'ǈ'.lower() }}{{ 'ǈ'.upper() }}|{{ 'ﬁ'.upper() }}|{{ 'İ'.lower() | length }}|{{ 'ΌΣΟΣ'.lower() }}|{{ 'hello'.title() }}|{{ \"o'neil mcDONALD\".title() }}"),
    ("str_split_kwargs", "{{ 'a,b,c'.split(sep=',', maxsplit=1) }} {{ 'a b'.split(maxsplit=0) }} {{ ' a b'.rsplit(maxsplit=0) }}"),
    ("json_nested_indent_separators", "{{ {'a': [1, {'b': none}], 'c': 'é'} | tojson(indent=2, separators=(',', ': '), sort_keys=true) }}"),
    ("json_indent_none_explicit", "{{ d.nested | tojson(indent=none) }}"),
    ("items_filter_order", "{% for k, v in d | items %}{{ k }}{% endfor %}|{% for k, v in d | dictsort %}{{ k }}{% endfor %}"),
    ("first_last_on_dict_views", "{{ d.values() | first }} {{ d.items() | last }}"),
    # ---- found by differential fuzzing ----
    ("gen_filters_are_generators", "{% if [] | select %}truthy{% endif %}|{{ (xs | select) is sequence }}|{{ (xs | map('string')) is iterable }}|{% set g = xs | select %}{{ g | list }}{{ g | list }}|{% set g2 = xs | select %}{{ 1 in g2 }}{{ g2 | list }}|{{ xs | reverse | list }}|{{ (xs | select | first) }}"),
    ("gen_items_is_lazy", "{% set it = xs | items %}no error until used"),
    ("err_gen_has_no_len", "{{ xs | select | length }}"),
    ("err_gen_not_reversible", "{{ xs | map('string') | last }}"),
    ("err_gen_not_json", "{{ xs | unique | tojson }}"),
    ("err_reverse_non_iterable", "{{ 5 | reverse }}"),
    ("err_last_non_reversible", "{{ 5 | last }}"),
    ("map_select_guard", "{{ 0 | map('string') | list }} {{ none | select | list }} {{ '' | reject | list }}"),
    ("truncate_non_strings", "{{ xs | truncate(5) }} {{ d | truncate(5) | length }}"),
    ("err_truncate_long_dict", "{{ d | truncate(3, leeway=0) }}"),
    ("err_truncate_int", "{{ n | truncate(3) }}"),
    ("round_and_divide_signed_zero", "{{ -0.0 | round(1) }} {{ -0.04 | round(1) }} {{ (not xs) / -3 }} {{ 0 / -3 }} {{ false / 2 }}"),
    ("err_round_undefined", "{{ missing | round }}"),
    ("err_abs_undefined", "{{ missing | abs }}"),
    ("err_compare_lists_uses_the_operator", "{{ [1, 2] >= [1, 'a'] }}"),
    ("percent_mapping_like_args", "{{ 'abc' % xs }}|{{ '%s' % xs }}|{{ 'abc' % d }}|{{ 'abc' % missing }}"),
    ("err_percent_list_key", "{{ '%(a)s' % xs }}"),
    ("fold_constant_slices", "[{{ (1)[1:] }}][{{ ((0)[:2] and n) is none }}][{{ (none)[1:] is defined }}][{% if (1)[1:] is callable %}T{% endif %}][{{ 'abc'[1:] }}][{{ (true)[::-1] | length }}]"),
    ("err_runtime_slice_of_int", "{{ n[1:] }}"),
    ("err_runtime_slice_of_constant_in_variable_expr", "{{ (0)[:2] ~ n }}"),
    ("undefined_in_dict", "{{ missing in d }} {{ d.get(missing, 'dflt') }}"),
    ("range_methods", "{{ range(4).count(2) }} {{ range(4).index(3) }} {{ range(1, 9, 2)[::-1] }} {{ range(1, 9, 2)[1:3] }}"),
    ("err_dict_view_unhashable", "{{ d.keys() in {} }}"),
    ("err_float_pow_overflow", "{{ 1e16 ** 1e16 }}"),
    ("round_floor_ceil", "{{ 2.567 | round(2, 'floor') }} {{ 2.561 | round(2, 'ceil') }} {{ 7 | round(0, 'ceil') }} {{ -1.5 | round(0, 'floor') }} {{ 1234 | round(-2, 'floor') }}"),
    ("err_round_floor_str", "{{ 'ab' | round(1, 'floor') }}"),
    ("err_round_floor_undefined", "{{ missing | round(1, 'ceil') }}"),
    ("err_format_missing_positional", "{{ '{}:{}'.format(1) }}"),
    ("err_percent_dict_then_positional", "{{ '%s-%d' % d }}"),
    ("str_expandtabs", "[{{ 'a\\tbc\\td'.expandtabs() }}][{{ 'ab\\tc\\nx\\ty'.expandtabs(4) }}][{{ '\\t'.expandtabs(0) }}]"),
    ("str_casefold", "{{ 'ǅx İi ß ΣΑΣ ﬁ'.casefold() }}"),
    ("err_format_single_brace", "{{ 'a{'.format(1) }}"),
    # ---- assorted chat-template idioms ----
    ("idiom_content_string_or_parts", "{% for m in msgs %}{% if m.content is string %}{{ m.content | trim }}{% else %}{% for p in m.content %}{% if p.type == 'text' %}{{ p.text }}{% elif p.type == 'image' %}<img>{% endif %}{% endfor %}{% endif %};{% endfor %}",
     {"msgs": [{"role": "user", "content": " hi "}, {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "what?"}]}]}),
    ("idiom_last_user_index", "{% set ns = namespace(i=-1) %}{% for m in msgs %}{% if m.role == 'user' %}{% set ns.i = loop.index0 %}{% endif %}{% endfor %}{{ ns.i }}",
     {"msgs": [{"role": "user"}, {"role": "assistant"}, {"role": "user"}, {"role": "assistant"}]}),
    ("idiom_message_get", "{% for m in msgs %}{{ m.get('tool_calls') is none }}{{ m.get('tool_calls', []) | length }}{{ 'tool_calls' in m }}{{ m.tool_calls is defined }} {% endfor %}",
     {"msgs": [{"role": "assistant", "tool_calls": [{"id": 1}]}, {"role": "user"}]}),
    ("idiom_json_args_in_string", "{{ '{\"name\": \"' + call.name + '\", \"arguments\": ' + call.arguments | tojson + '}' }}",
     {"call": {"name": "get_weather", "arguments": {"city": "Paris", "units": ["c", "f"], "n": 2, "x": 1.5, "ok": True}}}),
    ("idiom_generation_prompt", "{% if add_generation_prompt %}<|assistant|>\n{% endif %}", {"add_generation_prompt": True}),
    ("idiom_messages_loop_last", "{% for message in messages %}{{ message['role'] }}{% if not loop.last %}, {% endif %}{% endfor %}",
     {"messages": [{"role": "system"}, {"role": "user"}, {"role": "assistant"}]}),
]


def render(template, variables):
    try:
        out = ctu._compile_jinja_template(template).render(**variables)
        return {"expected": out, "error": None}
    except jinja2.TemplateSyntaxError as e:
        return {"expected": None, "error": {"type": type(e).__name__, "message": e.message, "line": e.lineno}}
    except jinja2.TemplateError as e:
        name = type(e).__name__
        return {"expected": None, "error": {"type": name, "message": e.message if name != "TemplateError" else str(e), "line": None}}
    except Exception as e:  # Python errors surfacing from the render (TypeError, ZeroDivisionError, ...)
        return {"expected": None, "error": {"type": type(e).__name__, "message": str(e), "line": None}}


def engine_cases():
    out = []
    names = set()
    for entry in CASES:
        name, template = entry[0], entry[1]
        assert name not in names, name
        names.add(name)
        variables = dict(DEFAULT_VARS)
        if len(entry) > 2:
            variables.update(entry[2])
        extra = entry[2] if len(entry) > 2 else {}
        if name == "tests_misc":  # a macro to test `is callable` on
            template = "{% macro m() %}{% endmacro %}" + template
        res = render(template, variables)
        out.append({"name": name, "template": template, "vars": extra, **res})
    return out


SYSTEM = "You are a careful assistant."
TOOLS = [
    {"type": "function", "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {"type": "object", "properties": {
            "city": {"type": "string", "description": "City name, e.g. Paris"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Temperature unit"},
            "days": {"type": "integer", "description": "Forecast days", "default": 1},
            "hourly": {"type": "boolean"},
            "stations": {"type": "array", "items": {"type": "string"}},
            "coords": {"type": "array", "items": {"type": "object", "properties": {"lat": {"type": "number"}}}},
            "mode": {"oneOf": [{"type": "string", "description": "named"}, {"type": "number"}]},
            "extra": {"type": ["string", "null"]},
        }, "required": ["city"]},
    }},
    {"type": "function", "function": {
        "name": "ping", "description": "No-argument tool.",
        "parameters": {"type": "object", "properties": {}}}},
]
CALL = {"id": "call12345", "type": "function",
        "function": {"name": "get_weather", "arguments": {"city": "Zürich", "unit": "celsius"}}}
CALL_STR_ARGS = {"id": "call67890", "type": "function",
                 "function": {"name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}}

CONVERSATIONS = {
    "tools_first_turn": ([{"role": "system", "content": SYSTEM},
                          {"role": "user", "content": "Weather in Zürich?"}], True, {"tools": TOOLS}),
    "tools_no_system": ([{"role": "user", "content": "Weather in Zürich?"}], True, {"tools": TOOLS}),
    "tool_call_roundtrip": ([{"role": "user", "content": "Weather in Zürich?"},
                             {"role": "assistant", "content": "", "tool_calls": [CALL]},
                             {"role": "tool", "tool_call_id": "call12345", "content": "{\"temp\": 21}"},
                             {"role": "assistant", "content": "It is 21 °C."},
                             {"role": "user", "content": "Thanks!"}], True, {"tools": TOOLS}),
    "tool_call_pending": ([{"role": "user", "content": "Weather in Oslo?"},
                           {"role": "assistant", "content": None, "tool_calls": [CALL_STR_ARGS]},
                           {"role": "tool", "tool_call_id": "call67890", "content": "cloudy"}], True, {"tools": TOOLS}),
    "multi_tool_results": ([{"role": "user", "content": "Two lookups"},
                            {"role": "assistant", "content": "", "tool_calls": [CALL]},
                            {"role": "tool", "tool_call_id": "call12345", "content": "a"},
                            {"role": "tool", "tool_call_id": "call12345", "content": "b"}], False, {}),
    "enable_thinking_false": ([{"role": "user", "content": "Quick: 2+2?"}], True, {"enable_thinking": False}),
    "enable_thinking_true": ([{"role": "user", "content": "Quick: 2+2?"}], True, {"enable_thinking": True}),
    "gpt_oss_options": ([{"role": "developer", "content": "Be terse."},
                         {"role": "user", "content": "Hi"}], True,
                        {"reasoning_effort": "high", "model_identity": "You are a test model.",
                         "builtin_tools": ["browser", "python"], "tools": TOOLS}),
    "content_parts": ([{"role": "system", "content": [{"type": "text", "text": "Sys parts."}]},
                       {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": " Describe. "}]}],
                      True, {}),
    "empty_contents": ([{"role": "system", "content": ""}, {"role": "user", "content": ""},
                        {"role": "assistant", "content": ""}], False, {}),
    "whitespace_unicode_content": ([{"role": "system", "content": "\u3000 sys \u00a0"},
                                    {"role": "user", "content": "\t x \u2028\n"}], True, {}),
    "custom_date_and_tools_in_system": ([{"role": "user", "content": "Hi"}], True,
                                        {"date_string": "01 Feb 2025", "tools_in_user_message": False,
                                         "tools": TOOLS}),
    "three_system_like": ([{"role": "system", "content": "A"}, {"role": "user", "content": "B"},
                           {"role": "system", "content": "C"}, {"role": "user", "content": "D"}], True, {}),
}


def family_cases():
    out = []
    for family in sorted(os.listdir(FIXTURES)):
        d = os.path.join(FIXTURES, family)
        if not os.path.isdir(d):
            continue
        path = os.path.join(d, "chat_template.jinja")
        if os.path.exists(path):
            template = open(path, encoding="utf-8").read()
        else:
            template = json.load(open(os.path.join(d, "tokenizer_config.json"), encoding="utf-8"))["chat_template"]
        tokens = json.load(open(os.path.join(d, "cases.json"), encoding="utf-8"))[0]["special_tokens"]
        for conv, (messages, gen, extra) in CONVERSATIONS.items():
            variables = {"messages": messages, "tools": None, "documents": None, "add_generation_prompt": gen,
                         **tokens, **extra}
            res = render(template, variables)
            out.append({"family": family, "name": conv, "messages": messages, "add_generation_prompt": gen,
                        "vars": extra, **res})
    return out


def main():
    assert transformers.__version__ == "5.18.0", transformers.__version__
    os.makedirs(OUT_DIR, exist_ok=True)
    header = {"generator": "tools/make_template_engine_cases.py", "transformers": transformers.__version__,
              "jinja2": jinja2.__version__, "strftime_now": FROZEN.isoformat()}
    engine = {**header, "default_vars": DEFAULT_VARS, "cases": engine_cases()}
    families = {**header, "cases": family_cases()}
    for fname, data in (("cases.json", engine), ("families.json", families)):
        with open(os.path.join(OUT_DIR, fname), "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        errors = sum(1 for c in data["cases"] if c["error"])
        print(f"{fname}: {len(data['cases'])} cases, {errors} errors")


if __name__ == "__main__":
    main()
