// The reference interpreter: decision tables and their hit policies.
// Each test states the value the language gives (docs/language.md) and checks the interpreter's.
// Shared helpers (Policy, Ev, Contains, ...): interp_test_util.h.
#include <gtest/gtest.h>

#include <string>

#include "tests/unit/interp_test_util.h"

namespace proviso {
namespace interp_test {
namespace {

// ================================================================ tables

const char* kTables = R"(
enum Object { national_security, public_interest, individuals }
enum Degree { very_serious, serious, medium, light }
enum Decision { deny, review, permit }
param lo: int = 10
param hi: int = 20
input { object: Object, degree: Degree, score: int, country: text, on: date, kept: duration }

table impact(object: Object, degree: Degree) -> int hit unique cite "4.2" {
  national_security, very_serious => 5
  national_security, {serious, medium} => 4
  national_security, light => 3
  {public_interest, individuals}, very_serious => 3
  {public_interest, individuals}, {serious, medium, light} => 1
}
table band(score: int) -> text hit unique {
  < 0 => "invalid"
  0..49 => "low"
  50..79 => "medium"
  >= 80 => "high"
}
table overlapping(score: int) -> text hit unique {
  >= lo => "at least lo"
  <= hi => "at most hi"
}
table no_default(score: int) -> int hit unique {
  >= lo => 1
}
table with_default(score: int) -> int hit unique {
  >= lo => 1
  default => 0
}
table agree(score: int) -> bool hit any {
  >= lo => true
  <= hi => true
  default => false
}
table disagree(score: int) -> text hit any {
  >= lo => "big"
  <= hi => "small"
}
table vat(country: text, score: int) -> decimal hit first {
  "DE", > 1000 => 0.19
  "DE", _ => 0.07
  _, != 0 => 0.05
  default => 0.0
}
table decide(object: Object, score: int) -> Decision hit priority {
  _, _ => permit
  _, >= 50 => review
  national_security, _ => deny
}
table flags(object: Object, score: int) -> text hit collect {
  national_security, _ => "state-secret review"
  _, >= 50 => "manual review"
  _, >= 90 => "escalate"
}
table fine(object: Object, score: int) -> int hit collect sum {
  national_security, _ => 1000
  _, >= 50 => 200
}
table worst(object: Object, score: int) -> int hit collect max {
  national_security, _ => 5
  _, >= 50 => 3
  _, >= 0 => 1
}
table least(object: Object, score: int) -> int hit collect min {
  national_security, _ => 5
  _, >= 50 => 3
}
table hits(object: Object, score: int) -> int hit collect count {
  national_security, _ => 1
  _, >= 50 => 1
}
table era(on: date) -> int hit unique {
  < 2021-01-01 => 1
  >= 2021-01-01 => 2
}
table long_enough(kept: duration, minimum: duration) -> bool hit first {
  >= minimum, _ => true
  >= 30 days, _ => true
  default => false
}

let impact_v = impact(object, degree)
let band_v = band(score)
let overlapping_v = overlapping(score)
let no_default_v = no_default(score)
let with_default_v = with_default(score)
let agree_v = agree(score)
let disagree_v = disagree(score)
let vat_v = vat(country, score)
let decide_v = decide(object, score)
let flags_v = flags(object, score)
let fine_v = fine(object, score)
let worst_v = worst(object, score)
let least_v = least(object, score)
let hits_v = hits(object, score)
let era_v = era(on)
let long_enough_v = long_enough(kept, 60 days)
)";

json TableFacts(const std::string& object, int score, const std::string& country = "CN") {
  return json{{"object", object}, {"degree", "light"}, {"score", score}, {"country", country},
              {"on", "2020-12-31"}, {"kept", "10 days"}};
}

TEST(InterpTables, UniqueWithEnumsAndSetCells) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  auto impact = [&](const std::string& o, const std::string& d) {
    json f = TableFacts(o, 0);
    f["degree"] = d;
    return p.Get("impact_v", f);
  };
  EXPECT_EQ(impact("national_security", "very_serious"), "5");
  EXPECT_EQ(impact("national_security", "serious"), "4");
  EXPECT_EQ(impact("national_security", "medium"), "4");
  EXPECT_EQ(impact("national_security", "light"), "3");
  EXPECT_EQ(impact("individuals", "very_serious"), "3");
  EXPECT_EQ(impact("public_interest", "light"), "1");
}

TEST(InterpTables, RangeCellsAreInclusive) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("band_v", TableFacts("individuals", -1)), "\"invalid\"");
  EXPECT_EQ(p.Get("band_v", TableFacts("individuals", 0)), "\"low\"");
  EXPECT_EQ(p.Get("band_v", TableFacts("individuals", 49)), "\"low\"");
  EXPECT_EQ(p.Get("band_v", TableFacts("individuals", 50)), "\"medium\"");
  EXPECT_EQ(p.Get("band_v", TableFacts("individuals", 79)), "\"medium\"");
  EXPECT_EQ(p.Get("band_v", TableFacts("individuals", 80)), "\"high\"");
}

TEST(InterpTables, UniqueWithTwoMatchesIsAnErrorNamingBothRows) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("overlapping_v", TableFacts("individuals", 5)), "\"at most hi\"");
  EXPECT_EQ(p.Get("overlapping_v", TableFacts("individuals", 25)), "\"at least lo\"");
  std::string e = p.Get("overlapping_v", TableFacts("individuals", 15));
  EXPECT_TRUE(Contains(e, "error: rows 1 and 2 of table `overlapping` both match (15)")) << e;
  EXPECT_TRUE(Contains(e, "unique")) << e;
  // The bounds are params: moving them removes the overlap.
  EXPECT_EQ(p.Get("overlapping_v", TableFacts("individuals", 15), kDay, {{"lo", "16"}}), "\"at most hi\"");
}

TEST(InterpTables, NoMatchWithoutDefaultIsAnError) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("no_default_v", TableFacts("individuals", 10)), "1");
  std::string e = p.Get("no_default_v", TableFacts("individuals", 9));
  EXPECT_TRUE(Contains(e, "error: no row of table `no_default` matches (9)")) << e;
  EXPECT_EQ(p.Get("with_default_v", TableFacts("individuals", 9)), "0");
  EXPECT_EQ(p.Get("with_default_v", TableFacts("individuals", 10)), "1");
}

TEST(InterpTables, AnyAgreeingAndDisagreeing) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("agree_v", TableFacts("individuals", 15)), "true");   // both rows, same result
  EXPECT_EQ(p.Get("agree_v", TableFacts("individuals", 5)), "true");
  EXPECT_EQ(p.Get("disagree_v", TableFacts("individuals", 5)), "\"small\"");
  EXPECT_EQ(p.Get("disagree_v", TableFacts("individuals", 25)), "\"big\"");
  std::string e = p.Get("disagree_v", TableFacts("individuals", 15));
  EXPECT_TRUE(Contains(e, "error: rows 1 and 2 of table `disagree` both match (15) with different results")) << e;
  EXPECT_TRUE(Contains(e, "`any`")) << e;
}

TEST(InterpTables, FirstTakesTheFirstMatchingRow) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("vat_v", TableFacts("individuals", 1001, "DE")), "0.19");
  EXPECT_EQ(p.Get("vat_v", TableFacts("individuals", 1000, "DE")), "0.07");
  EXPECT_EQ(p.Get("vat_v", TableFacts("individuals", 0, "DE")), "0.07");
  EXPECT_EQ(p.Get("vat_v", TableFacts("individuals", 5, "FR")), "0.05");
  EXPECT_EQ(p.Get("vat_v", TableFacts("individuals", 0, "FR")), "0");
}

TEST(InterpTables, PriorityFollowsEnumOrder) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  // Decision { deny, review, permit }: the value declared first wins, whatever the row order.
  EXPECT_EQ(p.Get("decide_v", TableFacts("individuals", 10)), "permit");
  EXPECT_EQ(p.Get("decide_v", TableFacts("individuals", 50)), "review");
  EXPECT_EQ(p.Get("decide_v", TableFacts("national_security", 10)), "deny");
  EXPECT_EQ(p.Get("decide_v", TableFacts("national_security", 50)), "deny");
}

TEST(InterpTables, CollectAndAggregations) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("flags_v", TableFacts("national_security", 95)),
            "[\"state-secret review\", \"manual review\", \"escalate\"]");
  EXPECT_EQ(p.Get("flags_v", TableFacts("individuals", 60)), "[\"manual review\"]");
  EXPECT_EQ(p.Get("flags_v", TableFacts("individuals", 10)), "[]");
  EXPECT_EQ(p.Get("fine_v", TableFacts("national_security", 60)), "1200");
  EXPECT_EQ(p.Get("fine_v", TableFacts("individuals", 60)), "200");
  EXPECT_EQ(p.Get("fine_v", TableFacts("individuals", 10)), "0");
  EXPECT_EQ(p.Get("worst_v", TableFacts("national_security", 60)), "5");
  EXPECT_EQ(p.Get("worst_v", TableFacts("individuals", 60)), "3");
  EXPECT_EQ(p.Get("worst_v", TableFacts("individuals", 10)), "1");
  EXPECT_EQ(p.Get("least_v", TableFacts("national_security", 60)), "3");
  EXPECT_EQ(p.Get("least_v", TableFacts("national_security", 10)), "5");
  std::string e = p.Get("least_v", TableFacts("individuals", 10));
  EXPECT_TRUE(Contains(e, "error: no row of table `least` matches")) << e;
  e = p.Get("worst_v", TableFacts("individuals", -1));
  EXPECT_TRUE(Contains(e, "error: no row of table `worst` matches")) << e;
  EXPECT_EQ(p.Get("hits_v", TableFacts("national_security", 60)), "2");
  EXPECT_EQ(p.Get("hits_v", TableFacts("individuals", 60)), "1");
  EXPECT_EQ(p.Get("hits_v", TableFacts("individuals", 10)), "0");
}

TEST(InterpTables, CollectAggregationsUseTheDefaultRowWhenNothingMatches) {
  // docs/language.md: "`default => EXPR` ... is the result when no row matches".
  Policy p(R"(
input { n: int }
table fine(n: int) -> int hit collect sum {
  > 10 => 100
  > 20 => 50
  default => 7
}
table most(n: int) -> int hit collect max {
  > 10 => 100
  default => 7
}
let fine_v = fine(n)
let most_v = most(n)
)");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.Get("fine_v", json{{"n", 25}}), "150");
  EXPECT_EQ(p.Get("most_v", json{{"n", 5}}), "7");
  EXPECT_EQ(p.Get("fine_v", json{{"n", 5}}), "7");
}

TEST(InterpTables, DateAndDurationCellsAndColumnReferences) {
  Policy p(kTables);
  ASSERT_TRUE(p.ok());
  json f = TableFacts("individuals", 0);
  EXPECT_EQ(p.Get("era_v", f), "1");
  f["on"] = "2021-01-01";
  EXPECT_EQ(p.Get("era_v", f), "2");
  f["kept"] = "29 days";
  EXPECT_EQ(p.Get("long_enough_v", f), "false");
  f["kept"] = "30 days";
  EXPECT_EQ(p.Get("long_enough_v", f), "true");   // second row
  f["kept"] = "61 days";
  EXPECT_EQ(p.Get("long_enough_v", f), "true");   // first row: compares with the other column
  f["kept"] = "2 months";
  std::string e = p.Get("long_enough_v", f);
  EXPECT_TRUE(Contains(e, "error: cannot compare `2 months` with `60 days`")) << e;
}

TEST(InterpTables, TableInsideQuantifierAndFunction) {
  Policy p(R"(
enum Degree { very_serious, serious, medium, light }
record Impact { degree: Degree, weight: int }
input { impacts: list<Impact> }
table level(degree: Degree, weight: int) -> int hit first {
  very_serious, _ => 4
  _, >= 10 => 3
  _, _ => 1
}
function scaled(d: Degree, w: int) -> int = level(d, w) * 10 + w
let total = sum i in impacts: scaled(i.degree, i.weight)
let top = max i in impacts: level(i.degree, i.weight)
)");
  ASSERT_TRUE(p.ok());
  json f = {{"impacts",
             {{{"degree", "light"}, {"weight", 12}},
              {{"degree", "very_serious"}, {"weight", 1}},
              {{"degree", "medium"}, {"weight", 2}}}}};
  EXPECT_EQ(p.Get("total", f), "95");  // (3*10+12) + (4*10+1) + (1*10+2)
  EXPECT_EQ(p.Get("top", f), "4");
}

}  // namespace
}  // namespace interp_test
}  // namespace proviso
