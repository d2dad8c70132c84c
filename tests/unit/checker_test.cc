// Checker: the types of expressions (read from the annotated AST), name resolution, the exception
// graph, and the specific diagnostic code of each kind of mistake.
#include "compiler/check/checker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/driver/driver.h"

namespace proviso {
namespace {

using ast::ExprKind;
using ast::RefKind;

std::unique_ptr<FrontEnd> Compile(const std::string& text) {
  return CompileSource("test.proviso", text);
}

std::string Rendered(const FrontEnd& fe) { return RenderText(fe.diags.diagnostics(), fe.sources); }

std::vector<std::string> Codes(const FrontEnd& fe) {
  std::vector<std::string> out;
  for (const Diagnostic& d : fe.diags.diagnostics()) out.push_back(d.code);
  return out;
}

bool HasCode(const FrontEnd& fe, const std::string& code) {
  std::vector<std::string> c = Codes(fe);
  return std::find(c.begin(), c.end(), code) != c.end();
}

const Diagnostic* Find(const FrontEnd& fe, const std::string& code) {
  for (const Diagnostic& d : fe.diags.diagnostics()) {
    if (d.code == code) return &d;
  }
  return nullptr;
}

// Compiles text that must check without any diagnostic (not even a warning).
std::unique_ptr<FrontEnd> CompileClean(const std::string& text) {
  auto fe = Compile(text);
  EXPECT_TRUE(fe->ok()) << Rendered(*fe);
  EXPECT_TRUE(fe->diags.diagnostics().empty()) << Rendered(*fe);
  return fe;
}

const LetSymbol* FindLet(const CheckedProgram& p, const std::string& name) {
  for (const LetSymbol& l : p.lets) {
    if (l.decl->name == name) return &l;
  }
  return nullptr;
}

// The Proviso spelling of the type of let `name`.
std::string LetType(const FrontEnd& fe, const std::string& name) {
  if (!fe.program) return "<no program>";
  const LetSymbol* l = FindLet(*fe.program, name);
  if (!l || !l->type) return "<no let>";
  return fe.program->types.Name(l->type);
}

// A shared preamble of declarations for expression typing.
const char* kPreamble = R"P(
enum Degree { very_serious, serious, light }
enum PfiClass { c3, c2, c1 }
record Item { price: decimal, weight: int, degree: Degree }
record Contact { email: text? }
input {
  n: int
  m: int
  price: decimal
  name: text
  on: date
  off: date?
  kept: duration
  flag: bool
  maybe: int?
  degree: Degree
  pfi: PfiClass?
  items: list<Item>
  codes: set<text>
  numbers: list<int>
  contact: Contact
  other: Contact?
}
param limit: int = 10
function twice(x: int) -> int = x * 2
table level(d: Degree) -> int hit unique { very_serious => 3
  serious => 2
  light => 1 }
table reasons(x: int) -> text hit collect { > 1 => "big"
  _ => "any" }
table total(x: int) -> int hit collect sum { > 1 => 2
  _ => 1 }
table hits(x: int) -> int hit collect count { > 1 => 2
  _ => 1 }
table grade(x: int) -> Degree hit priority { > 1 => serious
  _ => light }
)P";

TEST(Checker, TypesOfExpressions) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1", "int"},
      {"1.5", "decimal"},
      {"\"t\"", "text"},
      {"2020-07-31", "date"},
      {"30 days", "duration"},
      {"2 months", "duration"},
      {"true", "bool"},
      {"as_of", "date"},
      {"n + m * 2", "int"},
      {"price / 2.0", "decimal"},
      {"-price", "decimal"},
      {"n < m", "bool"},
      {"name == \"x\"", "bool"},
      {"not flag and flag or flag", "bool"},
      {"on + 30 days", "date"},
      {"30 days + on", "date"},
      {"on - 1 week", "date"},
      {"as_of - on", "duration"},
      {"kept + 1 day", "duration"},
      {"kept * 2", "duration"},
      {"3 * kept", "duration"},
      {"-kept", "duration"},
      {"off ?? as_of", "date"},
      {"maybe ?? 0", "int"},
      {"maybe", "int?"},
      {"maybe is present", "bool"},
      {"off is not present", "bool"},
      {"pfi ?? c1", "PfiClass"},
      {"[1, 2]", "list<int>"},
      {"{1, 2}", "set<int>"},
      {"{very_serious, light}", "set<Degree>"},
      {"[on, as_of]", "list<date>"},
      {"\"a\" in codes", "bool"},
      {"n not in numbers", "bool"},
      {"count(items)", "int"},
      {"sum(numbers)", "int"},
      {"min(numbers)", "int"},
      {"max(1, 2, 3)", "int"},
      {"min(price, 2.5)", "decimal"},
      {"max(on, as_of)", "date"},
      {"any i in items: i.weight > 1", "bool"},
      {"all c in codes: c != \"\"", "bool"},
      {"count i in items: i.degree == serious", "int"},
      {"sum i in items: i.price", "decimal"},
      {"min i in items: i.weight", "int"},
      {"max x in numbers: x", "int"},
      {"count i in items where i.weight > 1", "int"},
      {"sum i in items where i.degree == serious: i.price", "decimal"},
      {"filter i in items: i.weight > 1", "list<Item>"},
      {"filter c in codes where c != \"\"", "set<text>"},
      {"map i in items: i.degree", "list<Degree>"},
      {"map c in codes where c != \"\": c == \"x\"", "set<bool>"},
      {"codes union {\"a\"}", "set<text>"},
      {"(map n in numbers: n) union {1}", "set<int>"},
      {"{} union codes", "set<text>"},
      {"codes intersect codes minus {\"b\"}", "set<text>"},
      {"items is empty", "bool"},
      {"codes is not empty", "bool"},
      {"if flag then 1 else 2", "int"},
      {"if flag then maybe else 2", "int?"},
      {"match degree { very_serious => 1, _ => 2 }", "int"},
      {"match pfi ?? PfiClass.c1 { c3 => \"a\", c2 | c1 => \"b\" }", "text"},
      {"degree", "Degree"},
      {"serious", "Degree"},
      {"Degree.light", "Degree"},
      {"degree == light", "bool"},
      {"items", "list<Item>"},
      {"contact", "Contact"},
      {"contact.email", "text?"},
      {"contact.email ?? \"\"", "text"},
      {"limit", "int"},
      {"twice(n)", "int"},
      {"level(degree)", "int"},
      {"reasons(n)", "list<text>"},
      {"total(n)", "int"},
      {"hits(n)", "int"},
      {"grade(n)", "Degree"},
  };
  std::string text = kPreamble;
  for (size_t i = 0; i < cases.size(); ++i) text += "let v" + std::to_string(i) + " = " + cases[i].first + "\n";
  auto fe = Compile(text);
  ASSERT_FALSE(fe->diags.HasErrors()) << Rendered(*fe);
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].first);
    EXPECT_EQ(LetType(*fe, "v" + std::to_string(i)), cases[i].second);
  }
}

TEST(Checker, AnnotatedLetTypeWins) {
  auto fe = Compile(std::string(kPreamble) + "let s: set<text> = {}\nlet o: int? = none\nlet l: list<Degree> = []\n");
  ASSERT_FALSE(fe->diags.HasErrors()) << Rendered(*fe);
  EXPECT_EQ(LetType(*fe, "s"), "set<text>");
  EXPECT_EQ(LetType(*fe, "o"), "int?");
  EXPECT_EQ(LetType(*fe, "l"), "list<Degree>");
}

// Every expression node carries its type after checking, and names carry what they refer to.
TEST(Checker, AnnotatedAstResolution) {
  auto fe = Compile(std::string(kPreamble) +
                    "let a = n + limit\nlet b = twice(a)\nlet c = degree == Degree.light\n"
                    "let d = any i in items: i.weight > n\nlet e = count(items)\nlet f = level(degree)\n");
  ASSERT_FALSE(fe->diags.HasErrors()) << Rendered(*fe);
  const CheckedProgram& p = *fe->program;
  const TypeTable& t = p.types;

  const ast::Expr& a = *FindLet(p, "a")->decl->value;
  EXPECT_EQ(t.Name(a.type), "int");
  EXPECT_EQ(a.args[0]->ref, RefKind::kInput);
  EXPECT_EQ(t.record_info(p.input_record).fields[a.args[0]->index].name, "n");
  EXPECT_EQ(a.args[1]->ref, RefKind::kParam);
  EXPECT_EQ(p.params[a.args[1]->index].name, "limit");

  const ast::Expr& b = *FindLet(p, "b")->decl->value;
  EXPECT_EQ(b.ref, RefKind::kFunction);
  EXPECT_EQ(p.functions[b.index].decl->name, "twice");
  EXPECT_EQ(b.args[0]->ref, RefKind::kLet);
  EXPECT_EQ(p.lets[b.args[0]->index].decl->name, "a");

  const ast::Expr& c = *FindLet(p, "c")->decl->value;
  EXPECT_EQ(t.Name(c.type), "bool");
  const ast::Expr& light = *c.args[1];
  EXPECT_EQ(light.kind, ExprKind::kName);  // `Degree.light` is rewritten into an enum literal
  EXPECT_EQ(light.ref, RefKind::kEnumValue);
  EXPECT_EQ(t.enum_info(light.index).name, "Degree");
  EXPECT_EQ(light.variant, 2);

  const ast::Expr& d = *FindLet(p, "d")->decl->value;
  EXPECT_EQ(d.kind, ExprKind::kQuant);
  const ast::Expr& cmp = *d.args[1];
  const ast::Expr& field = *cmp.args[0];
  EXPECT_EQ(field.ref, RefKind::kRecordField);
  EXPECT_EQ(field.index, 1);  // Item.weight
  EXPECT_EQ(t.Name(field.type), "int");
  EXPECT_EQ(field.args[0]->ref, RefKind::kLocal);
  EXPECT_EQ(field.args[0]->index, d.index);
  EXPECT_EQ(t.Name(field.args[0]->type), "Item");
  EXPECT_GE(p.max_locals, 1);

  const ast::Expr& e = *FindLet(p, "e")->decl->value;
  EXPECT_EQ(e.ref, RefKind::kBuiltin);
  EXPECT_EQ(e.builtin, ast::Builtin::kCount);

  const ast::Expr& f = *FindLet(p, "f")->decl->value;
  EXPECT_EQ(f.ref, RefKind::kTable);
  EXPECT_EQ(p.tables[f.index].decl->name, "level");
}

TEST(Checker, BareEnumValuesFollowTheExpectedType) {
  // `light` exists in two enums: bare use is resolved by the context (comparison, table column,
  // match, set element type), otherwise it must be qualified.
  auto fe = Compile(R"P(
enum Degree { serious, light }
enum Weight { heavy, light }
input { degree: Degree, weight: Weight, weights: set<Weight> }
let a = degree == light
let b = weight != light
let c = light in weights
let d = match weight { heavy => 1, light => 2 }
let e = {Weight.light, heavy}
)P");
  ASSERT_FALSE(fe->diags.HasErrors()) << Rendered(*fe);
  const CheckedProgram& p = *fe->program;
  EXPECT_EQ(p.types.enum_info(FindLet(p, "a")->decl->value->args[1]->index).name, "Degree");
  EXPECT_EQ(p.types.enum_info(FindLet(p, "b")->decl->value->args[1]->index).name, "Weight");
  EXPECT_EQ(LetType(*fe, "e"), "set<Weight>");
  const ast::Expr& m = *FindLet(p, "d")->decl->value;
  EXPECT_EQ(m.arms[1].variants, (std::vector<int>{1}));
  // No context: ambiguous.
  auto bad = Compile("enum A { x, y }\nenum B { y, z }\nlet v = y\n");
  EXPECT_TRUE(HasCode(*bad, "E0213")) << Rendered(*bad);
}

TEST(Checker, RulesOutputsAndExceptionGraph) {
  auto fe = CompileClean(R"P(
enum Decision { permit, deny }
input { controlled: bool, approved: bool }
output export: Decision
output logged: bool
rule permit_by_default { then export = permit cite "1" }
rule deny_controlled exception to permit_by_default { when controlled then export = deny cite "2" }
rule approved_controlled exception to deny_controlled { when approved then export = permit cite "3" }
rule log { then logged = true cite "4" }
obligation keep { subject "s" must "keep" cite "5" }
obligation drop exception to keep { subject "s" may "drop" when approved cite "6" }
)P");
  const CheckedProgram& p = *fe->program;
  ASSERT_EQ(p.rules.size(), 4u);
  EXPECT_EQ(p.rule_parents, (std::vector<std::vector<int>>{{}, {0}, {1}, {}}));
  ASSERT_EQ(p.outputs.size(), 2u);
  EXPECT_EQ(p.outputs[0].rules, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(p.outputs[1].rules, (std::vector<int>{3}));
  EXPECT_EQ(p.types.Name(p.outputs[0].type), "Decision");
  EXPECT_EQ(p.obligation_parents, (std::vector<std::vector<int>>{{}, {0}}));
  std::string typed = DumpTyped(p);
  EXPECT_NE(typed.find("rule deny_controlled (exception to permit_by_default)"), std::string::npos) << typed;
  EXPECT_NE(typed.find("obligation drop (exception to keep)"), std::string::npos) << typed;
}

TEST(Checker, TableSignatures) {
  auto fe = Compile(std::string(kPreamble));
  ASSERT_FALSE(fe->diags.HasErrors()) << Rendered(*fe);
  const CheckedProgram& p = *fe->program;
  const TypeTable& t = p.types;
  auto table = [&](const std::string& name) -> const TableSymbol& {
    for (const TableSymbol& s : p.tables) {
      if (s.decl->name == name) return s;
    }
    ADD_FAILURE() << name;
    return p.tables.front();
  };
  EXPECT_EQ(t.Name(table("reasons").result), "text");
  EXPECT_EQ(t.Name(table("reasons").call), "list<text>");
  EXPECT_EQ(t.Name(table("hits").call), "int");
  EXPECT_EQ(t.Name(table("grade").call), "Degree");
  ASSERT_EQ(table("level").params.size(), 1u);
  EXPECT_EQ(t.Name(table("level").params[0]), "Degree");
}

TEST(Checker, ParamVersions) {
  auto fe = CompileClean(R"P(
param p: int = 1 effective from 2020-01-01 until 2021-01-01
param p: int = 2 effective from 2021-01-01
param p: int = 0 effective from 2010-01-01 until 2020-01-01
input { n: int }
output o: bool
rule r { then o = n > p }
)P");
  ASSERT_EQ(fe->program->params.size(), 1u);
  EXPECT_EQ(fe->program->params[0].versions.size(), 3u);
}

TEST(Checker, ImportsBringInDeclarations) {
  auto fe = CompileFile(std::string(PROVISO_SOURCE_DIR) + "/tests/golden/good/imports.proviso");
  ASSERT_TRUE(fe->ok()) << Rendered(*fe);
  EXPECT_EQ(fe->program->modules.size(), 2u);
  EXPECT_EQ(fe->program->name(), "imports_demo");
  EXPECT_EQ(fe->program->document(), "Shared Regulation");
  EXPECT_EQ(LetType(*fe, "severity"), "Severity");
  EXPECT_EQ(LetType(*fe, "rank"), "int");
}

TEST(Checker, ProgramNameDefaultsWithoutHeader) {
  auto fe = CompileClean("input { a: bool }\noutput o: bool\nrule r { then o = a }\n");
  EXPECT_EQ(fe->program->name(), "test");  // the file's stem
  EXPECT_EQ(fe->program->document(), "");
}

// ------------------------------------------------------------------ mistakes -> codes

struct Mistake {
  const char* what;
  const char* code;
  const char* text;
};

// Each program has exactly one mistake; the checker must report it with this code.
const Mistake kMistakes[] = {
    {"unknown name", "E0111", "input { kept_for: duration }\nlet x = kept_fro\n"},
    {"unknown type", "E0201", "record R { a: Degre }\n"},
    {"unknown field", "E0113", "record R { a: int }\ninput { r: R }\nlet x = r.b\n"},
    {"unknown input field in a record literal", "E0113",
     "record R { a: int }\ninput { r: R }\noutput o: bool\nrule q { then o = true }\ntest \"t\" { given r = {b: 1} }\n"},
    {"unknown function", "E0114", "let x = nope(1)\n"},
    {"unknown enum value", "E0112", "enum E { a }\nlet x = E.b\n"},
    {"unknown match pattern", "E0112", "enum E { a, b }\ninput { e: E }\nlet x = match e { a => 1, c => 2, _ => 3 }\n"},
    {"ambiguous enum value", "E0213", "enum A { x }\nenum B { x }\nlet v = x\n"},
    {"name declared twice", "E0101", "let a = 1\nlet a = 2\n"},
    {"type declared twice", "E0102", "enum A { x }\nrecord A { y: int }\n"},
    {"enum value twice", "E0103", "enum A { x, x }\n"},
    {"two input blocks", "E0104", "input { a: int }\ninput { b: int }\n"},
    {"field twice", "E0105", "record R { a: int, a: int }\n"},
    {"record contains itself", "E0106", "record R { a: R }\n"},
    {"param versions of different types", "E0107",
     "param p: int = 1 effective from 2020-01-01 until 2021-01-01\nparam p: text = \"a\" effective from 2021-01-01\n"},
    {"overlapping param versions", "E0108", "param p: int = 1\nparam p: int = 2 effective from 2021-01-01\n"},
    {"function parameter twice", "E0109", "function f(a: int, a: int) -> int = a\n"},
    {"input in a function", "E0110", "input { a: int }\nfunction f() -> int = a\n"},
    {"as_of in a param", "E0110", "param p: date = as_of\n"},
    {"param not constant", "E0116", "param a: int = 1\nparam b: int = a + 1\n"},
    {"rule sets a non-output", "E0117", "let a = 1\nrule r { then a = 2 }\n"},
    {"given on a non-record", "E0118",
     "input { a: int }\noutput o: bool\nrule r { then o = true }\ntest \"t\" { given a.b = 1 }\n"},
    {"set a non-param", "E0119", "input { a: int }\ntest \"t\" { set a = 1 }\n"},
    {"expect a non-output", "E0120", "input { a: int }\ntest \"t\" { expect a = 1 }\n"},
    {"expect a non-obligation", "E0121", "test \"t\" { expect obligation nope violated }\n"},
    {"set of records", "E0202", "record R { a: int }\ninput { s: set<R> }\n"},
    {"int for decimal", "E0203", "param p: decimal = 2\n"},
    {"text for int", "E0203", "let x: int = \"1\"\n"},
    {"non-bool condition", "E0203", "input { n: int }\noutput o: bool\nrule r { when n then o = true }\n"},
    {"wrong argument type", "E0203", "function f(a: int) -> int = a\nlet x = f(1.5)\n"},
    {"negate a text", "E0204", "let x = -\"a\"\n"},
    {"in on a scalar", "E0205", "let x = 1 in 2\n"},
    {"?? on a non-optional", "E0206", "input { n: int }\nlet x = n ?? 0\n"},
    {"is present on a non-optional", "E0207", "input { n: int }\nlet x = n is present\n"},
    {"if branches differ", "E0208", "input { f: bool }\nlet x = if f then 1 else \"a\"\n"},
    {"match arms differ", "E0208", "enum E { a, b }\ninput { e: E }\nlet x = match e { a => 1, b => \"b\" }\n"},
    {"mixed list", "E0209", "let x = [1, \"a\"]\n"},
    {"int plus decimal", "E0210", "let x = 1 + 2.5\n"},
    {"text times int", "E0210", "let x = \"a\" * 2\n"},
    {"date plus date", "E0210", "let x = 2020-01-01 + 2020-01-02\n"},
    {"int vs duration", "E0210", "input { d: duration }\nlet x = d < 30\n"},
    {"decimal times duration", "E0210", "let x = 1.5 * 30 days\n"},
    {"optional arithmetic", "E0210", "input { n: int? }\nlet x = n + 1\n"},
    {"function without call", "E0211", "function f() -> int = 1\nlet x = f\n"},
    {"rule as a value", "E0212", "output o: bool\nrule r { then o = true }\nlet x = r\n"},
    {"empty set not inferable", "E0214", "let x = {}\n"},
    {"field of an optional record", "E0215", "record R { a: int }\ninput { r: R? }\nlet x = r.a\n"},
    {"field of a scalar", "E0216", "input { n: int }\nlet x = n.a\n"},
    {"ordering enums", "E0217", "enum E { a, b }\ninput { e: E }\nlet x = e < b\n"},
    {"ordering bools", "E0217", "let x = true < false\n"},
    {"quantifier over a scalar", "E0218", "let x = any i in 3: true\n"},
    {"sum of texts", "E0219", "input { xs: list<text> }\nlet x = sum i in xs: i\n"},
    {"wrong argument count", "E0220", "function f(a: int) -> int = a\nlet x = f(1, 2)\n"},
    {"builtin arity", "E0220", "let x = count([1], [2])\n"},
    {"min of texts", "E0221", "let x = min(\"a\", \"b\")\n"},
    {"count of a scalar", "E0221", "let x = count(3)\n"},
    {"record literal without type", "E0222", "let x = {a: 1}\n"},
    {"match on an int", "E0223", "input { n: int }\nlet x = match n { _ => 1 }\n"},
    {"match on an optional without `none`", "E0226", "enum E { a }\ninput { e: E? }\nlet x = match e { a => 1 }\n"},
    {"match on an optional that is not an enum", "E0223", "input { e: int? }\nlet x = match e { _ => 1 }\n"},
    {"arm after wildcard", "E0224", "enum E { a, b }\ninput { e: E }\nlet x = match e { _ => 1, a => 2 }\n"},
    {"value matched twice", "E0225", "enum E { a, b }\ninput { e: E }\nlet x = match e { a => 1, a => 2, b => 3 }\n"},
    {"match not exhaustive", "E0226", "enum E { a, b, c }\ninput { e: E }\nlet x = match e { a => 1, b => 2 }\n"},
    {"wrong cell count", "E0302", "table t(a: int, b: int) -> int hit first { 1 => 1\n default => 0 }\n"},
    {"priority with int result", "E0303", "table t(a: int) -> int hit priority { _ => 1 }\n"},
    {"collect sum of texts", "E0303", "table t(a: int) -> text hit collect sum { _ => \"a\" }\n"},
    {"collect max of bools", "E0303", "table t(a: int) -> bool hit collect max { _ => true }\n"},
    {"unique overlap", "E0304", "table t(a: int) -> int hit unique { 1..5 => 1\n 3..9 => 2\n default => 0 }\n"},
    {"unique overlap of texts", "E0304", "table t(a: text) -> int hit unique { \"x\" => 1\n {\"y\", \"x\"} => 2\n default => 0 }\n"},
    {"any disagreeing", "E0304", "table t(a: int) -> int hit any { > 1 => 1\n _ => 2 }\n"},
    {"incomplete enum table", "E0305", "enum E { a, b, c }\ntable t(e: E) -> int hit unique { a => 1\n b => 2 }\n"},
    {"incomplete bool table", "E0305", "table t(f: bool, g: bool) -> int hit first { true, _ => 1\n false, true => 2 }\n"},
    {"range on an enum", "E0306", "enum E { a, b }\ntable t(e: E) -> int hit first { a..b => 1\n default => 0 }\n"},
    {"comparison on a text", "E0306", "table t(s: text) -> int hit first { < \"m\" => 1\n default => 0 }\n"},
    {"empty range", "E0307", "table t(a: int) -> int hit first { 9..1 => 1\n default => 0 }\n"},
    {"exception to unknown rule", "E0405", "output o: bool\nrule a { then o = true }\nrule b exception to c { then o = false }\n"},
    {"exception to unknown obligation", "E0405", "obligation a exception to b { subject \"s\" must \"m\" cite \"c\" }\n"},
    {"exception across outputs", "E0406",
     "output o: bool\noutput p: bool\nrule a { then o = true }\nrule b exception to a { then p = false }\nrule c { then p = true }\n"},
    {"exception to itself", "E0407", "output o: bool\nrule a exception to a { then o = true }\n"},
    {"rule exception cycle", "E0408",
     "input { x: bool }\noutput o: bool\nrule a exception to b { when x then o = true }\nrule b exception to a { when x then o = false }\n"},
    {"obligation exception cycle", "E0408",
     "obligation a exception to b { subject \"s\" must \"m\" cite \"c\" }\nobligation b exception to a { subject \"s\" may \"m\" cite \"c\" }\n"},
    {"obligation exception to itself", "E0407", "obligation a exception to a { subject \"s\" must \"m\" cite \"c\" }\n"},
    {"recursive function", "E0409", "function f(n: int) -> int = f(n)\n"},
    {"mutually recursive functions", "E0409", "function f(n: int) -> int = g(n)\nfunction g(n: int) -> int = f(n)\n"},
    {"unconditional conflict", "E0410", "output o: bool\nrule a { then o = true }\nrule b { then o = false }\n"},
    {"same-condition conflict", "E0410",
     "input { x: bool }\noutput o: bool\nrule a { when x then o = true }\nrule b { when x then o = false }\n"},
    {"output without rule", "E0411", "output o: bool\n"},
    {"let cycle", "E0412", "let a: int = b\nlet b: int = a\n"},
    {"output cycle", "E0412", "output o: int\nrule r { then o = o + 1 }\n"},
    {"non-constant given", "E0116",
     "input { a: int, b: int }\noutput o: int\nrule r { then o = a }\ntest \"t\" { given a = b }\n"},
    {"decimal too precise", "E0505", "let x = 0.1234567\n"},
    {"deadline not a date", "E0203", "obligation o { subject \"s\" must \"m\" deadline 3 cite \"c\" }\n"},
    {"violated not a bool", "E0203", "obligation o { subject \"s\" must \"m\" violated when 1 cite \"c\" }\n"},
};

TEST(CheckerMistakes, EachMistakeHasItsCode) {
  for (const Mistake& m : kMistakes) {
    SCOPED_TRACE(std::string(m.what) + "\n" + m.text);
    auto fe = Compile(m.text);
    EXPECT_FALSE(fe->ok());
    EXPECT_TRUE(HasCode(*fe, m.code)) << Rendered(*fe);
    const Diagnostic* d = Find(*fe, m.code);
    if (d) {
      EXPECT_EQ(d->severity, Severity::kError);
      EXPECT_TRUE(d->span.valid()) << Rendered(*fe);
      // House style: lowercase, no final period.
      EXPECT_FALSE(d->message.empty());
      EXPECT_NE(d->message.back(), '.') << d->message;
      EXPECT_FALSE(std::isupper(static_cast<unsigned char>(d->message[0]))) << d->message;
    }
  }
}

// The mirror image: close variants of the mistakes above that are correct.
TEST(CheckerMistakes, CorrectVariantsAreAccepted) {
  const char* programs[] = {
      // Exclusive rows under `unique`; overlapping rows under `first`; agreeing rows under `any`.
      "table t(a: int) -> int hit unique { 1..5 => 1\n 6..9 => 2\n default => 0 }\n",
      "table t(a: int) -> int hit first { 1..5 => 1\n 3..9 => 2\n default => 0 }\n",
      "table t(a: int) -> int hit any { > 1 => 1\n > 2 => 1\n default => 0 }\n",
      // Complete over the enum without a default; complete over bools.
      "enum E { a, b }\ntable t(e: E) -> int hit unique { a => 1\n b => 2 }\n",
      "table t(f: bool) -> int hit unique { true => 1\n false => 2 }\n",
      // `collect` needs no completeness.
      "enum E { a, b }\ntable t(e: E) -> int hit collect { a => 1 }\n",
      // Priorities between unconditional siblings.
      "output o: bool\nrule a priority 1 { then o = true }\nrule b priority 2 { then o = false }\n",
      // Different effective periods.
      "output o: bool\nrule a { then o = true effective from 2020-01-01 until 2021-01-01 }\n"
      "rule b { then o = false effective from 2021-01-01 }\n",
      // A record may contain itself through an optional field or a list.
      "record N { next: N?, kids: list<N> }\ninput { n: N }\n",
      // An optional output may have no rule that applies.
      "input { x: bool }\noutput o: bool?\nrule a { when x then o = true }\n",
      // none for an optional.
      "input { x: bool }\noutput o: int?\nrule a { then o = if x then 1 else none }\n",
      // Duration arithmetic and comparisons.
      "input { d: date, k: duration }\noutput o: bool\nrule a { then o = d + k * 2 > as_of - 1 year }\n",
  };
  for (const char* text : programs) {
    SCOPED_TRACE(text);
    auto fe = Compile(text);
    EXPECT_TRUE(fe->ok()) << Rendered(*fe);
    EXPECT_FALSE(fe->diags.HasErrors());
  }
}

TEST(CheckerMistakes, SuggestionsForMisspelledNames) {
  struct Case {
    const char* text;
    const char* code;
    const char* help;
  };
  const Case cases[] = {
      {"input { kept_for: duration }\nlet x = kept_fro\n", "E0111", "did you mean `kept_for`?"},
      {"enum Degree { a }\nrecord R { d: Degre }\n", "E0201", "did you mean `Degree`?"},
      {"record R { degree: int }\ninput { r: R }\nlet x = r.degre\n", "E0113", "did you mean `degree`?"},
      {"function higher(a: int) -> int = a\nlet x = hihger(1)\n", "E0114", "did you mean `higher`?"},
      {"enum D { serious }\nlet x = D.serios\n", "E0112", "did you mean `serious`?"},
      {"output allowed: bool\nrule r { then alowed = true }\n", "E0117", "did you mean `allowed`?"},
      {"output o: bool\nrule permit { then o = true }\nrule x exception to permt { then o = false }\n", "E0405",
       "did you mean `permit`?"},
      {"let x: int = 1.5\n", "E0203", "there are no implicit conversions: write the number with a decimal point, e.g. `2.0`"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto fe = Compile(c.text);
    const Diagnostic* d = Find(*fe, c.code);
    ASSERT_NE(d, nullptr) << Rendered(*fe);
    if (std::string(c.code) == "E0203") {
      // int -> decimal gets the help, decimal -> int does not
      EXPECT_EQ(d->help, "") << Rendered(*fe);
      auto fe2 = Compile("let x: decimal = 2\n");
      const Diagnostic* d2 = Find(*fe2, "E0203");
      ASSERT_NE(d2, nullptr);
      EXPECT_EQ(d2->help, c.help);
      continue;
    }
    EXPECT_EQ(d->help, c.help) << Rendered(*fe);
  }
  // Far-off names get no suggestion.
  auto fe = Compile("input { kept_for: duration }\nlet x = zzzzzz\n");
  const Diagnostic* d = Find(*fe, "E0111");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->help, "");
}

TEST(CheckerMistakes, NotesPointAtTheOtherDeclaration) {
  auto fe = Compile("enum Degree { a }\nrecord Degree { x: int }\n");
  const Diagnostic* d = Find(*fe, "E0102");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->span.line, 2);
  ASSERT_EQ(d->notes.size(), 1u);
  EXPECT_EQ(d->notes[0].message, "first declared here");
  EXPECT_EQ(d->notes[0].span.line, 1);
  EXPECT_EQ(d->notes[0].span.col, 6);

  auto fe2 = Compile("table t(a: int) -> int hit unique {\n 1..5 => 1\n 3..9 => 2\n default => 0 }\n");
  const Diagnostic* o = Find(*fe2, "E0304");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->message, "rows 1 and 2 of table `t` overlap, but the hit policy is `unique`");
  EXPECT_EQ(o->span.line, 3);
  ASSERT_EQ(o->notes.size(), 1u);
  EXPECT_EQ(o->notes[0].span.line, 2);
}

TEST(CheckerMistakes, MessagesOfCentralDiagnostics) {
  struct Case {
    const char* text;
    const char* code;
    const char* message;
  };
  const Case cases[] = {
      {"enum P { c3, c2, c1 }\ninput { p: P }\nlet x = match p { c3 => 1 }\n", "E0226",
       "`match` does not cover `c2`, `c1` of `P`"},
      {"enum E { a, b, c }\ntable t(e: E, f: bool) -> int hit unique { a, _ => 1 }\n", "E0305",
       "table `t` has no row for (b, false), (b, true), (c, false) and 1 more"},
      {"output o: int\nrule r { then o = 1 }\nrule q { then o = 2 }\n", "E0410",
       "rules `r` and `q` set `o` to different values under the same condition and neither has priority, so they always conflict"},
      {"let a: int = b\nlet b: int = a\n", "E0412", "`a` depends on itself: `a` -> `b` -> `a`"},
      {"function f(n: int) -> int = f(n)\n", "E0409", "`f` calls itself: `f` -> `f`"},
      {"input { a: int, b: decimal }\nlet x = a + b\n", "E0210", "cannot add `int` and `decimal`"},
      {"output export: bool\n", "E0411", "no rule sets output `export`"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto fe = Compile(c.text);
    const Diagnostic* d = Find(*fe, c.code);
    ASSERT_NE(d, nullptr) << Rendered(*fe);
    EXPECT_EQ(d->message, c.message);
  }
}

TEST(CheckerWarnings, UnusedAndUncited) {
  auto fe = Compile("input { a: int }\nlet unused = a + 1\nobligation o { subject \"s\" must \"m\" }\n");
  EXPECT_TRUE(fe->ok()) << Rendered(*fe);  // warnings only
  ASSERT_EQ(fe->diags.diagnostics().size(), 2u) << Rendered(*fe);
  EXPECT_EQ(Codes(*fe), (std::vector<std::string>{"W0101", "W0103"}));
  EXPECT_EQ(fe->diags.diagnostics()[0].severity, Severity::kWarning);
  EXPECT_EQ(fe->diags.diagnostics()[0].message, "let `unused` is never used");
  EXPECT_EQ(fe->diags.diagnostics()[1].message, "obligation `o` cites no provision");
  // A let read by a test counts as used.
  auto used = Compile("input { a: int }\nlet v = a + 1\ntest \"t\" { given a = 1 expect v = 2 }\n");
  EXPECT_FALSE(HasCode(*used, "W0101")) << Rendered(*used);
}

TEST(CheckerWarnings, IgnoredDeclarationsOfImports) {
  auto fe = CompileFile(std::string(PROVISO_SOURCE_DIR) + "/tests/golden/bad/warn_import_ignores_rules.proviso");
  EXPECT_TRUE(fe->ok()) << Rendered(*fe);
  EXPECT_EQ(Codes(*fe), (std::vector<std::string>{"W0102", "W0102"}));
  EXPECT_EQ(fe->diags.diagnostics()[0].message, "output `decided` in an imported file is ignored");
}

TEST(CheckerDriver, MissingFilesAreDiagnostics) {
  auto fe = CompileFile("/nonexistent/policy.proviso");
  EXPECT_FALSE(fe->ok());
  EXPECT_EQ(fe->program, nullptr);
  EXPECT_EQ(Codes(*fe), (std::vector<std::string>{"E0005"}));
  EXPECT_FALSE(fe->diags.diagnostics()[0].span.valid());

  auto imp = Compile("import \"no_such_file_anywhere.proviso\"\n");
  EXPECT_FALSE(imp->ok());
  EXPECT_EQ(Codes(*imp), (std::vector<std::string>{"E0006"}));
}

TEST(CheckerDriver, SyntaxErrorsStopBeforeTheChecker) {
  auto fe = Compile("rule r { when x o = 1 }\nlet y: int = \"a\"\n");
  EXPECT_EQ(fe->program, nullptr);
  EXPECT_EQ(Codes(*fe), (std::vector<std::string>{"E0003"}));
}

// One run reports every problem, sorted by position.
TEST(CheckerDriver, AllDiagnosticsSortedByPosition) {
  auto fe = Compile(
      "let c: int = \"c\"\n"
      "let a: int = \"a\"\n"
      "param d: date = 2020-02-30\n"
      "let b = nope\n");
  const auto& ds = fe->diags.diagnostics();
  ASSERT_GE(ds.size(), 4u) << Rendered(*fe);
  for (size_t i = 1; i < ds.size(); ++i) {
    EXPECT_LE(std::make_tuple(ds[i - 1].span.file, ds[i - 1].span.line, ds[i - 1].span.col),
              std::make_tuple(ds[i].span.file, ds[i].span.line, ds[i].span.col));
  }
  EXPECT_EQ(fe->diags.ErrorCount(), 4) << Rendered(*fe);
}

TEST(CheckerDecimal, ParseDecimal) {
  int64_t v = 0;
  EXPECT_TRUE(ParseDecimal("12.5", &v));
  EXPECT_EQ(v, 12500000);
  EXPECT_TRUE(ParseDecimal("0.000001", &v));
  EXPECT_EQ(v, 1);
  EXPECT_TRUE(ParseDecimal("7", &v));
  EXPECT_EQ(v, 7 * kDecimalScale);
  EXPECT_FALSE(ParseDecimal("0.1234567", &v));
  EXPECT_FALSE(ParseDecimal("1234567890123.5", &v));
}

}  // namespace
}  // namespace proviso

namespace proviso {
namespace {

// A chain of `n` obligations, each an exception to the one before.
std::string ObligationChain(int n) {
  std::string text = "input { x: int }\n";
  for (int i = 0; i < n; ++i) {
    text += "obligation o" + std::to_string(i) + (i ? " exception to o" + std::to_string(i - 1) : "") +
            " {\n  subject \"s\"\n  must \"a\"\n  when x > " + std::to_string(i) + "\n  cite \"c\"\n}\n";
  }
  return text;
}

TEST(CheckerLimits, ChainsOfExceptionsAreAtMostAThousandLong) {
  EXPECT_FALSE(HasCode(*Compile(ObligationChain(1000)), "E0008"));
  auto fe = Compile(ObligationChain(1001));
  const Diagnostic* d = Find(*fe, "E0008");
  ASSERT_NE(d, nullptr) << Rendered(*fe);
  EXPECT_EQ(d->message, "obligation `o1000` is an exception 1000 levels deep (at most 999)");
  EXPECT_EQ(fe->diags.ErrorCount(), 1);  // reported once, where the chain crosses the limit
}

TEST(CheckerLimits, ADefinitionChainAtTheLimitChecks) {
  std::string text = "input { x: int }\nlet a0 = x\n";
  for (int i = 1; i < 999; ++i) text += "let a" + std::to_string(i) + " = a" + std::to_string(i - 1) + " + 1\n";
  text += "output o: int\nrule r { then o = a998 cite \"c\" }\n";
  auto fe = Compile(text);
  EXPECT_TRUE(fe->ok()) << Rendered(*fe);
}

}  // namespace
}  // namespace proviso
