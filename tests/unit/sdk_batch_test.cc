// The public C++ SDK (runtime/include/proviso/proviso.h) as an application uses it:
// batches of columns (specs, codes, bitmasks, errors), on both back ends.
// EvaluateBatch64: sdk_test_util.h.
// Shared helpers (kExport, AsOf, the SdkBackend fixture, PROVISO_SDK_SUITE, ...): sdk_test_util.h.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "proviso/proviso.h"
#include "tests/unit/sdk_test_util.h"

namespace proviso {
namespace sdk_test {
namespace {

PROVISO_SDK_SUITE(SdkBatch);

// ================================================================ batches

const char* kBatch = R"(policy batch
  document "Batch Act"
enum Degree { very_serious, serious, medium, light }
enum Outcome { permit, review, deny }
record Party { country: text, age: int? }
input {
  degree: Degree
  party: Party
  amount: decimal
  approved: bool
  on: date
  kept: duration
  note: text?
}
param limit: decimal = 1000.0
output outcome: Outcome
output label: text
output score: int?
output big: bool
output due: date
rule permit_all { then outcome = permit cite "Art. 1" }
rule review_big exception to permit_all { when amount > limit then outcome = review cite "Art. 2" }
rule deny_grave exception to permit_all priority 1 {
  when degree == very_serious and not approved
  then outcome = deny
  cite "Art. 3"
}
rule label_country { then label = party.country }
rule label_note exception to label_country { when note is present then label = note ?? "" }
rule score_age { when party.age is present then score = (party.age ?? 0) * 2 }
rule big_r { then big = amount > limit }
rule due_r { then due = on + kept }
obligation keep {
  subject "s"
  must "keep"
  when degree != light
  deadline kept after on
  violated when kept < 30 days
  cite "Art. 4"
}
obligation approve {
  subject "s"
  must "approve"
  when not approved
  cite "Art. 5"
}
)";

// Columns of a batch, owned.
struct Columns {
  std::vector<std::vector<int64_t>> data;
  std::vector<std::vector<uint8_t>> present;
};

constexpr int64_t kUnit = 1000000;

TEST_P(SdkBatch, InputAndOutputSpecs) {
  Policy p = Compile(kBatch, "batch.proviso");
  std::vector<ColumnSpec> in = p.BatchInputs();
  std::vector<std::string> names;
  for (const auto& c : in) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"degree", "party.country", "party.age", "amount", "approved", "on", "kept",
                                             "note"}));
  EXPECT_EQ(in[0].kind, ColumnKind::kEnum);
  EXPECT_EQ(in[0].categories, (std::vector<std::string>{"very_serious", "serious", "medium", "light"}));
  EXPECT_FALSE(in[0].optional);
  EXPECT_EQ(in[1].kind, ColumnKind::kText);
  EXPECT_EQ(in[2].kind, ColumnKind::kInt);
  EXPECT_TRUE(in[2].optional);
  EXPECT_EQ(in[3].kind, ColumnKind::kDecimal);
  EXPECT_EQ(in[4].kind, ColumnKind::kBool);
  EXPECT_EQ(in[5].kind, ColumnKind::kDate);
  EXPECT_EQ(in[6].kind, ColumnKind::kDuration);
  EXPECT_EQ(in[7].kind, ColumnKind::kText);
  EXPECT_TRUE(in[7].optional);

  std::vector<ColumnSpec> out = p.BatchOutputs();
  names.clear();
  for (const auto& c : out) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"outcome", "label", "score", "big", "due", "keep.applies", "keep.violated",
                                             "keep.deadline", "keep.status", "approve.applies", "approve.violated",
                                             "approve.deadline"}));
  EXPECT_EQ(out[0].kind, ColumnKind::kEnum);
  EXPECT_EQ(out[0].categories, (std::vector<std::string>{"permit", "review", "deny"}));
  EXPECT_EQ(out[1].kind, ColumnKind::kText);
  EXPECT_TRUE(out[2].optional);
  EXPECT_EQ(out[3].kind, ColumnKind::kBool);
  EXPECT_EQ(out[4].kind, ColumnKind::kDate);
  EXPECT_EQ(out[5].kind, ColumnKind::kBool);
  EXPECT_FALSE(out[5].optional);
  EXPECT_EQ(out[7].kind, ColumnKind::kDate);
  EXPECT_TRUE(out[7].optional);
  // An obligation with a deadline has a status column, an enum of the deadline statuses.
  EXPECT_EQ(out[8].kind, ColumnKind::kEnum);
  EXPECT_EQ(out[8].categories,
            (std::vector<std::string>{"none", "pending", "met", "overdue", "early", "breached", "undetermined"}));
  EXPECT_EQ(out[8].width, 1);
}

TEST_P(SdkBatch, OutputsOverlappingTheBatchAreAnError) {
  Policy p = Compile("input { n: int }\noutput m: int\nrule r { then m = n * 2 }\n"
                     "output k: int\nrule s { then k = n + 1 }\n");
  std::vector<int64_t> n = {1, 2, 3}, m(3), k(3);
  BatchInput in;
  in.rows = 3;
  in.columns = {n.data()};
  in.present = {nullptr};
  in.dictionaries = {nullptr};
  BatchOutput out;
  out.columns = {n.data(), k.data()};  // writing over the input
  out.present = {nullptr, nullptr};
  try {
    p.EvaluateBatch(in, out);
    FAIL() << "wrote over an input column";
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "output column `m` overlaps input column `n`")) << e.what();
  }
  EXPECT_EQ(n, (std::vector<int64_t>{1, 2, 3}));
  out.columns = {m.data(), m.data() + 1};  // two outputs sharing memory
  EXPECT_THROW(p.EvaluateBatch(in, out), Error);
  out.columns = {m.data(), k.data()};
  p.EvaluateBatch(in, out);
  EXPECT_EQ(m, (std::vector<int64_t>{2, 4, 6}));
  EXPECT_EQ(k, (std::vector<int64_t>{2, 3, 4}));
}

TEST_P(SdkBatch, ListsAndSetsOfTextsCannotBeColumns) {
  Policy p = engine().CompileFile(std::string(PROVISO_SOURCE_DIR) + "/policies/cn/data_security_law.proviso");
  try {
    p.BatchInputs();
    FAIL() << "a list became a column";
  } catch (const Error& e) {
    EXPECT_TRUE(Contains(e.what(), "`dataset.assessments`")) << e.what();
  }
  Policy t = Compile("input { tags: set<text> }\noutput n: int\nrule r { then n = count(tags) }\n");
  EXPECT_THROW(t.BatchInputs(), Error);
  Policy q = Compile("input { n: int }\noutput d: duration\nrule r { then d = 1 day * n }\n");
  EXPECT_THROW(q.BatchOutputs(), Error);
}


int64_t DayNumber(int y, int m, int d) {
  // Days since 1970-01-01 (Howard Hinnant's algorithm), independent of the SDK.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string DateText(int64_t days) {
  // Inverse of DayNumber.
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp + (mp < 10 ? 3 : -9);
  const int64_t y = yoe + era * 400 + (m <= 2);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(y), static_cast<int>(m) % 100,
                static_cast<int>(d) % 100);
  return buf;
}

// A set of a small enum is a column of bitmasks (bit k: categories[k]), with its default when
// absent; a bit that is not a value is a FactsError naming column and row.
TEST_P(SdkBatch, EnumSetsAreBitmaskColumns) {
  Policy p = Compile(
      "enum Service { seat_rental, self_use, call_center_system }\n"
      "input { services: set<Service> = {self_use}, extra: set<Service>? }\n"
      "output rents: bool\nrule r1 { then rents = seat_rental in services }\n"
      "output n: int\nrule r2 { then n = count(services) + count(extra ?? {}) }\n",
      "sets.proviso");
  std::vector<ColumnSpec> in_specs = p.BatchInputs();
  ASSERT_EQ(in_specs.size(), 2u);
  EXPECT_EQ(in_specs[0].kind, ColumnKind::kEnumSet);
  EXPECT_EQ(in_specs[0].categories, (std::vector<std::string>{"seat_rental", "self_use", "call_center_system"}));
  EXPECT_TRUE(in_specs[0].has_default);
  EXPECT_EQ(in_specs[0].width, 8);
  std::vector<int64_t> services = {0b001, 0b110, 0b000, 0b111}, extra = {0b011, 0, 0b100, 0};
  std::vector<uint8_t> services_present = {1, 1, 0, 1}, extra_present = {1, 0, 1, 1};
  std::vector<int64_t> rents(4), n(4);
  BatchInput in;
  in.rows = 4;
  in.columns = {services.data(), extra.data()};
  in.present = {services_present.data(), extra_present.data()};
  in.dictionaries = {nullptr, nullptr};
  BatchOutput out;
  out.columns = {rents.data(), n.data()};
  out.present = {nullptr, nullptr};
  EvaluateBatch64(p, in, out, AsOf("2021-01-01"));
  EXPECT_EQ(rents, (std::vector<int64_t>{1, 0, 0, 1}));
  EXPECT_EQ(n, (std::vector<int64_t>{3, 2, 2, 3}));  // row 2: the default {self_use} and {call_center_system}
  for (size_t r = 0; r < 4; ++r) {  // the same as row by row
    nlohmann::json facts = nlohmann::json::object();
    auto names = [&](int64_t mask) {
      nlohmann::json a = nlohmann::json::array();
      for (int k = 0; k < 3; ++k) if ((mask >> k) & 1) a.push_back(in_specs[0].categories[k]);
      return a;
    };
    if (services_present[r]) facts["services"] = names(services[r]);
    facts["extra"] = extra_present[r] ? names(extra[r]) : json(nullptr);  // an optional column's absent cell: none
    Decision d = p.Evaluate(facts, AsOf("2021-01-01"));
    EXPECT_EQ(d.output("rents"), json(rents[r] != 0)) << r;
    EXPECT_EQ(d.output("n"), json(n[r])) << r;
  }
  extra[1] = 0b1000;  // absent in row 1: ignored
  services[3] = 0b1001;
  try {
    EvaluateBatch64(p, in, out, AsOf("2021-01-01"));
    FAIL() << "accepted bit 3 of a 3-value enum";
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "services[3]");
    EXPECT_TRUE(Contains(e.what(), "0x9 has bits that are not values of `Service`")) << e.what();
  }
}


TEST_P(SdkBatch, EvaluateBatchEqualsRowByRowEvaluate) {
  Policy p = Compile(kBatch, "batch.proviso");
  const int64_t rows = 48;
  std::vector<std::string> countries = {"CN", "US", "DE"};
  std::vector<std::string> notes = {"vip", "regular"};
  std::vector<std::string> degrees = {"very_serious", "serious", "medium", "light"};
  Columns c;
  c.data.assign(8, std::vector<int64_t>(rows));
  c.present.assign(8, std::vector<uint8_t>(rows, 1));
  std::vector<json> facts;
  for (int64_t i = 0; i < rows; ++i) {
    c.data[0][i] = i % 4;
    c.data[1][i] = i % 3;
    c.data[2][i] = 20 + i;
    c.present[2][i] = i % 3 != 0;
    c.data[3][i] = (500 + 50 * i) * kUnit + (i % 2 ? 250000 : 0);  // crosses the 1000.0 limit
    c.data[4][i] = (i / 4) % 2;
    c.data[5][i] = DayNumber(2020, 1, 1) + 17 * i;
    c.data[6][i] = (20 + i / 2) * 86400;                               // seconds: crosses 30 days
    c.data[7][i] = i % 2;
    c.present[7][i] = i % 5 == 0;
    json f = {{"degree", degrees[i % 4]},
              {"party", {{"country", countries[i % 3]}}},
              {"amount", std::to_string(500 + 50 * i) + (i % 2 ? ".25" : ".0")},
              {"approved", (i / 4) % 2 == 1},
              {"on", DateText(c.data[5][i])},
              {"kept", std::to_string(c.data[6][i] / 86400) + " days"}};
    f["party"]["age"] = c.present[2][i] ? json(20 + i) : json(nullptr);  // absent cells of optional columns: none
    f["note"] = c.present[7][i] ? json(notes[i % 2]) : json(nullptr);
    facts.push_back(f);
  }
  BatchInput in;
  in.rows = rows;
  for (size_t k = 0; k < c.data.size(); ++k) {
    in.columns.push_back(c.data[k].data());
    bool optional = k == 2 || k == 7;
    in.present.push_back(optional ? c.present[k].data() : nullptr);
    in.dictionaries.push_back(k == 1 ? &countries : k == 7 ? &notes : nullptr);
  }
  std::vector<ColumnSpec> specs = p.BatchOutputs();
  Columns o;
  o.data.assign(specs.size(), std::vector<int64_t>(rows, -7));
  o.present.assign(specs.size(), std::vector<uint8_t>(rows, 9));
  BatchOutput out;
  for (size_t k = 0; k < specs.size(); ++k) {
    out.columns.push_back(o.data[k].data());
    out.present.push_back(specs[k].optional ? o.present[k].data() : nullptr);
  }
  EvaluateBatch64(p, in, out, AsOf("2021-06-01"));

  std::set<std::string> outcomes;
  int violated = 0;
  for (int64_t i = 0; i < rows; ++i) {
    SCOPED_TRACE("row " + std::to_string(i) + ": " + facts[i].dump());
    Decision d = p.Evaluate(facts[i], AsOf("2021-06-01"));
    EXPECT_EQ(specs[0].categories.at(o.data[0][i]), d.output("outcome").get<std::string>());
    outcomes.insert(d.output("outcome").get<std::string>());
    EXPECT_EQ(out.dictionary.at(o.data[1][i]), d.output("label").get<std::string>());
    if (d.output("score").is_null()) {
      EXPECT_EQ(o.present[2][i], 0);
    } else {
      EXPECT_EQ(o.present[2][i], 1);
      EXPECT_EQ(o.data[2][i], d.output("score").get<int64_t>());
    }
    EXPECT_EQ(o.data[3][i], d.output("big").get<bool>() ? 1 : 0);
    EXPECT_EQ(DateText(o.data[4][i]), d.output("due").get<std::string>());
    for (size_t k = 0; k < 2; ++k) {
      const std::string name = k == 0 ? "keep" : "approve";
      const Obligation* ob = nullptr;
      for (const auto& x : d.obligations()) if (x.name == name) ob = &x;
      size_t col = 5 + 4 * k;  // keep has a deadline, so a status column too
      EXPECT_EQ(o.data[col][i], ob ? 1 : 0) << name;
      EXPECT_EQ(o.data[col + 1][i], ob && ob->violated ? 1 : 0) << name;
      violated += ob && ob->violated;
      bool has_deadline = ob && ob->deadline;
      EXPECT_EQ(o.present[col + 2][i], has_deadline ? 1 : 0) << name;
      if (has_deadline) {
        EXPECT_EQ(DateText(o.data[col + 2][i]), *ob->deadline) << name;
      }
      if (k == 0) {  // the status column
        std::string status = ob && !ob->status.empty() ? ob->status : "none";
        EXPECT_EQ(specs[col + 3].categories.at(o.data[col + 3][i]), status) << name;
      }
    }
  }
  // The batch exercised every outcome and both sides of the obligations.
  EXPECT_EQ(outcomes, (std::set<std::string>{"permit", "review", "deny"}));
  EXPECT_GT(violated, 0);
  // Text outputs index the dictionary, which holds each text once.
  std::set<std::string> unique(out.dictionary.begin(), out.dictionary.end());
  EXPECT_EQ(unique.size(), out.dictionary.size());
  EXPECT_EQ(unique, (std::set<std::string>{"CN", "US", "DE", "vip", "regular"}));
}

// A batch of one column `degree` (enum) and `n` (int) for error tests.
struct SmallBatch {
  std::vector<int64_t> degree, n;
  std::vector<int64_t> o0, o1;
  BatchInput in;
  BatchOutput out;
  SmallBatch(std::vector<int64_t> d, std::vector<int64_t> x) : degree(std::move(d)), n(std::move(x)) {
    o0.resize(degree.size());
    o1.resize(degree.size());
    in.rows = static_cast<int64_t>(degree.size());
    in.columns = {degree.data(), n.data()};
    in.present = {nullptr, nullptr};
    in.dictionaries = {nullptr, nullptr};
    out.columns = {o0.data(), o1.data()};
    out.present = {nullptr, nullptr};
  }
};

const char* kSmall = R"(
enum Degree { high, low }
input { degree: Degree, n: int }
output q: int
output high: bool
rule r { then q = 100 / n }
rule h { then high = degree == Degree.high }
)";

TEST_P(SdkBatch, BadEnumCodeIsAFactsErrorNamingColumnAndRow) {
  Policy p = Compile(kSmall, "small.proviso");
  SmallBatch b({0, 1, 0, 2, 1}, {1, 2, 3, 4, 5});
  try {
    EvaluateBatch64(p, b.in, b.out, AsOf("2021-01-01"));
    FAIL() << "accepted code 2";
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "degree[3]");
    EXPECT_TRUE(Contains(e.what(), "`degree[3]`")) << e.what();
  }
  SmallBatch neg({0, -1}, {1, 2});
  try {
    EvaluateBatch64(p, neg.in, neg.out, AsOf("2021-01-01"));
    FAIL() << "accepted code -1";
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "degree[1]");
  }
}

TEST_P(SdkBatch, BadBoolAndTextCodesAreFactsErrors) {
  Policy p = Compile("input { ok: bool, country: text }\noutput o: bool\n"
                     "rule r { then o = ok and country == \"CN\" }\n", "codes.proviso");
  std::vector<std::string> dict = {"CN", "US"};
  std::vector<int64_t> ok = {1, 0, 2}, country = {0, 1, 0}, o(3);
  BatchInput in;
  in.rows = 3;
  in.columns = {ok.data(), country.data()};
  in.present = {nullptr, nullptr};
  in.dictionaries = {nullptr, &dict};
  BatchOutput out;
  out.columns = {o.data()};
  out.present = {nullptr};
  try {
    EvaluateBatch64(p, in, out, AsOf("2021-01-01"));
    FAIL() << "accepted 2 as a bool";
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "ok[2]");
  }
  ok[2] = 1;
  country[1] = 2;
  try {
    EvaluateBatch64(p, in, out, AsOf("2021-01-01"));
    FAIL() << "accepted a code outside the dictionary";
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "country[1]");
  }
  country[1] = 1;
  EvaluateBatch64(p, in, out, AsOf("2021-01-01"));
  EXPECT_EQ(o, (std::vector<int64_t>{1, 0, 1}));
  std::vector<std::string> empty;
  in.dictionaries = {nullptr, &empty};
  try {
    EvaluateBatch64(p, in, out, AsOf("2021-01-01"));
    FAIL() << "accepted code 0 of an empty dictionary";
  } catch (const FactsError& e) {
    EXPECT_EQ(e.path(), "country[0]");
  }
  in.dictionaries = {nullptr, nullptr};
  EXPECT_THROW(EvaluateBatch64(p, in, out, AsOf("2021-01-01")), Error);  // a text column needs its dictionary
}

// A date column holds day numbers of the calendar: one outside it (too large, negative beyond
// 0001-01-01, or a NaT-like INT64_MIN) is a FactsError naming the cell, before any row is decided
// (the JIT's date arithmetic counts on dates being in the calendar).
TEST_P(SdkBatch, DayNumbersOutsideTheCalendarAreFactsErrors) {
  Policy p = Compile("input { start: date, by: duration }\noutput later: date\n"
                     "rule r { then later = start + by }\n", "dates.proviso");
  std::vector<int64_t> start = {0, 18000, 0}, by = {86400, 2 * 86400, -(1000000000 - 1000)}, later(3);  // seconds
  BatchInput in;
  in.rows = 3;
  in.columns = {start.data(), by.data()};
  in.present = {nullptr, nullptr};
  BatchOutput out;
  out.columns = {later.data()};
  out.present = {nullptr};
  for (int64_t bad : {int64_t{1000000000}, int64_t{-719163}, int64_t{2932897}, INT64_MIN}) {
    start[2] = bad;
    try {
      EvaluateBatch64(p, in, out, AsOf("2021-01-01"));
      FAIL() << "accepted day number " << bad;
    } catch (const FactsError& e) {
      EXPECT_EQ(e.path(), "start[2]");
      EXPECT_TRUE(Contains(e.what(), "outside the calendar (0001-01-01 to 9999-12-31)")) << e.what();
    }
  }
  start[2] = 2932896;  // 9999-12-31
  by[2] = 0;
  EvaluateBatch64(p, in, out, AsOf("2021-01-01"));
  EXPECT_EQ(later, (std::vector<int64_t>{1, 18002, 2932896}));
}

TEST_P(SdkBatch, RowWithoutDecisionIsAnEvaluationErrorNamingTheRow) {
  Policy p = Compile(kSmall, "small.proviso");
  SmallBatch ok({0, 1, 0}, {1, 3, 7});
  EvaluateBatch64(p, ok.in, ok.out, AsOf("2021-01-01"));
  EXPECT_EQ(ok.o0, (std::vector<int64_t>{100, 33, 14}));
  EXPECT_EQ(ok.o1, (std::vector<int64_t>{1, 0, 1}));
  SmallBatch bad({0, 1, 0}, {1, 3, 0});
  try {
    EvaluateBatch64(p, bad.in, bad.out, AsOf("2021-01-01"));
    FAIL() << "divided by zero";
  } catch (const EvaluationError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("row 2: ", 0), 0u) << e.what();
    EXPECT_TRUE(Contains(e.what(), "division by zero")) << e.what();
  }
}

TEST_P(SdkBatch, WrongNumberOfColumnsIsAnError) {
  Policy p = Compile(kSmall, "small.proviso");
  SmallBatch b({0}, {1});
  b.in.columns.pop_back();
  EXPECT_THROW(EvaluateBatch64(p, b.in, b.out, AsOf("2021-01-01")), Error);
  SmallBatch c({0}, {1});
  c.out.columns.pop_back();
  EXPECT_THROW(EvaluateBatch64(p, c.in, c.out, AsOf("2021-01-01")), Error);
}

}  // namespace
}  // namespace sdk_test
}  // namespace proviso
