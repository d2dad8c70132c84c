// The typed row API (proviso/row.h): handles, setters and their checks, facts not given, the tiers
// a hot row goes through, rows on many threads, and no heap allocation per evaluated row. (Every
// policy of the corpus against the interpreter: tests/differential/typed_row_test.cc.)
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "proviso/row.h"
#include "proviso_gen/benchmark_policy.h"
#include "tests/unit/sdk_test_util.h"

// Heap allocations counted while `counting` is set (this binary's operator new serves the SDK too).
// Not under a sanitizer, whose runtime has operator new and delete of its own (variants replaced
// here would pair with variants it keeps).
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define PROVISO_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PROVISO_SANITIZED 1
#endif

namespace {
std::atomic<bool> counting{false};
std::atomic<int64_t> allocations{0};
}  // namespace

#ifndef PROVISO_SANITIZED
void* operator new(std::size_t n) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
#endif

namespace proviso {
namespace sdk_test {
namespace {

const std::string kBenchmark = std::string(PROVISO_SOURCE_DIR) + "/policies/cn/benchmark_policy.proviso";

Policy Jit(const std::string& text) { return Engine().CompileString(text, "row.proviso"); }

TEST(SdkRow, HandlesNameWhatDoesNotExist) {
  Policy p = Jit(kExport);
  EXPECT_EQ(p.FindInput("destination").kind, FieldKind::kText);
  try {
    p.FindInput("destinaton");
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "no input field `destinaton`")) << e.what();
    EXPECT_TRUE(Contains(e.what(), "`destination`")) << e.what();
  }
  EXPECT_THROW(p.FindOutput("exports"), Error);
  EXPECT_THROW(p.FindObligation("keep"), Error);
  EXPECT_EQ(p.FindOutput("note").kind, FieldKind::kText);
  EXPECT_TRUE(p.FindObligation("keep_records").slot >= 0);
  // The interpreter has no flat layout: no typed rows.
  Policy interp = Engine(EngineOptions{Backend::kInterpreter}).CompileString(kExport);
  EXPECT_THROW(interp.FindInput("destination"), Error);
  EXPECT_THROW(Row row(interp), Error);
}

TEST(SdkRow, DecidesAsEvaluateDoes) {
  Policy p = Jit(kExport);
  InputField controlled = p.FindInput("controlled_item"), dest = p.FindInput("destination"),
             ended = p.FindInput("ended_on"), deleted = p.FindInput("deleted_on");
  OutputField exp = p.FindOutput("export"), note = p.FindOutput("note");
  ObligationField keep = p.FindObligation("keep_records");
  Row row(p, AsOf("2021-06-01"));
  row.SetBool(controlled, false);
  row.SetText(dest, row.Text("XX"));
  row.SetDate(ended, 18687);  // 2021-03-01
  row.SetDate(deleted, 18688);
  row.Evaluate();
  EXPECT_EQ(p.EnumName(exp, row.GetEnum(exp)), "review");
  EXPECT_TRUE(row.Present(note));
  EXPECT_EQ(row.GetText(note), "destination under sanctions");
  ObligationState k = row.GetObligation(keep);
  EXPECT_TRUE(k.applies);
  EXPECT_TRUE(k.violated);  // deleted after a day, 30 days due
  ASSERT_TRUE(k.deadline.has_value());
  EXPECT_EQ(*k.deadline, 18687 + 30);
  json want = p.Evaluate(ExportFacts(false, "XX", "2021-03-02"), AsOf("2021-06-01")).ToJson();
  EXPECT_EQ(row.ToDecision().ToJson(), want);
  json given = ExportFacts(false, "XX", "2021-03-02");
  given["approved"] = false;  // its default
  EXPECT_EQ(row.FactsJson(), given);
  // Reused: a text not among the policy's, an optional made none.
  row.SetText(dest, "DE");
  row.SetNone(deleted);
  row.Evaluate();
  EXPECT_EQ(p.EnumName(exp, row.GetEnum(exp)), "permit");
  EXPECT_FALSE(row.Present(note));
  EXPECT_THROW(row.GetText(note), Error);
  EXPECT_EQ(row.ToDecision().ToJson(), p.Evaluate(ExportFacts(false, "DE"), AsOf("2021-06-01")).ToJson());
}

TEST(SdkRow, SettersRefuseWhatTheSchemaRefuses) {
  Policy p = Jit(R"(policy checks
enum Level { low, high }
input { minutes: int in 0..1439, level: Level, day: date, flag: bool }
output ok: bool
rule r { then ok = flag }
)");
  Row row(p);
  InputField minutes = p.FindInput("minutes"), level = p.FindInput("level"), day = p.FindInput("day");
  auto path_of = [&](auto set) {
    try {
      set();
    } catch (const FactsError& e) {
      return e.path() + ": " + e.what();
    }
    return std::string("no error");
  };
  EXPECT_TRUE(Contains(path_of([&] { row.SetInt(minutes, 1440); }), "minutes: ")) << path_of([&] { row.SetInt(minutes, 1440); });
  EXPECT_TRUE(Contains(path_of([&] { row.SetEnum(level, 2); }), "level: 2 is not a value of `Level`"));
  EXPECT_TRUE(Contains(path_of([&] { row.SetDate(day, int64_t{1} << 40); }), "day: "));
  EXPECT_TRUE(Contains(path_of([&] { row.SetBool(minutes, true); }), "minutes: `minutes` is of type `int`, not bool"));
  EXPECT_TRUE(Contains(path_of([&] { row.SetNone(level); }), "not optional"));
  EXPECT_TRUE(Contains(path_of([&] { p.EnumCode(level, "medium"); }), "`medium` is not a value of `Level`"));
  EXPECT_EQ(p.EnumCode(level, "high"), 1);
  // A handle of another policy, a text id of another row.
  Policy other = Jit(kExport);
  EXPECT_THROW(row.SetBool(other.FindInput("controlled_item"), true), Error);
  Row second(other);
  EXPECT_THROW(second.SetText(other.FindInput("destination"), row.Text("x")), Error);
  // Refused values left the row as it was: nothing given yet.
  EXPECT_EQ(row.FactsJson(), json::object());
}

TEST(SdkRow, FactsNotGivenLeaveOutputsUndetermined) {
  Policy p = Jit(kExport);
  OutputField exp = p.FindOutput("export");
  ObligationField keep = p.FindObligation("keep_records");
  Row row(p, AsOf("2021-06-01"));
  row.SetBool(p.FindInput("controlled_item"), true);  // denied: approved defaults to false
  row.SetText(p.FindInput("destination"), "DE");
  row.Evaluate();
  EXPECT_TRUE(row.Determined(exp));
  EXPECT_EQ(p.EnumName(exp, row.GetEnum(exp)), "deny");
  ObligationState k = row.GetObligation(keep);
  EXPECT_TRUE(k.applies);
  EXPECT_TRUE(k.violation_undetermined);
  Decision d = row.ToDecision();
  EXPECT_EQ(d.ToJson(), p.Evaluate(json{{"controlled_item", true}, {"destination", "DE"}}, AsOf("2021-06-01")).ToJson());
  EXPECT_EQ(d.missing_facts(), (std::vector<std::string>{"ended_on", "deleted_on"}));
  // Made not given again, then cleared: the export waits for the facts.
  row.SetUnknown(p.FindInput("controlled_item"));
  row.Evaluate();
  EXPECT_FALSE(row.Determined(exp));
  EXPECT_THROW(row.GetEnum(exp), Error);
  row.SetBool(p.FindInput("controlled_item"), false);
  row.Clear();
  row.Evaluate();
  EXPECT_FALSE(row.Determined(exp));
  EXPECT_EQ(row.ToDecision().ToJson(), p.Evaluate(json::object(), AsOf("2021-06-01")).ToJson());
}

TEST(SdkRow, ListsAndRecordsThroughJson) {
  Policy p = Jit(R"(policy lists
record Transfer { amount: int, approved: bool }
input { transfers: list<Transfer>, owner: Owner }
record Owner { name: text, verified: bool }
output total: int
output all_approved: bool
rule t { then total = sum(map t in transfers: t.amount) }
rule a { then all_approved = all t in transfers: t.approved }
)");
  Row row(p);
  InputField transfers = p.FindInput("transfers");
  EXPECT_EQ(transfers.kind, FieldKind::kOther);
  EXPECT_EQ(p.FindInput("owner.verified").kind, FieldKind::kBool);
  row.SetJson(transfers, json::parse(R"([{"amount": 5, "approved": true}, {"amount": 7}])"));
  row.Evaluate();
  EXPECT_EQ(row.GetInt(p.FindOutput("total")), 12);
  EXPECT_FALSE(row.Determined(p.FindOutput("all_approved")));  // the second's approval is not given
  try {
    row.SetJson(transfers, json::parse(R"([{"amount": "5"}])"));
    FAIL();
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "transfers[0].amount");
  }
  row.SetJson(transfers, json::parse(R"([{"amount": 1, "approved": true}])"));
  row.SetBool(p.FindInput("owner.verified"), true);  // the owner is given, its name is not
  row.Evaluate();
  EXPECT_TRUE(row.GetBool(p.FindOutput("all_approved")));
  EXPECT_EQ(row.FactsJson(), json::parse(R"({"transfers": [{"amount": 1, "approved": true}], "owner": {"verified": true}})"));
}

TEST(SdkRow, FailuresAreTheInterpretersErrors) {
  Policy p = Jit(R"(policy fails
input { a: int, b: int }
output q: int
rule r { then q = a / b }
)");
  Row row(p);
  row.SetInt(p.FindInput("a"), 1);
  row.SetInt(p.FindInput("b"), 0);
  try {
    row.Evaluate();
    FAIL();
  } catch (const EvaluationError& e) {
    EXPECT_TRUE(Contains(e.what(), "division by zero")) << e.what();
    EXPECT_EQ(e.location().line, 4);
  }
  row.SetInt(p.FindInput("b"), 2);
  row.Evaluate();
  EXPECT_EQ(row.GetInt(p.FindOutput("q")), 0);
}

// A row evaluated long enough goes through the optimised and the specialised tiers; every decision
// on the way is the interpreter's.
TEST(SdkRow, HotRowsAgreeWithTheInterpreterThroughEveryTier) {
  Policy jit = Engine().CompileFile(kBenchmark);
  Policy interp = Engine(EngineOptions{Backend::kInterpreter}).CompileFile(kBenchmark);
  EvalOptions opts{.as_of = "2020-09-01", .params = {{"retaliation_countries", R"(["XA", "XB"])"}}};
  Row row(jit, opts);
  InputField object = jit.FindInput("object"), degree = jit.FindInput("degree"), pfi = jit.FindInput("pfi_class"),
             dest = jit.FindInput("destination"), controlled = jit.FindInput("controlled_item"),
             overseas = jit.FindInput("overseas_law_enforcement"), approved = jit.FindInput("approved"),
             operator_ = jit.FindInput("call_center_operator"), ended = jit.FindInput("call_ended_on"),
             kept = jit.FindInput("records_kept_for");
  OutputField level = jit.FindOutput("level");
  const TextId countries[] = {row.Text("XA"), row.Text("CN"), row.Text("XB"), row.Text("US")};
  int checked = 0;
  for (int i = 0; i < 45000; ++i) {
    row.SetEnum(object, i % 4);
    row.SetEnum(degree, (i / 4) % 4);
    if (i % 7 == 0) row.SetNone(pfi);
    else row.SetEnum(pfi, (i / 16) % 3);
    row.SetText(dest, countries[(i / 5) % 4]);
    row.SetBool(controlled, i % 11 == 0);
    row.SetBool(overseas, i % 13 == 0);
    row.SetBool(approved, i % 3 == 0);
    row.SetBool(operator_, i % 2 == 0);
    row.SetDate(ended, 18000 + i % 500);
    row.SetDuration(kept, int64_t{86400} * (i % 60));
    row.Evaluate();
    if (i % 97 == 0 || i > 44000) {
      ++checked;
      Decision want = interp.Evaluate(row.FactsJson(), opts);
      ASSERT_EQ(row.ToDecision().ToJson(), want.ToJson()) << "row " << i;
      ASSERT_EQ(row.GetInt(level), want.output("level").get<int64_t>());
    }
  }
  EXPECT_GT(checked, 1000);
}

TEST(SdkRow, OneRowPerThread) {
  Policy p = Jit(kExport);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Row row(p, AsOf("2021-06-01"));
      InputField dest = p.FindInput("destination");
      OutputField exp = p.FindOutput("export");
      row.SetBool(p.FindInput("controlled_item"), false);
      row.SetDate(p.FindInput("ended_on"), 18687);
      row.SetNone(p.FindInput("deleted_on"));
      TextId xx = row.Text("XX"), de = row.Text("DE");
      for (int i = 0; i < 20000; ++i) {
        bool sanctioned = (i + t) % 2 == 0;
        row.SetText(dest, sanctioned ? xx : de);
        row.Evaluate();
        if (p.EnumName(exp, row.GetEnum(exp)) != (sanctioned ? "review" : "permit")) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

// The bar of the typed row API: setting the facts, evaluating and reading the outputs of a warm row
// allocate nothing.
TEST(SdkRow, NoHeapAllocationPerRow) {
#ifdef PROVISO_SANITIZED
  GTEST_SKIP() << "operator new is counted only outside sanitizer builds";
#endif
  Policy p = Engine().CompileFile(kBenchmark);
  Row row(p, EvalOptions{.as_of = "2020-09-01", .params = {{"retaliation_countries", R"(["XA", "XB"])"}}});
  InputField object = p.FindInput("object"), degree = p.FindInput("degree"), dest = p.FindInput("destination"),
             kept = p.FindInput("records_kept_for"), pfi = p.FindInput("pfi_class");
  OutputField level = p.FindOutput("level"), exp = p.FindOutput("export");
  ObligationField keep = p.FindObligation("keep_call_records");
  TextId xa = row.Text("XA");
  for (const char* f : {"controlled_item", "overseas_law_enforcement", "approved", "call_center_operator"}) {
    row.SetBool(p.FindInput(f), false);
  }
  row.SetDate(p.FindInput("call_ended_on"), 18500);
  auto one = [&](int i) {
    row.SetEnum(object, i % 4);
    row.SetEnum(degree, i % 4);
    if (i % 2) row.SetEnum(pfi, i % 3);
    else row.SetNone(pfi);
    row.SetText(dest, xa);
    row.SetDuration(kept, 86400 * (i % 40));
    row.Evaluate();
    return row.GetInt(level) + row.GetEnum(exp) + row.GetObligation(keep).applies;
  };
  int64_t sum = 0;
  for (int i = 0; i < 30000; ++i) sum += one(i);  // warm: tiered up and specialised
  allocations = 0;
  counting = true;
  for (int i = 0; i < 10000; ++i) sum += one(i);
  counting = false;
  EXPECT_EQ(allocations.load(), 0);
  EXPECT_GT(sum, 0);
  // The counter sees the SDK's allocations: the JSON path makes many.
  counting = true;
  p.Evaluate(row.FactsJson(), EvalOptions{.as_of = "2020-09-01"});
  counting = false;
  EXPECT_GT(allocations.load(), 10);
}

// The header `proviso compile --emit=cpp` generated at build time (proviso_policy_header in
// tests/unit/CMakeLists.txt): its views write and read the row in place, and decide as JSON facts do.
TEST(SdkRow, GeneratedTypesDecideAsJsonFacts) {
  namespace bp = proviso_gen::benchmark_policy;
  Policy p = Engine().CompileFile(kBenchmark);
  EXPECT_EQ(p.LayoutHash(), bp::kLayoutHash);
  EvalOptions opts{.as_of = "2020-09-01", .params = {{"retaliation_countries", R"(["XA"])"}}};
  Row row(p, opts);
  bp::Facts facts(row);
  bp::Outputs out(row);
  facts.set_object(bp::ImpactObject::national_security);
  facts.set_degree(bp::ImpactDegree::serious);
  facts.set_pfi_class(std::nullopt);
  facts.set_destination(row.Text("XA"));
  facts.set_controlled_item(false);
  facts.set_overseas_law_enforcement(false);
  facts.set_approved(false);
  facts.set_call_center_operator(true);
  facts.set_call_ended_on(18480);                // 2020-08-06
  facts.set_records_kept_for(int64_t{86400} * 10);  // 10 days of 30
  row.Evaluate();
  Decision want = p.Evaluate(row.FactsJson(), opts);
  EXPECT_EQ(row.ToDecision().ToJson(), want.ToJson());
  EXPECT_EQ(out.level(), want.output("level").get<int64_t>());
  EXPECT_EQ(out.export_(), bp::ExportDecision::deny);
  EXPECT_EQ(out.deny_reason(), bp::DenyReason::retaliation_list);
  EXPECT_TRUE(out.retention_violation());
  EXPECT_TRUE(out.keep_call_records().violated);
  // Out of range: refused with the field's name; the row keeps what it had.
  try {
    facts.set_call_ended_on(int64_t{1} << 40);
    FAIL();
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "call_ended_on");
  }
  // Facts not given: the getters say so.
  row.SetUnknown(p.FindInput("object"));
  row.Evaluate();
  EXPECT_THROW(out.level(), Error);
  // A header of another layout does not bind.
  EXPECT_THROW(row.RawFacts(bp::kLayoutHash ^ 1), Error);
  Policy other = Jit(kExport);
  Row row2(other);
  EXPECT_THROW(bp::Facts wrong(row2), Error);
}

}  // namespace
}  // namespace sdk_test
}  // namespace proviso
