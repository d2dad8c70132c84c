// The public C++ SDK (runtime/include/proviso/proviso.h) as an application uses it:
// batch input columns left out (defaults), breaking constraints, or not known.
// Shared helpers (kExport, AsOf, the SdkBackend fixture, PROVISO_SDK_SUITE, ...): sdk_test_util.h.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "proviso/proviso.h"
#include "tests/unit/sdk_test_util.h"

namespace proviso {
namespace sdk_test {
namespace {

// An input with a default may be left out of a batch: presence 0 means the default, as a field
// left out of JSON facts does. Both engines agree with row-by-row evaluation.
TEST(SdkBatchDefaults, AbsentValuesTakeTheFieldsDefault) {
  const std::string source = R"(
input { kept: int, approved: bool = true, country: text = "CN", grace: duration = 3 days }
output ok: bool
output place: text
output total: int
rule r { then ok = approved and kept > 2 }
rule w { then place = country }
rule t { then total = kept + days(grace) }
)";
  for (Backend backend : {Backend::kJit, Backend::kInterpreter}) {
    Policy p = Engine({backend, false}).CompileString(source, "defaults.proviso");
    std::vector<ColumnSpec> specs = p.BatchInputs();
    ASSERT_EQ(specs.size(), 4u);
    EXPECT_FALSE(specs[0].has_default);
    EXPECT_TRUE(specs[1].has_default && specs[1].optional);
    // Durations in seconds: grace 1 day.
    std::vector<int64_t> kept = {5, 1, 7}, approved = {0, 1, 0}, country = {0, 0, 1}, grace = {86400, 0, 0};
    std::vector<uint8_t> approved_present = {1, 0, 0}, country_present = {0, 1, 1}, grace_present = {1, 0, 0};
    std::vector<std::string> dict = {"FR", "JP"};
    BatchInput in;
    in.rows = 3;
    in.columns = {kept.data(), approved.data(), country.data(), grace.data()};
    in.present = {nullptr, approved_present.data(), country_present.data(), grace_present.data()};
    in.dictionaries = {nullptr, nullptr, &dict, nullptr};
    std::vector<int64_t> ok(3), where(3), total(3);
    BatchOutput out;
    out.columns = {ok.data(), where.data(), total.data()};
    EvaluateBatch64(p, in, out);
    // Row 0: approved given false, country default "CN", grace given 1 day.
    // Row 1: approved default true, country "FR", grace default 3 days.
    // Row 2: approved default true, country "JP", grace default.
    EXPECT_EQ(ok, (std::vector<int64_t>{0, 0, 1}));
    EXPECT_EQ(out.dictionary[where[0]], "CN");
    EXPECT_EQ(out.dictionary[where[1]], "FR");
    EXPECT_EQ(out.dictionary[where[2]], "JP");
    EXPECT_EQ(total, (std::vector<int64_t>{6, 4, 10}));
    Decision d = p.Evaluate(nlohmann::json{{"kept", 7}, {"country", "JP"}});
    EXPECT_EQ(d.output("ok"), true);
    EXPECT_EQ(d.output("total"), 10);
  }
}

// The schema's constraints hold for batch columns as for JSON facts: the first bad row is named.
TEST(SdkBatchConstraints, TheFirstRowBreakingAConstraintIsNamed) {
  const std::string source = R"(
enum Role { processor, entrusted, third_party }
input { minute: int in 0..1439, people: int >= 0, lead: text != "", role: Role != third_party, fee: decimal? <= 10.0 }
output ok: bool
rule r { then ok = minute > people }
)";
  for (Backend backend : {Backend::kJit, Backend::kInterpreter}) {
    Policy p = Engine({backend, false}).CompileString(source, "constraints.proviso");
    std::vector<int64_t> minute = {10, 1439, 0}, people = {1, 2, 3}, lead = {0, 1, 0}, role = {0, 1, 0},
                         fee = {5000000, 0, 10000000};
    std::vector<uint8_t> fee_present = {1, 0, 1};
    std::vector<std::string> dict = {"Li", "Wang"};
    BatchInput in;
    in.rows = 3;
    in.columns = {minute.data(), people.data(), lead.data(), role.data(), fee.data()};
    in.present = {nullptr, nullptr, nullptr, nullptr, fee_present.data()};
    in.dictionaries = {nullptr, nullptr, &dict, nullptr, nullptr};
    std::vector<int64_t> ok(3);
    BatchOutput out;
    out.columns = {ok.data()};
    EvaluateBatch64(p, in, out);
    EXPECT_EQ(ok, (std::vector<int64_t>{1, 1, 0}));
    auto message = [&] {
      try {
        EvaluateBatch64(p, in, out);
      } catch (const FactsError& e) {
        return std::string(e.what());
      }
      return std::string("no error");
    };
    minute[2] = 1440;
    EXPECT_EQ(message(), "`minute[2]`: 1440 does not satisfy `in 0..1439`");
    minute[2] = 0;
    people[1] = -1;
    EXPECT_EQ(message(), "`people[1]`: -1 does not satisfy `>= 0`");
    people[1] = 2;
    dict[1] = "";
    EXPECT_EQ(message(), "`lead[1]`: \"\" does not satisfy `!= \"\"`");
    dict[1] = "Wang";
    role[0] = 2;
    EXPECT_EQ(message(), "`role[0]`: third_party does not satisfy `!= third_party`");
    role[0] = 0;
    fee[1] = 99000000;  // absent: not checked
    EXPECT_EQ(message(), "no error");
    fee[2] = 10000001;
    EXPECT_EQ(message(), "`fee[2]`: 10.000001 does not satisfy `<= 10.0`");
  }
}

// Cells not known are facts not given: what depends on them is undetermined, with its missing
// facts per column; without BatchOutput::missing the batch refuses to pass such rows for decisions.
TEST(SdkBatchUnknowns, CellsNotKnownGiveUndeterminedResultsWithTheirMissingFacts) {
  const std::string source = R"(
input { verified: bool, operator: bool, ended_on: date }
output ok: bool
rule r { then ok = verified or not operator }
obligation verify {
  subject "operator"
  must "verify numbers"
  when operator
  violated when not verified
  cite "Art. 1"
}
)";
  for (Backend backend : {Backend::kJit, Backend::kInterpreter}) {
    Policy p = Engine({backend, false}).CompileString(source, "unknowns.proviso");
    EXPECT_EQ(p.Facts(), (std::vector<std::string>{"verified", "operator", "ended_on"}));
    EXPECT_EQ(p.MissingWords(), 1);
    // Row 0: everything known; row 1: `verified` not known; row 2: `operator` not known.
    std::vector<uint8_t> verified = {0, 0, 1}, op = {1, 1, 1};
    std::vector<int64_t> ended = {100, 100, 100};
    std::vector<uint8_t> verified_known = {1, 0, 1}, op_known = {1, 1, 0};
    BatchInput in;
    in.rows = 3;
    in.columns = {verified.data(), op.data(), ended.data()};
    in.present = {nullptr, nullptr, nullptr};
    in.known = {verified_known.data(), op_known.data(), nullptr};
    in.dictionaries = {nullptr, nullptr, nullptr};
    std::vector<uint8_t> ok(3), applies(3), violated(3);
    std::vector<int64_t> deadline(3);
    std::vector<uint8_t> deadline_present(3);
    BatchOutput out;
    out.columns = {ok.data(), applies.data(), violated.data(), deadline.data()};
    out.present = {nullptr, nullptr, nullptr, deadline_present.data()};
    try {
      p.EvaluateBatch(in, out);
      ADD_FAILURE() << "accepted without missing columns";
    } catch (const Error& e) {
      EXPECT_TRUE(Contains(e.what(), "no BatchOutput::missing for column `ok`")) << e.what();
    }
    std::vector<std::vector<uint64_t>> missing(4, std::vector<uint64_t>(3));
    out.missing = {missing[0].data(), missing[1].data(), missing[2].data(), missing[3].data()};
    p.EvaluateBatch(in, out);
    const uint64_t kVerified = 1 << 0, kOperator = 1 << 1;
    // ok: row 0 false (known), row 1 waits for `verified`, row 2 true (`verified` decides the `or`).
    EXPECT_EQ(ok[0], 0);
    EXPECT_EQ(missing[0], (std::vector<uint64_t>{0, kVerified, 0}));
    EXPECT_EQ(ok[2], 1);
    // The obligation: row 0 applies and is violated; row 1 applies, its violation waits for
    // `verified`; row 2 may apply (waits for `operator`) and would not be violated.
    EXPECT_EQ(applies, (std::vector<uint8_t>{1, 1, 0}));
    EXPECT_EQ(missing[1], (std::vector<uint64_t>{0, 0, kOperator}));
    EXPECT_EQ(violated, (std::vector<uint8_t>{1, 0, 0}));
    EXPECT_EQ(missing[2], (std::vector<uint64_t>{0, kVerified, 0}));
    // The same as evaluating each row as JSON facts with the fact left out.
    Decision d = p.Evaluate(json{{"operator", true}, {"ended_on", "1970-04-11"}});
    EXPECT_EQ(d.undetermined(), json::parse(R"({"ok": ["verified"]})"));
    EXPECT_EQ(d.missing_facts(), (std::vector<std::string>{"verified"}));
    ASSERT_EQ(d.obligations().size(), 1u);
    EXPECT_FALSE(d.obligations()[0].violated);
    EXPECT_TRUE(d.obligations()[0].violation_undetermined);
    EXPECT_EQ(d.obligations()[0].missing, (std::vector<std::string>{"verified"}));
    EXPECT_TRUE(d.violations().empty());
    try {
      d.output("ok");
      ADD_FAILURE() << "an undetermined output read as a value";
    } catch (const Error& e) {
      EXPECT_TRUE(Contains(e.what(), "output `ok` is undetermined: it depends on facts not given (`verified`)")) << e.what();
    }
  }
}

// A bad code anywhere in a batch is a FactsError on both back ends, even when a row before it has
// no decision (found by fuzz/fuzz_batch: the interpreter's path decided row by row and met the
// division by zero of row 0 first, the JIT's read every cell first).
TEST(SdkBatchInputs, ABadCodeIsAFactsErrorBeforeAnyRowIsDecided) {
  const std::string source = R"(
enum Level { low, high }
input { n: int, level: Level }
output share: int
rule r { then share = 100 / n }
output is_high: bool
rule h { then is_high = level == Level.high }
)";
  for (Backend backend : {Backend::kJit, Backend::kInterpreter}) {
    Policy p = Engine({backend, false}).CompileString(source, "codes.proviso");
    std::vector<int64_t> n = {0, 4}, level = {0, 7};  // row 0 divides by zero; row 1 has code 7
    BatchInput in;
    in.rows = 2;
    in.columns = {n.data(), level.data()};
    in.present = {nullptr, nullptr};
    in.dictionaries = {nullptr, nullptr};
    std::vector<int64_t> share(2), high(2);
    BatchOutput out;
    out.columns = {share.data(), high.data()};
    try {
      EvaluateBatch64(p, in, out);
      ADD_FAILURE() << "no error";
    } catch (const FactsError& e) {
      EXPECT_EQ(e.path(), "level[1]") << e.what();
    } catch (const EvaluationError& e) {
      ADD_FAILURE() << "the division of row 0 was reported before the bad code of row 1: " << e.what();
    }
  }
}

}  // namespace
}  // namespace sdk_test
}  // namespace proviso
