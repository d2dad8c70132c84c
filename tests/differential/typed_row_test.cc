// The typed row API (proviso/row.h) against the interpreter, on every policy of the differential
// corpus: generated facts are written into a Row field by field through the typed setters (records
// through their fields, lists and sets through SetJson, facts left out as not given), and its
// decision must be the interpreter's on the same facts; the facts the row holds must be the facts
// given. Rows are reused from one fact set to the next, with and without Clear().
#include <gtest/gtest.h>

#include "compiler/codegen/layout.h"
#include "compiler/driver/driver.h"
#include "compiler/interp/facts.h"
#include "compiler/ir/ir.h"
#include "proviso/row.h"
#include "tests/differential/fact_gen.h"

namespace proviso {
namespace {

constexpr int kRowFacts = 1500;  // fact sets per policy

// Writes `v` (the value of the field at `path`, of type `t`) into the row through the typed setters.
void Put(Row& row, const Policy& policy, const std::string& path, const Value& v, const Type* t,
         const nlohmann::json& json, const TypeTable& types) {
  InputField f = policy.FindInput(path);
  if (v.is_unknown()) return row.SetUnknown(f);
  if (t->kind == TypeKind::kOptional) {
    if (v.is_none()) return row.SetNone(f);
    t = t->elem;
  }
  switch (f.kind) {
    case FieldKind::kBool: return row.SetBool(f, v.i != 0);
    case FieldKind::kInt: return row.SetInt(f, v.i);
    case FieldKind::kDecimal: return row.SetDecimalMicros(f, v.i);
    case FieldKind::kDate: return row.SetDate(f, v.i);
    case FieldKind::kDateTime: return row.SetDateTime(f, v.i);
    case FieldKind::kDuration: return row.SetDuration(f, v.i, v.months);
    case FieldKind::kEnum: return row.SetEnum(f, static_cast<int32_t>(v.i));
    case FieldKind::kText: return row.SetText(f, row.Text(v.text));
    case FieldKind::kEnumSet: return row.SetEnumSet(f, static_cast<uint64_t>(codegen::BitsetOf(v)));
    case FieldKind::kOther: break;
  }
  if (t->kind == TypeKind::kRecord && f.presence < 0) {  // a record: field by field
    const RecordInfo& r = types.record_info(t->index);
    for (size_t i = 0; i < r.fields.size(); ++i) {
      const nlohmann::json& j = json.contains(r.fields[i].name) ? json[r.fields[i].name] : nlohmann::json();
      Put(row, policy, path + "." + r.fields[i].name, v.elems()[i], r.fields[i].type, j, types);
    }
    return;
  }
  row.SetJson(f, json);
}

// The facts as a row holds them: a record left out is a record of fields left out.
Value Expand(const ir::Program& p, const Value& v, int record, int node) {
  const RecordInfo& info = p.types().record_info(record);
  std::vector<Value> fields;
  for (size_t f = 0; f < info.fields.size(); ++f) {
    const Type* t = info.fields[f].type;
    int fact = node >= 0 ? p.fact_nodes[node].fact[f] : -1;
    Value x = v.is_unknown() ? Value::Unknown({fact}) : v.elems()[f];
    if (t->kind == TypeKind::kRecord) x = Expand(p, x, t->index, node >= 0 ? p.fact_nodes[node].child[f] : -1);
    fields.push_back(x);
  }
  return Value::Record(std::move(fields));
}

class TypedRow : public ::testing::TestWithParam<std::string> {};

TEST_P(TypedRow, AgreesWithTheInterpreter) {
  auto fe = CompileFile(GetParam());
  ASSERT_TRUE(fe->ok());
  auto program = ir::Lower(std::move(fe->program));
  const ir::Program& p = *program;
  if (p.outputs.empty() && p.obligations.empty()) GTEST_SKIP() << "a library: nothing to evaluate";
  if (codegen::RecursiveRecord(p.types()) >= 0) GTEST_SKIP() << "no flat layout: no typed row";
  Policy jit = Engine({.backend = Backend::kJit, .cache = false}).CompileFile(GetParam());
  Policy interp = Engine({.backend = Backend::kInterpreter, .cache = false}).CompileFile(GetParam());
  std::vector<nlohmann::json> facts = testing::GenerateFacts(p, kRowFacts, 20261207);
  std::vector<int64_t> dates = testing::InterestingDates(p);
  const RecordInfo& in = p.input();
  int differences = 0, decided = 0;
  // One row per evaluation date, reused across fact sets.
  std::map<int64_t, Row> rows;
  for (size_t i = 0; i < facts.size() && differences < 3; ++i) {
    int64_t day = dates[i % dates.size()];
    EvalOptions opts{.as_of = FormatDate(day)};
    auto at = rows.find(day);
    if (at == rows.end()) at = rows.emplace(day, Row(jit, opts)).first;
    Row& row = at->second;
    if (i % 2 == 0) row.Clear();  // else every field is written over (or made not given)
    Value v = interp::FactsFromJson(facts[i], p);
    for (size_t k = 0; k < in.fields.size(); ++k) {
      const nlohmann::json& j = facts[i].contains(in.fields[k].name) ? facts[i][in.fields[k].name] : nlohmann::json();
      Put(row, jit, in.fields[k].name, v.elems()[k], in.fields[k].type, j, p.types());
    }
    // The row holds the facts given.
    Value held = interp::FactsFromJson(row.FactsJson(), p);
    int root = p.fact_nodes.empty() ? -1 : 0;
    if (Expand(p, held, p.input_record, root) != Expand(p, v, p.input_record, root)) {
      ++differences;
      ADD_FAILURE() << "the row holds " << row.FactsJson().dump() << "\nwhere the facts are " << facts[i].dump();
      continue;
    }
    std::string a, b;
    try {
      a = interp.Evaluate(row.FactsJson(), opts).ToJson().dump(1);
    } catch (const EvaluationError& e) {
      a = std::string("error: ") + e.what();
    }
    try {
      row.Evaluate();
      b = row.ToDecision().ToJson().dump(1);
      ++decided;
    } catch (const EvaluationError& e) {
      b = std::string("error: ") + e.what();
    }
    if (a != b && ++differences) {
      ADD_FAILURE() << "interpreter and typed row differ on " << row.FactsJson().dump() << " as of " << *opts.as_of
                    << "\ninterpreter: " << a << "\ntyped row: " << b;
    }
  }
  EXPECT_EQ(differences, 0);
  EXPECT_GT(decided, 0) << "every generated fact set failed to evaluate";
}

std::string Name(const ::testing::TestParamInfo<std::string>& info) {
  std::filesystem::path path(info.param);
  std::string name = path.parent_path().filename().string() + "_" + path.stem().string();
  for (char& c : name) if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, TypedRow, ::testing::ValuesIn(testing::Corpus()), Name);

}  // namespace
}  // namespace proviso
