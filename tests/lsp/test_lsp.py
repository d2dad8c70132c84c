"""End-to-end tests of `proviso lsp`: a client speaks JSON-RPC to the server over its pipes.

    python3 tests/lsp/test_lsp.py --proviso build/tools/proviso [unittest arguments, e.g. Features]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lsp_client import LspClient, path_uri, position_of, range_of, utf16_len  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PROVISO = "proviso"

# A policy with Chinese text and a character outside the BMP (two UTF-16 units) before names on the
# same lines, so that a server counting bytes or code points gets the columns wrong.
MAIN = """policy demo
  title "演示 demo 😀"
  law "demo.law"

import "lib/common.proviso"

/// 风险 the risk of a request
enum Risk { low, high }

record Person {
  /// 年龄 the age in years
  age: int
  name: text
}

input {
  /// the person asking
  person: Person
  risk: Risk
  channel: Channel
}

/// 最低年龄 the minimum age
param min_age: int = 18 cite "p1"

let note: text = if "中文😀" == "x" then "甲" else "乙"
let online = is_online(channel)
/// 成年人 how many adults
let adults = count p in [person]: p.age >= min_age

output allowed: bool

rule allow {
  when person.age >= min_age and risk == Risk.low and note != "" and online and adults > 0
  then allowed = true
  cite "p1"
}

test "adult online 张三" {
  given person.age = 20
  given person.name = "张三"
  given risk = low
  given channel = web
  expect allowed = true
}
"""

COMMON = """policy common

/// 渠道 how a request arrives
enum Channel { phone, web }

/// whether the channel is online
function is_online(c: Channel) -> bool = c == Channel.web
"""

LAW = """document demo_law "演示法 Demo Law"

[p1]
第一条 A person of at least 18 years may apply 😀.
"""

# Tables, versions of a param, record literals, `match`, exceptions, `for each` and test items.
CONSTRUCTS = """policy extra

enum Level { low, high }
record Box { size: int, level: Level }

input {
  level: Level
  boxes: list<Box>
}

table weight(l: Level) -> int hit unique {
  low => 1
  high => 2
}

param limit: int = 3 effective from 2020-01-01 until 2024-01-01
param limit: int = 2 effective from 2024-01-01

let w = weight(level)
let box1: Box = {size: 1, level: high}
let label: text = match level { low => "small", high => "big" }

output heavy: bool
rule base { then heavy = false }
rule over exception to base { when w > limit and box1.size > 0 and label != "" then heavy = true }

obligation report {
  subject "operator"
  must "report heavy boxes"
  when heavy
}

for each b in boxes {
  output big: bool
  rule sized { then big = b.size > limit }
}

test "heavy" {
  as of 2024-06-01
  given level = high
  given boxes = []
  set limit = 1
  expect heavy = true
  expect obligation report
}
"""

# The unknown name sits after a string with Chinese text and an emoji on the same line.
BROKEN_LINE = 'let note: text = if "中文😀" == "x" then undefined_name else "乙"'


class ServerTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="proviso-lsp-"))
        (self.dir / "lib").mkdir()
        self.main = self.dir / "demo.proviso"
        self.main.write_text(MAIN)
        self.common = self.dir / "lib" / "common.proviso"
        self.common.write_text(COMMON)
        (self.dir / "demo.law").write_text(LAW)
        self.client = LspClient(PROVISO, cwd=str(self.dir))

    def tearDown(self) -> None:
        self.client.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def open_main(self, text: str = MAIN) -> str:
        self.client.initialize(self.dir)
        uri = self.client.open(self.main, text)
        return uri

    def at(self, uri: str, needle: str, occurrence: int = 0, offset: int = 1, text: str = MAIN) -> dict:
        return {"textDocument": {"uri": uri}, "position": position_of(text, needle, occurrence, offset)}


class Lifecycle(ServerTest):
    def test_initialize_advertises_the_features(self) -> None:
        result = self.client.initialize(self.dir)
        caps = result["capabilities"]
        self.assertEqual(caps["textDocumentSync"]["change"], 2)
        self.assertTrue(caps["textDocumentSync"]["openClose"])
        for name in ("hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider",
                     "documentHighlightProvider"):
            self.assertTrue(caps[name], name)
        self.assertEqual(caps["completionProvider"]["triggerCharacters"], ["."])
        self.assertTrue(caps["renameProvider"]["prepareProvider"])
        self.assertEqual(caps["codeActionProvider"]["codeActionKinds"], ["quickfix"])
        self.assertIs(caps.get("documentFormattingProvider"), True)  # `proviso fmt` (tests/fmt/run_lsp_format.py)
        self.assertEqual(result["serverInfo"]["name"], "proviso")
        self.assertEqual(self.client.shutdown_and_exit(), 0)

    def test_log_file_traces_the_messages(self) -> None:
        self.client.close()
        log = self.dir / "trace.log"
        self.client = LspClient(PROVISO, args=["--log", str(log)], cwd=str(self.dir))
        self.client.initialize(self.dir)
        self.client.request("textDocument/noSuchThing", {})
        self.assertEqual(self.client.shutdown_and_exit(), 0)
        trace = log.read_text()
        self.assertIn('<- {"jsonrpc": "2.0", "id": 1, "method": "initialize"', trace)
        self.assertIn("unknown method `textDocument/noSuchThing`", trace)

    def test_exit_without_shutdown_is_exit_code_1(self) -> None:
        self.client.initialize(self.dir)
        self.client.notify("exit")
        self.assertEqual(self.client.proc.wait(20), 1)

    def test_requests_before_initialize_are_refused(self) -> None:
        response = self.client.request("textDocument/hover", {"textDocument": {"uri": "file:///x"},
                                                              "position": {"line": 0, "character": 0}})
        self.assertEqual(response["error"]["code"], -32002)
        self.client.initialize(self.dir)
        self.assertEqual(self.client.shutdown_and_exit(), 0)

    def test_unknown_method_is_method_not_found(self) -> None:
        self.client.initialize(self.dir)
        response = self.client.request("textDocument/noSuchThing", {})
        self.assertEqual(response["error"]["code"], -32601)
        response = self.client.request("workspace/executeCommand", {"command": "x"})
        self.assertEqual(response["error"]["code"], -32601)
        self.client.notify("$/noSuchNotification", {})  # ignored
        self.assertEqual(self.client.shutdown_and_exit(), 0)

    def test_malformed_messages_do_not_crash_the_server(self) -> None:
        self.client.initialize(self.dir)
        self.client.send_raw(b"Content-Length: 9\r\n\r\nnot json!")
        response = self.client.wait(lambda m: "error" in m and m.get("id") is None)
        self.assertEqual(response["error"]["code"], -32700)
        self.client.send_raw(b"Content-Type: text/plain\r\n\r\n")  # no Content-Length
        response = self.client.wait(lambda m: "error" in m and m.get("id") is None)
        self.assertEqual(response["error"]["code"], -32700)
        self.client.send_raw(b"Content-Length: 99999999999\r\n\r\n")  # over the limit: skipped, not allocated
        response = self.client.wait(lambda m: "error" in m and m.get("id") is None)
        self.assertIn("over the limit", response["error"]["message"])
        self.client.proc.stdin.close()  # the rest of that "message" never comes
        self.assertEqual(self.client.proc.wait(20), 1)

    def test_garbage_and_odd_requests_never_stop_the_server(self) -> None:
        import random
        rng = random.Random(7)
        self.client.initialize(self.dir)
        uri = self.client.open(self.main)
        self.client.diagnostics(uri)
        methods = ["textDocument/hover", "textDocument/definition", "textDocument/references", "textDocument/rename",
                   "textDocument/completion", "textDocument/documentSymbol", "textDocument/prepareRename",
                   "textDocument/didChange", "textDocument/didOpen", "textDocument/didClose", "initialize"]
        values = [None, 0, -1, 2**40, "x", "", [], {}, {"line": -5, "character": 10**9}, {"uri": uri}, [1, {"a": 2}]]
        for i in range(300):
            kind = rng.randrange(4)
            if kind == 0:
                self.client.send_raw(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40))) + b"\r\n\r\n")
            elif kind == 1:
                body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 30)))
                self.client.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            else:
                params = {"textDocument": rng.choice([{"uri": uri}, {"uri": 5}, {}, "x"]),
                          "position": rng.choice(values), "newName": rng.choice(["x", "", "rule", 3]),
                          "contentChanges": rng.choice([[], [{"text": "policy q"}], [{"range": rng.choice(values)}], 1]),
                          "context": rng.choice(values)}
                message = {"jsonrpc": "2.0", "method": rng.choice(methods), "params": rng.choice([params, params, None, 3])}
                if kind == 2:
                    message["id"] = 1000 + i
                self.client.send(message)
        # Still answering, and the document usable once opened again (the noise may have closed it).
        self.client.open(self.main, MAIN, version=99)
        hover = self.client.result("textDocument/hover", self.at(uri, "min_age", 1))
        self.assertIn("param min_age", hover["contents"]["value"])
        self.assertEqual(self.client.shutdown_and_exit(), 0)

    def test_bad_params_are_an_error_not_a_crash(self) -> None:
        self.client.initialize(self.dir)
        uri = self.client.open(self.main)
        self.client.diagnostics(uri)
        response = self.client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": "here"})
        self.assertEqual(response["error"]["code"], -32602)
        self.client.send({"jsonrpc": "2.0", "id": 77, "method": "textDocument/hover", "params": [1, 2]})
        self.assertIn("error", self.client.wait(lambda m: m.get("id") == 77))
        self.assertEqual(self.client.shutdown_and_exit(), 0)


class Diagnostics(ServerTest):
    def test_a_clean_policy_has_no_errors(self) -> None:
        uri = self.open_main()
        diags = self.client.diagnostics(uri)
        self.assertEqual([d for d in diags if d["severity"] == 1], [])

    def test_an_error_has_its_exact_range_and_code_then_clears(self) -> None:
        broken = MAIN.replace('let note: text = if "中文😀" == "x" then "甲" else "乙"', BROKEN_LINE)
        self.assertNotEqual(broken, MAIN)
        uri = self.open_main(broken)
        diags = self.client.diagnostics(uri)
        errors = [d for d in diags if d["severity"] == 1]
        self.assertEqual(len(errors), 1, diags)
        self.assertEqual(errors[0]["code"], "E0111")
        self.assertIn("undefined_name", errors[0]["message"])
        expected = range_of(broken, "undefined_name")
        # "中文😀" is 3 code points, 4 UTF-16 units and 10 bytes: only the UTF-16 count is right.
        prefix = broken.splitlines()[expected["start"]["line"]].split("undefined_name")[0]
        self.assertEqual(expected["start"]["character"], utf16_len(prefix))
        self.assertNotEqual(utf16_len(prefix), len(prefix))
        self.assertEqual(errors[0]["range"], expected)
        # Fixed by an incremental change that replaces the name.
        r = range_of(broken, "undefined_name")
        self.client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                                      "contentChanges": [{"range": r, "text": '"甲"'}]})
        diags = self.client.diagnostics(uri)
        self.assertEqual([d for d in diags if d["severity"] == 1], [])

    def test_a_misspelt_name_has_a_quick_fix(self) -> None:
        broken = MAIN.replace("when person.age >= min_age", "when person.agee >= min_agee")
        uri = self.open_main(broken)
        errors = [d for d in self.client.diagnostics(uri) if d["severity"] == 1]
        self.assertEqual(sorted(d["code"] for d in errors), ["E0111", "E0113"])
        actions = self.client.result("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": errors[0]["range"], "context": {"diagnostics": errors}})
        edits = sorted((a["title"], a["edit"]["changes"][uri][0]["range"]["start"]["character"],
                        a["edit"]["changes"][uri][0]["newText"]) for a in actions)
        self.assertEqual(edits, [
            ("change `agee` to `age`", position_of(broken, "agee")["character"], "age"),
            ("change `min_agee` to `min_age`", position_of(broken, "min_agee")["character"], "min_age")])
        for a in actions:
            self.assertEqual(a["kind"], "quickfix")
            (edit,) = a["edit"]["changes"][uri]
            self.assertEqual(edit["range"], range_of(broken, edit["newText"] + "e"))

    def test_a_text_that_does_not_parse_gives_diagnostics_and_keeps_the_symbols(self) -> None:
        uri = self.open_main()
        self.client.diagnostics(uri)
        broken = MAIN.replace("output allowed: bool", "output allowed: bool = = ")
        self.client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                                      "contentChanges": [{"text": broken}]})
        diags = self.client.diagnostics(uri)
        self.assertTrue(any(d["severity"] == 1 for d in diags), diags)
        hover = self.client.result("textDocument/hover", self.at(uri, "min_age", 1))
        self.assertIn("param min_age: int", hover["contents"]["value"])

    def test_a_type_error_with_a_note(self) -> None:
        broken = MAIN.replace("output allowed: bool", "output allowed: bool\noutput allowed: int")
        uri = self.open_main(broken)
        diags = self.client.diagnostics(uri)
        dup = [d for d in diags if d["code"] == "E0101"]
        self.assertEqual(len(dup), 1, diags)
        self.assertEqual(dup[0]["range"], range_of(broken, "allowed", 1))
        self.assertEqual(dup[0]["relatedInformation"][0]["location"]["range"], range_of(broken, "allowed", 0))

    def test_a_constant_that_cannot_be_computed(self) -> None:
        broken = MAIN.replace("param min_age: int = 18", "param min_age: int = 18 / 0")
        uri = self.open_main(broken)
        errors = [d for d in self.client.diagnostics(uri) if d["severity"] == 1]
        self.assertEqual([d["code"] for d in errors], ["E0507"])
        self.assertEqual(errors[0]["range"], range_of(broken, "18 / 0"))
        hover = self.client.result("textDocument/hover", self.at(uri, "min_age", 1, 1, broken))
        self.assertIn("param min_age: int = (18 / 0)", hover["contents"]["value"])

    def test_saving_an_import_and_closing(self) -> None:
        uri = self.open_main()
        self.assertEqual([d for d in self.client.diagnostics(uri) if d["severity"] == 1], [])
        self.common.write_text(COMMON.replace("enum Channel { phone, web }", "enum Channel { phone }"))
        self.client.notify("textDocument/didSave", {"textDocument": {"uri": path_uri(self.common)}})
        errors = [d for d in self.client.diagnostics(uri) if d["severity"] == 1]
        self.assertTrue(errors)  # `web` is gone from the import: the open policy is compiled again
        self.client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        self.assertEqual(self.client.diagnostics(uri), [])  # closed: its diagnostics are cleared

    def test_diagnostics_of_an_import_go_to_its_uri(self) -> None:
        self.common.write_text(COMMON + "function broken() -> int = \"text\"\n")
        uri = self.open_main()
        seen = {}
        for _ in range(2):
            m = self.client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
            seen[m["params"]["uri"]] = m["params"]["diagnostics"]
        self.assertIn(path_uri(self.common), seen)
        self.assertTrue(any(d["severity"] == 1 for d in seen[path_uri(self.common)]))
        self.assertEqual([d for d in seen[uri] if d["severity"] == 1], [])
        # Once the import is open, its diagnostics come from its own text only (here: fixed, not saved).
        lib = self.client.open(self.common, COMMON)
        self.assertEqual([d for d in self.client.diagnostics(lib) if d["severity"] == 1], [])
        self.client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                                      "contentChanges": [{"text": MAIN + "\n"}]})
        self.client.diagnostics(uri)
        self.client.request("shutdown")  # everything sent before it has been handled
        stale = [m for m in self.client.pending if m.get("method") == "textDocument/publishDiagnostics"
                 and m["params"]["uri"] == lib]
        self.assertEqual(stale, [])


class Features(ServerTest):
    def setUp(self) -> None:
        super().setUp()
        self.uri = self.open_main()
        self.client.diagnostics(self.uri)

    def hover(self, needle: str, occurrence: int = 0, offset: int = 1) -> str:
        result = self.client.result("textDocument/hover", self.at(self.uri, needle, occurrence, offset))
        self.assertIsNotNone(result, needle)
        return result["contents"]["value"]

    def test_hover_on_a_field_shows_its_type_and_doc(self) -> None:
        text = self.hover("p.age", 0, 3)  # `age` of `p.age`
        self.assertIn("Person.age: int", text)
        self.assertIn("年龄 the age in years", text)

    def test_hover_on_a_param_and_an_input_field(self) -> None:
        text = self.hover("min_age", 1)
        self.assertIn("param min_age: int = 18", text)
        self.assertIn("最低年龄 the minimum age", text)
        text = self.hover("person.age", 0)
        self.assertIn("input.person: Person", text)
        self.assertIn("the person asking", text)

    def test_hover_on_an_enum_value(self) -> None:
        text = self.hover("Risk.low", 0, 6)
        self.assertIn("Risk.low", text)
        self.assertIn("of type `Risk`", text)
        self.assertNotIn("风险", text)  # the enum's doc is not the value's
        self.assertNotIn("how many adults", self.hover("p.age", 0, 0))  # nor a let's doc its variable's
        self.assertIn("how many adults", self.hover("adults > 0", 0, 1))
        self.assertIn("风险 the risk", self.hover("Risk.low", 0, 1))

    def test_hover_on_a_cite_shows_the_law(self) -> None:
        text = self.hover('cite "p1"', 1, 7)
        self.assertIn("演示法 Demo Law", text)
        self.assertIn("第一条 A person of at least 18 years may apply 😀.", text)

    def test_hover_on_nothing_is_null(self) -> None:
        self.assertIsNone(self.client.result("textDocument/hover", self.at(self.uri, "policy demo", 0, 0)))

    def test_definition_in_the_file_and_across_an_import(self) -> None:
        loc = self.client.result("textDocument/definition", self.at(self.uri, "min_age", 2))
        self.assertEqual(loc["uri"], self.uri)
        self.assertEqual(loc["range"], range_of(MAIN, "min_age", 0))
        loc = self.client.result("textDocument/definition", self.at(self.uri, "is_online"))
        self.assertEqual(loc["uri"], path_uri(self.common))
        self.assertEqual(loc["range"], range_of(COMMON, "is_online"))
        loc = self.client.result("textDocument/definition", self.at(self.uri, "web", 0))  # `given channel = web`
        self.assertEqual(loc["uri"], path_uri(self.common))
        self.assertEqual(loc["range"], range_of(COMMON, "web", 0))
        loc = self.client.result("textDocument/definition", self.at(self.uri, 'cite "p1"', 0, 7))
        self.assertEqual(loc["uri"], path_uri(self.dir / "demo.law"))
        self.assertEqual(loc["range"]["start"]["line"], 2)

    def test_definition_of_an_import_and_a_law_file(self) -> None:
        loc = self.client.result("textDocument/definition", self.at(self.uri, 'import "lib', 0, 10))
        self.assertEqual(loc["uri"], path_uri(self.common))
        loc = self.client.result("textDocument/definition", self.at(self.uri, 'law "demo.law"', 0, 6))
        self.assertEqual(loc["uri"], path_uri(self.dir / "demo.law"))

    def test_definition_of_a_quantifier_variable(self) -> None:
        loc = self.client.result("textDocument/definition", self.at(self.uri, "p.age"))
        self.assertEqual(loc["range"], range_of(MAIN, "p in", 0) | {"end": {
            "line": range_of(MAIN, "p in")["start"]["line"],
            "character": range_of(MAIN, "p in")["start"]["character"] + 1}})

    def test_references(self) -> None:
        params = self.at(self.uri, "min_age", 0) | {"context": {"includeDeclaration": True}}
        refs = self.client.result("textDocument/references", params)
        self.assertEqual(sorted(r["range"]["start"]["line"] for r in refs),
                         sorted(position_of(MAIN, "min_age", i)["line"] for i in range(3)))
        params["context"]["includeDeclaration"] = False
        refs = self.client.result("textDocument/references", params)
        self.assertEqual(len(refs), 2)
        self.assertNotIn(range_of(MAIN, "min_age", 0), [r["range"] for r in refs])
        # A field: its declaration, `person.age` in the rule, `p.age`, and the test's `given person.age`.
        params = self.at(self.uri, "age: int", 0) | {"context": {"includeDeclaration": True}}
        refs = self.client.result("textDocument/references", params)
        self.assertEqual(len(refs), 4, refs)

    def test_completion_after_an_enum_name(self) -> None:
        text = MAIN.replace("risk == Risk.low", "risk == Risk.")
        self.client.notify("textDocument/didChange", {"textDocument": {"uri": self.uri, "version": 2},
                                                      "contentChanges": [{"text": text}]})
        self.client.diagnostics(self.uri)
        result = self.client.result("textDocument/completion", self.at(self.uri, "Risk.", 0, 5, text))
        self.assertEqual(sorted(i["label"] for i in result["items"]), ["high", "low"])
        self.assertTrue(all(i["kind"] == 20 for i in result["items"]))

    def test_completion_of_record_fields(self) -> None:
        text = MAIN.replace("when person.age", "when person.")
        self.client.notify("textDocument/didChange", {"textDocument": {"uri": self.uri, "version": 2},
                                                      "contentChanges": [{"text": text}]})
        result = self.client.result("textDocument/completion", self.at(self.uri, "when person.", 0, 12, text))
        self.assertEqual(sorted(i["label"] for i in result["items"]), ["age", "name"])

    def test_completion_in_general(self) -> None:
        result = self.client.result("textDocument/completion", self.at(self.uri, "then allowed", 0, 5))
        labels = {i["label"]: i["kind"] for i in result["items"]}
        for name, kind in (("min_age", 21), ("person", 5), ("note", 6), ("allowed", 10), ("is_online", 3),
                           ("Risk", 13), ("low", 20), ("web", 20), ("Person", 22), ("months_between", 3)):
            self.assertEqual(labels.get(name), kind, name)
        for keyword in ("when", "then", "obligation", "as_of", "interpretation", "working"):
            self.assertEqual(labels.get(keyword), 14, keyword)
        self.assertNotIn("p", labels)  # the quantifier's variable is not in scope here
        sort = {i["label"]: i["sortText"] for i in result["items"]}
        self.assertLess(sort["min_age"], sort["low"])
        self.assertLess(sort["low"], sort["months_between"])
        self.assertLess(sort["months_between"], sort["when"])
        inside = self.client.result("textDocument/completion", self.at(self.uri, "p.age", 0, 0))
        self.assertIn("p", {i["label"] for i in inside["items"]})

    def test_rename(self) -> None:
        params = self.at(self.uri, "min_age", 1)
        prep = self.client.result("textDocument/prepareRename", params)
        self.assertEqual(prep["range"], range_of(MAIN, "min_age", 1))
        edit = self.client.result("textDocument/rename", params | {"newName": "minimum_age"})
        edits = edit["changes"][self.uri]
        self.assertEqual(sorted((e["range"]["start"]["line"], e["range"]["start"]["character"]) for e in edits),
                         sorted((p["line"], p["character"]) for p in (position_of(MAIN, "min_age", i) for i in range(3))))
        self.assertTrue(all(e["newText"] == "minimum_age" for e in edits))
        # Across the import: the enum value `web` is declared in lib/common.proviso.
        edit = self.client.result("textDocument/rename", self.at(self.uri, "= web", 0, 2) | {"newName": "online_form"})
        self.assertEqual(len(edit["changes"][path_uri(self.common)]), 2)
        self.assertEqual(len(edit["changes"][self.uri]), 1)

    def test_references_and_rename_from_a_library_reach_the_open_policies(self) -> None:
        lib = self.client.open(self.common)
        self.client.diagnostics(lib)
        at = {"textDocument": {"uri": lib}, "position": position_of(COMMON, "phone, web", 0, 7)}
        refs = self.client.result("textDocument/references", at | {"context": {"includeDeclaration": True}})
        self.assertEqual(sorted(r["uri"] for r in refs), sorted([lib, lib, self.uri]))
        edit = self.client.result("textDocument/rename", at | {"newName": "online_form"})
        self.assertEqual(len(edit["changes"][lib]), 2)
        self.assertEqual(edit["changes"][self.uri], [{"range": range_of(MAIN, "web"), "newText": "online_form"}])

    def test_rename_refuses_keywords_bad_names_and_clashes(self) -> None:
        params = self.at(self.uri, "min_age", 1)
        for bad, why in (("rule", "keyword"), ("2x", "not a name"), ("a-b", "not a name"), ("note", "already declared")):
            response = self.client.request("textDocument/rename", params | {"newName": bad})
            self.assertIn("error", response, bad)
            self.assertIn(why, response["error"]["message"])

    def test_document_symbols(self) -> None:
        symbols = self.client.result("textDocument/documentSymbol", {"textDocument": {"uri": self.uri}})
        by_name = {s["name"]: s for s in symbols}
        for name in ("Risk", "Person", "input", "min_age", "note", "online", "adults", "allowed", "allow",
                     "adult online 张三"):
            self.assertIn(name, by_name)
        self.assertEqual([c["name"] for c in by_name["Person"]["children"]], ["age", "name"])
        self.assertEqual([c["name"] for c in by_name["Risk"]["children"]], ["low", "high"])
        self.assertEqual([c["name"] for c in by_name["input"]["children"]], ["person", "risk", "channel"])
        self.assertEqual(by_name["Risk"]["kind"], 10)
        start = position_of(MAIN, "rule allow", 0, 5)
        self.assertEqual(by_name["allow"]["selectionRange"],
                         {"start": start, "end": {"line": start["line"], "character": start["character"] + 5}})
        self.assertNotIn("is_online", by_name)  # declared in the import, not in this document

    def test_highlight(self) -> None:
        result = self.client.result("textDocument/documentHighlight", self.at(self.uri, "note", 0))
        self.assertEqual(len(result), 2)

    def test_a_real_policy(self) -> None:
        path = ROOT / "policies" / "cn" / "call_center.proviso"
        text = path.read_text()
        uri = self.client.open(path, text)
        diags = self.client.diagnostics(uri)
        self.assertEqual([d for d in diags if d["severity"] == 1], [])
        params = {"textDocument": {"uri": uri}, "position": position_of(text, "min_retention", 2, 1)}
        hover = self.client.result("textDocument/hover", params)["contents"]["value"]
        self.assertIn("param min_retention: duration = 30 days", hover)
        cite = {"textDocument": {"uri": uri}, "position": position_of(text, 'cite "p3"', 0, 7)}
        hover = self.client.result("textDocument/hover", cite)["contents"]["value"]
        self.assertIn("safekeep at least 30 days phone call records", hover)


class Constructs(ServerTest):
    def setUp(self) -> None:
        super().setUp()
        self.path = self.dir / "extra.proviso"
        self.path.write_text(CONSTRUCTS)
        self.client.initialize(self.dir)
        self.uri = self.client.open(self.path)
        self.assertEqual([d for d in self.client.diagnostics(self.uri) if d["severity"] == 1], [])

    def definition(self, needle: str, occurrence: int = 0, offset: int = 1) -> dict:
        params = {"textDocument": {"uri": self.uri}, "position": position_of(CONSTRUCTS, needle, occurrence, offset)}
        loc = self.client.result("textDocument/definition", params)
        self.assertIsNotNone(loc, needle)
        self.assertEqual(loc["uri"], self.uri)
        return loc["range"]

    def decl(self, needle: str, occurrence: int = 0, offset: int = 0, length: int = 0) -> dict:
        start = position_of(CONSTRUCTS, needle, occurrence, offset)
        return {"start": start, "end": {"line": start["line"], "character": start["character"] + length}}

    def test_each_name_leads_to_its_declaration(self) -> None:
        cases = [
            (("low => 1", 0, 0), ("low", 0, 0, 3)),                 # a table cell: an enum value
            (("l: Level", 0, 4), ("Level {", 0, 0, 5)),             # a type
            (("weight(level)", 0, 7), ("level: Level", 1, 0, 5)),   # an input field
            (("weight(level)", 0, 0), ("weight(l", 0, 0, 6)),       # a table
            (("size: 1", 0, 0), ("size: int", 0, 0, 4)),            # a field of a record literal
            (("high => \"big\"", 0, 0), ("high }", 0, 0, 4)),      # a `match` arm
            (("exception to base", 0, 14), ("rule base", 0, 5, 4)),  # `exception to`
            (("then heavy", 0, 6), ("output heavy", 0, 7, 5)),     # the output a rule sets
            (("box1.size", 0, 6), ("size: int", 0, 0, 4)),         # a field
            (("b.size", 0, 0), ("each b", 0, 5, 1)),               # the element of a `for each`
            (("set limit", 0, 5), ("param limit", 0, 6, 5)),       # a test's `set`
            (("param limit", 1, 6), ("param limit", 0, 6, 5)),     # the second version of a param
            (("expect heavy", 0, 8), ("output heavy", 0, 7, 5)),   # a test's `expect`
            (("obligation report", 1, 12), ("obligation report", 0, 11, 6)),
        ]
        for (needle, occ, off), (target, tocc, toff, length) in cases:
            with self.subTest(needle=needle):
                self.assertEqual(self.definition(needle, occ, off), self.decl(target, tocc, toff, length))

    def test_a_calendar_and_a_builtin(self) -> None:
        path = ROOT / "tests" / "golden" / "good" / "working_days.proviso"
        text = path.read_text()
        uri = self.client.open(path, text)
        self.client.diagnostics(uri)
        at = {"textDocument": {"uri": uri}, "position": position_of(text, "of cn_official", 0, 4)}
        loc = self.client.result("textDocument/definition", at)
        self.assertEqual(loc["uri"], path_uri((ROOT / "policies" / "calendars" / "cn_official.proviso").resolve()))
        at = {"textDocument": {"uri": uri}, "position": position_of(text, "is_working_day(received_on)", 0, 3)}
        hover = self.client.result("textDocument/hover", at)
        self.assertIn("builtin function", hover["contents"]["value"])
        self.assertEqual(hover["range"], range_of(text, "is_working_day"))

    def test_renaming_a_param_renames_every_version(self) -> None:
        params = {"textDocument": {"uri": self.uri}, "position": position_of(CONSTRUCTS, "w > limit", 0, 5),
                  "newName": "cap"}
        edits = self.client.result("textDocument/rename", params)["changes"][self.uri]
        self.assertEqual(len(edits), 5)  # two versions, two uses, the test's `set`

    def test_rename_refuses_a_clash_with_a_local(self) -> None:
        params = {"textDocument": {"uri": self.uri}, "position": position_of(CONSTRUCTS, "w > limit", 0, 0),
                  "newName": "b"}
        response = self.client.request("textDocument/rename", params)
        self.assertIn("already declared", response["error"]["message"])


def main() -> None:
    global PROVISO
    parser = argparse.ArgumentParser()
    parser.add_argument("--proviso", required=True)
    args, rest = parser.parse_known_args()
    PROVISO = str(Path(args.proviso).resolve())
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
