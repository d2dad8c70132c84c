"""Checks `proviso doc` on the fixture in tests/doc/fixture: escaping, anchors, links both ways, a table
rendered as <table>, tests rendered as worked examples with their verdicts, and no site at all when a
policy does not compile.

    check_generator.py --proviso build/tools/proviso
"""

import argparse
import html.parser
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "fixture")


class Page(html.parser.HTMLParser):
    """The ids, links, tables and text of one page."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.ids, self.hrefs, self.tags, self.classes = [], [], [], []
        self.text = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        self.classes.extend((a.get("class") or "").split())

    def handle_data(self, data):
        self.text.append(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proviso", required=True)
    args = ap.parse_args()
    problems = []

    def check(cond, what):
        if not cond:
            problems.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "site")
        r = subprocess.run([args.proviso, "doc", FIXTURE, "--out", out], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"proviso doc failed ({r.returncode}):\n{r.stdout}{r.stderr}")
            return 1
        files = sorted(os.listdir(out))
        check(files == ["index.html", "law-fee_rules.html", "policy-fees.html", "style.css"], f"the site's files: {files}")
        raw = {f: open(os.path.join(out, f), encoding="utf-8").read() for f in files if f.endswith(".html")}
        pages = {f: Page(t) for f, t in raw.items()}
        policy, law, index = raw["policy-fees.html"], raw["law-fee_rules.html"], raw["index.html"]

        # Escaping: the law's and the policy's markup characters are text, never markup; Chinese is as is.
        check("<b>not bold</b>" not in law and "&lt;b&gt;not bold&lt;/b&gt;" in law, "law text <b> not escaped")
        check("&lt; 100 &amp; the payer" in law, "law text < & not escaped")
        check("Fee Rules &lt;draft&gt; &amp; Notes 收费规则" in law, "law title not escaped, or its Chinese altered")
        check("第二条 The payer must pay" in policy, "the cited law text (Chinese) is not beside the policy")
        check("Fees for late payers &lt;A &amp; B&gt;" in policy, "policy title not escaped")
        check("&quot;late&quot; means after the due date; 收费 applies" in policy, "interpretation not shown escaped")
        check("b" not in pages["law-fee_rules.html"].tags, "a <b> element came from the law text")
        for f, t in raw.items():
            check('<meta charset="utf-8">' in t, f"{f}: no UTF-8 meta")
            check("http://" not in t and "https://" not in t, f"{f}: an absolute URL (the site must be self-contained)")

        # Anchors: every paragraph, every declaration; unique on their page.
        for pid in ["h", "p1", "p2.1", "p3"]:
            check(pid in pages["law-fee_rules.html"].ids, f"law page has no anchor {pid}")
        for a in ["policy", "not-encoded-6", "enum-Payer", "input", "table-fee_of", "output-fee", "rule-charge", "rule-waive",
                  "obligation-pay", "test-a-late-person-pays-5", "test-on-time-pays-nothing", "test-this-one-fails-on-purpose"]:
            check(a in pages["policy-fees.html"].ids, f"policy page has no anchor {a}")
        for f, pg in pages.items():
            check(len(pg.ids) == len(set(pg.ids)), f"{f}: an id is used twice")

        # Links both ways: cite -> paragraph, paragraph -> citing declaration, not encoded both ways.
        ph = pages["policy-fees.html"].hrefs
        lh = pages["law-fee_rules.html"].hrefs
        for h in ["law-fee_rules.html#p1", "law-fee_rules.html#p2.1", "law-fee_rules.html#p3"]:
            check(h in ph, f"policy page does not link to {h}")
        for h in ["policy-fees.html#rule-charge", "policy-fees.html#rule-waive", "policy-fees.html#table-fee_of",
                  "policy-fees.html#obligation-pay", "policy-fees.html#not-encoded-6", "policy-fees.html#test-a-late-person-pays-5"]:
            check(h in lh, f"law page does not link back to {h}")
        check("#rule-charge" in ph, "`exception to charge` does not link to the rule")
        check('<a href="law-fee_rules.html"><span class="s">&quot;law/fee_rules.law&quot;</span></a>' in policy,
              "`law \"law/fee_rules.law\"` does not link to the law page")
        check('<span class="status status-not-encoded">not encoded</span>' in law, "p3 not shown as not encoded")
        check('<span class="status status-informative">informative</span>' in law, "h not shown as informative")
        check("policy-fees.html" in pages["index.html"].hrefs and "law-fee_rules.html" in pages["index.html"].hrefs,
              "the index does not link to the pages")

        # The table as a table: a header cell per column and one row per table row (and its hit policy).
        check('<table class="decision">' in policy, "the decision table is not a <table>")
        table = policy[policy.index('<table class="decision">'):policy.index("</table>", policy.index('<table class="decision">'))]
        check(table.count("<tr>") == 4, f"the table has {table.count('<tr>') - 1} rows, not 3")
        check("hit policy: <b>first</b>" in table, "the hit policy is not shown")
        check('<span class="o">&lt;</span>' in table, "a cell's `<` is not escaped and highlighted")

        # Tests as worked examples, with their verdicts now.
        check(policy.count('<div class="example">') == 3, "the tests are not three examples")
        check(policy.count("passes now") == 2 and policy.count("fails now") == 1, "the verdicts are wrong")
        check("expected `fee` = 99, got 10" in policy.replace("&#39;", "'").replace("&quot;", '"'), "the failure is not shown")
        check('<p class="as-of">as of <code><span class="mo">2020-01-10</span></code></p>' in policy,
              "the test's as-of is not shown")

        # Highlighting: keywords and strings by token kind.
        check('<span class="kd">rule</span> <span class="n">charge</span>' in policy, "a rule is not highlighted")
        check('<span class="cs">' not in policy, "doc comments should be shown as prose, not in the source")
        check('<blockquote class="doc">&quot;A fee is charged when the amount is &lt; 100 &amp; the payer is late&quot;</blockquote>' in policy,
              "the table's /// comment is not shown")

        # Counts on the index: 2 rules, 1 obligation, 3 tests (1 failing).
        check("<td>2</td><td>1</td><td>1</td><td>3 <span class=\"verdict fail\">(1 fail)</span></td>" in index, "index counts")

        # A policy that does not compile: its diagnostics, exit 1, and no site.
        bad = os.path.join(tmp, "bad")
        os.makedirs(bad)
        with open(os.path.join(bad, "bad.proviso"), "w") as f:
            f.write("policy bad\noutput x: int\nrule r { when nope then x = 1 }\n")
        out2 = os.path.join(tmp, "site2")
        r = subprocess.run([args.proviso, "doc", FIXTURE, bad, "--out", out2], capture_output=True, text=True)
        check(r.returncode == 1, f"a policy that does not compile: exit {r.returncode}, not 1")
        check("bad.proviso:3:" in r.stderr and "nope" in r.stderr, f"no diagnostic for the bad policy: {r.stderr}")
        check(not os.path.exists(out2), "a site was written although a policy does not compile")
        r = subprocess.run([args.proviso, "doc", os.path.join(tmp, "no-such-folder"), "--out", out2], capture_output=True, text=True)
        check(r.returncode == 1 and "no such file or folder" in r.stderr, f"a missing path: {r.returncode} {r.stderr}")

    for p in problems:
        print("FAIL:", p)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
