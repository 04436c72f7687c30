package dev.provtrace.text.template;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Focused checks of the engine, one behaviour each (TemplateEngineCasesTest holds the wide differential corpus).
 * Expected values are jinja2's (inside transformers' environment).
 */
class TemplateEngineTest {
    private static String render(String template, Object... kv) {
        Map<String, Object> vars = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) vars.put((String) kv[i], Values.fromJava(kv[i + 1]));
        return Template.compile(template).render(vars, LocalDateTime.of(2026, 1, 1, 0, 0));
    }

    @Test
    void trimBlocksAndLstripBlocksApplyToBlockTagsOnly() {
        assertEquals("a\nx\n  7\n", render("a\n  {% if true %}\nx\n  {{ n }}\n  {% endif %}\n", "n", 7));
    }

    @Test
    void explicitWhitespaceControl() {
        assertEquals("[7]", render("[  \n {{- n -}} \n ]", "n", 7));
        assertEquals("a\n    b", render("a\n    {%+ if true %}b{% endif %}"));
        assertEquals("\nb", render("{% if true +%}\nb{% endif %}"));
        // '-' strips Python whitespace, including U+3000 and U+00A0
        assertEquals("ab", render("a\u3000\u00a0\n{%- if true -%}\u3000 b{% endif %}"));
    }

    @Test
    void oneTrailingNewlineOfTheSourceIsDropped() {
        assertEquals("x", render("x\n"));
        assertEquals("x\n", render("x\n\n"));
        assertEquals("a\nb", render("a\r\nb\r\n"));
    }

    @Test
    void loopVariables() {
        assertEquals("1/3 first 0 2|2/3 1 1|3/3 last 2 0|",
                render("{% for x in xs %}{{ loop.index }}/{{ loop.length }}{% if loop.first %} first{% endif %}"
                        + "{% if loop.last %} last{% endif %} {{ loop.index0 }} {{ loop.revindex0 }}|{% endfor %}",
                        "xs", List.of("a", "b", "c")));
        assertEquals("ab|none", render("{% for x in xs if x %}{{ x }}{% endfor %}|"
                + "{% for x in [] %}x{% else %}none{% endfor %}", "xs", List.of("a", "", "b")));
        assertEquals("024", render("{% for x in range(10) %}{% if x is odd %}{% continue %}{% endif %}"
                + "{% if x > 5 %}{% break %}{% endif %}{{ x }}{% endfor %}"));
    }

    @Test
    void slicingIsPythons() {
        List<Integer> xs = List.of(1, 2, 3, 4);
        assertEquals("[4, 3, 2, 1] [2, 3, 4] [1, 2, 3] [3, 4] [1, 3] [4, 2]",
                render("{{ xs[::-1] }} {{ xs[1:] }} {{ xs[:-1] }} {{ xs[-2:] }} {{ xs[::2] }} {{ xs[::-2] }}", "xs", xs));
        // strings are sequences of code points, not UTF-16 units
        assertEquals("5 c\uD834\uDD1Eb\uD83D\uDE00a \uD83D\uDE00",
                render("{{ s | length }} {{ s[::-1] }} {{ s[1] }}", "s", "a\uD83D\uDE00b\uD834\uDD1Ec"));
    }

    @Test
    void namespaceCarriesStateOutOfLoopsWhereSetDoesNot() {
        assertEquals("0 6 [3, 1, 2]", render("{% set total = 0 %}{% set ns = namespace(total=0, seen=[]) %}"
                + "{% for x in xs %}{% set total = total + x %}{% set ns.total = ns.total + x %}"
                + "{% set ns.seen = ns.seen + [x] %}{% endfor %}{{ total }} {{ ns.total }} {{ ns.seen }}",
                "xs", List.of(3, 1, 2)));
    }

    @Test
    void tojsonIsJsonDumpsWithoutHtmlEscaping() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("b", List.of(1, 2.5, true));
        d.put("a", "<é>\n");
        d.put("n", null);
        assertEquals("{\"b\": [1, 2.5, true], \"a\": \"<é>\\n\", \"n\": null}", render("{{ d | tojson }}", "d", d));
        assertEquals("{\n  \"a\": \"<é>\\n\",\n  \"b\": [\n    1,\n    2.5,\n    true\n  ],\n  \"n\": null\n}",
                render("{{ d | tojson(indent=2, sort_keys=true) }}", "d", d));
        assertEquals("{\"b\":[1,2.5,true],\"a\":\"<\\u00e9>\\n\",\"n\":null}",
                render("{{ d | tojson(separators=(',', ':'), ensure_ascii=true) }}", "d", d));
    }

    @Test
    void undefinedRendersEmptyIsFalsyAndFailsOnUse() {
        assertEquals("[][False][0][x][True]", render("[{{ nope }}][{{ nope is defined }}][{{ nope | length }}]"
                + "[{{ nope or 'x' }}][{{ nope == other }}]"));
        assertEquals("[][]", render("[{{ d.missing }}][{{ xs[5] }}]", "d", Map.of(), "xs", List.of()));
        TemplateException e = assertThrows(TemplateException.class, () -> render("{{ nope.attr }}"));
        assertEquals("UndefinedError: 'nope' is undefined", e.pythonMessage());
        e = assertThrows(TemplateException.class, () -> render("{{ d.missing.attr }}", "d", Map.of()));
        assertEquals("UndefinedError: 'dict object' has no attribute 'missing'", e.pythonMessage());
    }

    @Test
    void tokensNotBoundStayUndefinedAndNoneIsNone() {
        Map<String, Object> vars = new HashMap<>();
        vars.put("tools", null);
        assertEquals("[][None][True][True]", Template.compile("[{{ bos_token }}][{{ tools }}][{{ tools is defined }}]"
                + "[{{ tools is none }}]").render(vars, LocalDateTime.now()));
    }

    @Test
    void stringMethods() {
        assertEquals("final|reasoning", render("{{ t.split('</think>')[-1].lstrip('\\n') }}|"
                + "{{ t.split('</think>')[0].rstrip('\\n').split('<think>')[-1].lstrip('\\n') }}",
                "t", "<think>\nreasoning\n</think>\n\nfinal"));
        assertEquals("True False ['a', 'b  '] x", render("{{ s.startswith('<tool') }} {{ s.endswith('x') }} "
                + "{{ '  a b  '.split(none, 1) }} {{ 'xx'.replace('x', '', 1) }}", "s", "<tool_response>"));
        // trim / strip() remove Unicode whitespace (U+00A0, U+3000, U+2028), unlike Java's String.trim()
        assertEquals("[text]", render("[{{ s | trim }}]", "s", "\u3000\u00a0 text \u2028\t"));
    }

    @Test
    void pythonStrOfValues() {
        assertEquals("None True 1.0 1e+16 0.30000000000000004 [\"it's\", 'x\\n', {'k': (1,)}]",
                render("{{ none }} {{ true }} {{ 1.0 }} {{ 1e16 }} {{ 0.1 + 0.2 }} {{ ['it\\'s', 'x\\n', {'k': (1,)}] }}"));
        assertEquals("2 -4 3.5 1267650600228229401496703205376", render("{{ 7 // 3 }} {{ -7 // 2 }} {{ 7 / 2 }} {{ 2 ** 100 }}"));
    }

    @Test
    void sandboxRefusesMutation() {
        TemplateException e = assertThrows(TemplateException.class, () -> render("{{ d.update({'a': 1}) }}", "d", Map.of()));
        assertEquals("SecurityError", e.pythonType());
        assertEquals("", render("{{ xs.pop }}", "xs", List.of()));
    }

    @Test
    void generationTagRendersItsBodyInItsOwnScope() {
        assertEquals("<1>0<2>0", render("{% set x = 0 %}{% for i in [1, 2] %}{% generation %}<{{ loop.index }}>"
                + "{% set x = 9 %}{% endgeneration %}{{ x }}{% endfor %}"));
    }

    @Test
    void strftimeNow() {
        assertEquals("2026-01-01|01 Jan 2026|Thursday, January 1|12:00:00 AM",
                render("{{ strftime_now('%Y-%m-%d') }}|{{ strftime_now('%d %b %Y') }}|"
                        + "{{ strftime_now('%A, %B %-d') }}|{{ strftime_now('%r') }}"));
    }
}
