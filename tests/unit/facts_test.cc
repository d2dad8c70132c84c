// Facts: JSON validated against a policy's input schema. Every problem is a FactsError whose path
// names the field (`a.b.c`, `calls[2].kept_for`).
#include "compiler/interp/facts.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "compiler/diag/diagnostic.h"
#include "compiler/driver/driver.h"
#include "compiler/ir/ir.h"

namespace proviso {
namespace {

using nlohmann::json;

const char* kSchema = R"(
enum Degree { very_serious, serious, medium, light }
record Inner { c: int }
record Middle { b: Inner }
record Call { ended_on: date, kept_for: duration, deleted_on: date? }
record Impact { degree: Degree, weight: int = 1 }
input {
  a: Middle
  calls: list<Call>
  degree: Degree
  fee: decimal
  n: int
  name: text
  on: date
  period: duration
  ok: bool = false
  tags: set<text> = {}
  degrees: set<Degree> = {}
  maybe: int?
  impacts: list<Impact> = []
}
param limit: int = 3
param rate: decimal = 0.5
param minimum: duration = 30 days
param start: date = 2020-01-01
param strict: bool = false
param worst: Degree = light
param countries: set<text> = {"CN"}
param label: text = "x"
let uses = limit + n
)";

class FactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto fe = CompileSource("facts.proviso", kSchema);
    ASSERT_TRUE(fe->ok()) << RenderText(fe->diags.diagnostics(), fe->sources);
    program_ = ir::Lower(std::move(fe->program));
  }

  // Complete, valid facts.
  static json Valid() {
    return json::parse(R"({
      "a": {"b": {"c": 1}},
      "calls": [
        {"ended_on": "2020-07-01", "kept_for": "29 days", "deleted_on": null},
        {"ended_on": "2020-07-02", "kept_for": "1 month", "deleted_on": "2020-08-02"},
        {"ended_on": "2020-07-03", "kept_for": "P2W", "deleted_on": null}
      ],
      "degree": "serious",
      "fee": 12.5,
      "n": 42,
      "name": "Zhang San",
      "on": "2020-07-31",
      "period": "1 year 2 days",
      "maybe": null
    })");
  }

  Value Facts(const json& j) const { return interp::FactsFromJson(j, *program_); }

  // The path of the FactsError that `j` gives, or "<no error>".
  std::string ErrorPath(const json& j) const {
    try {
      Facts(j);
    } catch (const interp::FactsError& e) {
      last_message_ = e.what();
      return e.path();
    }
    return "<no error>";
  }

  // Field `name` of the input record in Proviso spelling.
  std::string Field(const Value& facts, const std::string& name) const {
    const RecordInfo& info = program_->input();
    int i = info.Find(name);
    EXPECT_GE(i, 0) << name;
    if (i < 0) return "";
    return FormatValue(facts.elems()[i], info.fields[i].type, program_->types());
  }

  const Type* ParamType(const std::string& name) const { return program_->params[program_->FindParam(name)].type; }

  std::string Param(const std::string& name, const std::string& text) const {
    try {
      Value v = interp::ParseParamValue(text, ParamType(name), *program_, name);
      return FormatValue(v, ParamType(name), program_->types());
    } catch (const interp::FactsError& e) {
      last_message_ = e.what();
      return "error at " + e.path();
    }
  }

  std::unique_ptr<ir::Program> program_;
  mutable std::string last_message_;
};

TEST_F(FactsTest, ValidFactsBecomeTheInputRecord) {
  Value v = Facts(Valid());
  EXPECT_EQ(Field(v, "a"), "{b: {c: 1}}");
  EXPECT_EQ(Field(v, "calls"),
            "[{ended_on: 2020-07-01, kept_for: 29 days, deleted_on: none}, "
            "{ended_on: 2020-07-02, kept_for: 1 month, deleted_on: 2020-08-02}, "
            "{ended_on: 2020-07-03, kept_for: 14 days, deleted_on: none}]");
  EXPECT_EQ(Field(v, "degree"), "serious");
  EXPECT_EQ(Field(v, "fee"), "12.5");
  EXPECT_EQ(Field(v, "n"), "42");
  EXPECT_EQ(Field(v, "name"), "\"Zhang San\"");
  EXPECT_EQ(Field(v, "on"), "2020-07-31");
  EXPECT_EQ(Field(v, "period"), "1 year 2 days");
}

TEST_F(FactsTest, DefaultsAndOptionals) {
  Value v = Facts(Valid());
  EXPECT_EQ(Field(v, "ok"), "false");
  EXPECT_EQ(Field(v, "tags"), "{}");
  EXPECT_EQ(Field(v, "impacts"), "[]");
  EXPECT_EQ(Field(v, "maybe"), "none");
  json j = Valid();
  j["ok"] = true;
  j["tags"] = {"b", "a", "b"};
  j["degrees"] = {"light", "very_serious", "light"};
  j["maybe"] = 7;
  j["impacts"] = json::parse(R"([{"degree": "light"}, {"degree": "medium", "weight": 3}])");
  v = Facts(j);
  EXPECT_EQ(Field(v, "ok"), "true");
  EXPECT_EQ(Field(v, "tags"), "{\"a\", \"b\"}");  // sorted, one of each
  EXPECT_EQ(Field(v, "degrees"), "{very_serious, light}");  // in enum order
  EXPECT_EQ(Field(v, "maybe"), "7");
  EXPECT_EQ(Field(v, "impacts"), "[{degree: light, weight: 1}, {degree: medium, weight: 3}]");
  // null is an optional's known absence, and the default of a field with one.
  j["maybe"] = nullptr;
  j["ok"] = nullptr;
  v = Facts(j);
  EXPECT_EQ(Field(v, "maybe"), "none");
  EXPECT_EQ(Field(v, "ok"), "false");
  // Left out, an optional is not known; a field with a default takes it.
  j.erase("maybe");
  j.erase("ok");
  v = Facts(j);
  EXPECT_EQ(Field(v, "maybe"), "unknown");
  EXPECT_EQ(Field(v, "ok"), "false");
}

TEST_F(FactsTest, WrongTypeNamesThePath) {
  json j = Valid();
  j["n"] = "42";
  EXPECT_EQ(ErrorPath(j), "n");
  EXPECT_EQ(last_message_, "`n`: expected an integer, found text");
  j = Valid();
  j["n"] = 4.5;
  EXPECT_EQ(ErrorPath(j), "n");
  EXPECT_EQ(last_message_, "`n`: expected an integer, found a number with a fraction");
  j = Valid();
  j["ok"] = "true";
  EXPECT_EQ(ErrorPath(j), "ok");
  j = Valid();
  j["name"] = 5;
  EXPECT_EQ(ErrorPath(j), "name");
  j = Valid();
  j["fee"] = true;
  EXPECT_EQ(ErrorPath(j), "fee");
  j = Valid();
  j["tags"] = "a";
  EXPECT_EQ(ErrorPath(j), "tags");
  EXPECT_EQ(last_message_, "`tags`: expected an array, found text");
  j = Valid();
  j["a"] = json::array();
  EXPECT_EQ(ErrorPath(j), "a");
  j = Valid();
  j["a"]["b"]["c"] = "one";
  EXPECT_EQ(ErrorPath(j), "a.b.c");
  j = Valid();
  j["tags"] = {"a", 1};
  EXPECT_EQ(ErrorPath(j), "tags[1]");
  j = Valid();
  j["degree"] = 1;
  EXPECT_EQ(ErrorPath(j), "degree");
  j = Valid();
  j["maybe"] = "seven";
  EXPECT_EQ(ErrorPath(j), "maybe");
}

TEST_F(FactsTest, UnknownEnumValue) {
  json j = Valid();
  j["degree"] = "grave";
  EXPECT_EQ(ErrorPath(j), "degree");
  EXPECT_EQ(last_message_,
            "`degree`: `grave` is not a value of `Degree` (`very_serious`, `serious`, `medium`, `light`)");
  j = Valid();
  j["degree"] = "Serious";  // case matters
  EXPECT_EQ(ErrorPath(j), "degree");
  j = Valid();
  j["impacts"] = json::parse(R"([{"degree": "light"}, {"degree": "huge"}])");
  EXPECT_EQ(ErrorPath(j), "impacts[1].degree");
  j = Valid();
  j["degrees"] = {"light", "Degree.serious"};
  EXPECT_EQ(ErrorPath(j), "degrees[1]");
}

// A fact left out is not known: its value is unknown, naming its fact (ir::Program::facts), at any
// depth; `null` for a field that is not optional is an error.
TEST_F(FactsTest, FactsLeftOutAreUnknownAndNamed) {
  auto missing = [&](const Value& facts, const std::vector<int>& path) {
    Value v = facts;
    for (int k : path) v = v.elems().at(k);
    std::string out;
    for (int id : MissingOf(v)) out += (out.empty() ? "" : ",") + program_->facts.at(id);
    return out;
  };
  const RecordInfo& info = program_->input();
  json j = Valid();
  j.erase("n");
  Value v = Facts(j);
  EXPECT_EQ(Field(v, "n"), "unknown");
  EXPECT_EQ(missing(v, {info.Find("n")}), "n");
  j = Valid();
  j["a"]["b"].erase("c");
  EXPECT_EQ(missing(Facts(j), {info.Find("a"), 0, 0}), "a.b.c");
  j = Valid();
  j.erase("a");
  EXPECT_EQ(missing(Facts(j), {info.Find("a")}), "a");
  j = Valid();
  j["calls"][1].erase("ended_on");
  EXPECT_EQ(missing(Facts(j), {info.Find("calls"), 1, 0}), "calls[].ended_on");
  j = Valid();
  j["impacts"] = json::parse(R"([{"weight": 2}])");
  EXPECT_EQ(missing(Facts(j), {info.Find("impacts"), 0, 0}), "impacts[].degree");
  EXPECT_EQ(Field(Facts(json::object()), "a"), "unknown");  // nothing given: nothing known
  EXPECT_EQ(program_->FindFact("calls.ended_on"), program_->FindFact("calls[].ended_on"));
  // null is a known absence, only for an optional.
  j = Valid();
  j["n"] = nullptr;
  EXPECT_EQ(ErrorPath(j), "n");
  EXPECT_EQ(last_message_, "`n`: null is not a value of `int` (leave the field out when it is not known)");
}

TEST_F(FactsTest, UnknownField) {
  json j = Valid();
  j["zzz"] = 1;
  EXPECT_EQ(ErrorPath(j), "zzz");
  EXPECT_TRUE(last_message_.find("unknown field") != std::string::npos) << last_message_;
  EXPECT_TRUE(last_message_.find("`degree`") != std::string::npos) << last_message_;
  j = Valid();
  j["a"]["b"]["d"] = 1;
  EXPECT_EQ(ErrorPath(j), "a.b.d");
  EXPECT_EQ(last_message_, "`a.b.d`: unknown field; the fields are `c`");
  j = Valid();
  j["calls"][2]["deleted"] = "2020-08-01";
  EXPECT_EQ(ErrorPath(j), "calls[2].deleted");
  j = Valid();
  j["Degree"] = "serious";  // field names are case-sensitive
  EXPECT_EQ(ErrorPath(j), "Degree");
}

TEST_F(FactsTest, MalformedDates) {
  for (const char* bad : {"2020-02-30", "2019-02-29", "2020-7-31", "2020/07/31", "31-07-2020", "2020-07-31T00:00:00",
                          "", "yesterday", "2020-13-01"}) {
    json j = Valid();
    j["on"] = bad;
    EXPECT_EQ(ErrorPath(j), "on") << bad;
    EXPECT_EQ(last_message_, std::string("`on`: `") + bad + "` is not a valid date (YYYY-MM-DD)");
  }
  json j = Valid();
  j["on"] = 20200731;
  EXPECT_EQ(ErrorPath(j), "on");
  j = Valid();
  j["calls"][1]["deleted_on"] = "2020-02-31";
  EXPECT_EQ(ErrorPath(j), "calls[1].deleted_on");
  j = Valid();
  j["on"] = "2020-02-29";
  EXPECT_EQ(ErrorPath(j), "<no error>");
}

TEST_F(FactsTest, MalformedDurations) {
  for (const char* bad : {"30", "thirty days", "30 dayz", "days", "", "P", "P30", "P30X", "30 days and more"}) {
    json j = Valid();
    j["period"] = bad;
    EXPECT_EQ(ErrorPath(j), "period") << bad;
  }
  json j = Valid();
  j["period"] = 30;
  EXPECT_EQ(ErrorPath(j), "period");
  EXPECT_EQ(last_message_, "`period`: expected a duration such as \"30 days\", found an integer");
  j = Valid();
  j["calls"][2]["kept_for"] = "2 fortnights";
  EXPECT_EQ(ErrorPath(j), "calls[2].kept_for");
  for (const auto& [good, spelled] : std::vector<std::pair<std::string, std::string>>{
           {"1 day", "1 day"}, {"2 weeks", "14 days"}, {"6 months", "6 months"}, {"1 year", "1 year"},
           {"P1Y2M", "14 months"}, {"P30D", "30 days"}, {"P2W", "14 days"}, {"1 year 2 days", "1 year 2 days"}}) {
    j = Valid();
    j["period"] = good;
    EXPECT_EQ(Field(Facts(j), "period"), spelled) << good;
  }
}

TEST_F(FactsTest, Decimals) {
  auto fee = [&](const json& x) {
    json j = Valid();
    j["fee"] = x;
    try {
      return Field(Facts(j), "fee");
    } catch (const interp::FactsError& e) {
      last_message_ = e.what();
      return "error at " + e.path();
    }
  };
  EXPECT_EQ(fee(12), "12");
  EXPECT_EQ(fee(0.015), "0.015");
  EXPECT_EQ(fee(-2.5), "-2.5");
  EXPECT_EQ(fee("12.50"), "12.5");
  EXPECT_EQ(fee("-0.000001"), "-0.000001");
  EXPECT_EQ(fee("0.1234567"), "error at fee");  // 7 fractional digits
  EXPECT_EQ(fee("1e3"), "error at fee");
  EXPECT_EQ(fee("12."), "error at fee");
  EXPECT_EQ(fee(1e13), "error at fee");         // out of range
  EXPECT_EQ(fee("abc"), "error at fee");
  // Whole numbers are int64 in JSON: scaling them to 10^-6 units must not wrap around.
  EXPECT_EQ(fee(9000000000000), "9000000000000");
  EXPECT_EQ(fee(-9000000000000), "-9000000000000");
  EXPECT_EQ(fee(9000000000001), "error at fee");
  EXPECT_EQ(fee(int64_t{9223372036855}), "error at fee");  // * 10^6 wraps to a negative number
  EXPECT_EQ(fee(int64_t{-9223372036855}), "error at fee");
  EXPECT_EQ(fee(uint64_t{18446744073709551615u}), "error at fee");
  EXPECT_EQ(fee(std::nan("")), "error at fee");
  EXPECT_EQ(fee("8999999999999.999999"), "8999999999999.999999");
  EXPECT_EQ(fee("-9000000000000.000000"), "-9000000000000");
  EXPECT_EQ(fee("9000000000000.000001"), "error at fee");  // text and numbers share one bound
  EXPECT_EQ(fee("9223372036855"), "error at fee");  // * 10^6 would wrap
  EXPECT_EQ(fee("-0009000000000000"), "-9000000000000");
  EXPECT_EQ(fee("9000000000001"), "error at fee");
  EXPECT_EQ(last_message_, "`fee`: decimal out of range (at most 9000000000000 in magnitude)");
  EXPECT_EQ(fee("92233720368547758070"), "error at fee");
  EXPECT_EQ(fee("1.2.3"), "error at fee");
  EXPECT_EQ(fee("-"), "error at fee");
  EXPECT_EQ(fee(".5"), "error at fee");
  EXPECT_EQ(fee(""), "error at fee");
}

TEST_F(FactsTest, DecimalsToJsonAreNumbersOnlyWhenExact) {
  const Type* decimal = program_->types().Decimal();
  auto out = [&](int64_t units) { return interp::ValueToJson(Value::Decimal(units), decimal, program_->types()); };
  EXPECT_EQ(out(12500000), json(12.5));
  EXPECT_EQ(out(1), json(0.000001));
  EXPECT_EQ(out(-100000), json(-0.1));
  EXPECT_EQ(out(5000000), json(5));
  EXPECT_EQ(out(999999999999999), json(999999999.999999));  // 15 digits: a double holds them
  EXPECT_EQ(out(9000000000000000000), json(9000000000000));
  // A double cannot hold these to 6 places: the exact text, not a neighbouring number.
  EXPECT_EQ(out(9007199254740991), json("9007199254.740991"));
  EXPECT_EQ(out(999999999999999999), json("999999999999.999999"));
  EXPECT_EQ(out(-8999999999999999999), json("-8999999999999.999999"));
}

TEST_F(FactsTest, IntegerRange) {
  json j = Valid();
  j["n"] = INT64_MIN;
  EXPECT_EQ(Field(Facts(j), "n"), std::to_string(INT64_MIN));
  j["n"] = INT64_MAX;
  EXPECT_EQ(Field(Facts(j), "n"), std::to_string(INT64_MAX));
  j["n"] = json::parse("18446744073709551615");
  EXPECT_EQ(ErrorPath(j), "n");
  EXPECT_EQ(last_message_, "`n`: integer out of range");
}

TEST_F(FactsTest, FactsMustBeAnObject) {
  EXPECT_EQ(ErrorPath(json::array()), "");
  EXPECT_TRUE(last_message_.find("expected an object") != std::string::npos) << last_message_;
  EXPECT_EQ(ErrorPath(json("facts")), "");
  EXPECT_EQ(ErrorPath(json(nullptr)), "");
}

TEST_F(FactsTest, ValueToJsonRoundTrips) {
  json j = Valid();
  j["ok"] = true;
  j["tags"] = {"a", "b"};
  j["degrees"] = {"very_serious", "light"};
  j["maybe"] = 7;
  j["impacts"] = json::parse(R"([{"degree": "light", "weight": 1}])");
  Value v = Facts(j);
  const RecordInfo& info = program_->input();
  json back = json::object();
  for (size_t i = 0; i < info.fields.size(); ++i) {
    back[info.fields[i].name] = interp::ValueToJson(v.elems()[i], info.fields[i].type, program_->types());
  }
  // Canonical spellings: durations as Proviso text, known absent optionals as null.
  EXPECT_EQ(back["calls"][2]["kept_for"], "14 days");
  EXPECT_EQ(back["calls"][0]["deleted_on"], nullptr);
  EXPECT_EQ(back["fee"], json(12.5));
  EXPECT_EQ(back["period"], "1 year 2 days");
  EXPECT_EQ(back["degrees"], json({"very_serious", "light"}));
  // And the canonical form reads back as the same value.
  EXPECT_EQ(Facts(back), v);
}

TEST_F(FactsTest, ParamValuesInProvisoOrJsonSyntax) {
  EXPECT_EQ(Param("limit", "42"), "42");
  EXPECT_EQ(Param("limit", "-3"), "-3");
  EXPECT_EQ(Param("rate", "0.075"), "0.075");
  EXPECT_EQ(Param("rate", "2"), "2");
  EXPECT_EQ(Param("minimum", "60 days"), "60 days");
  EXPECT_EQ(Param("minimum", "\"2 months\""), "2 months");
  EXPECT_EQ(Param("start", "2020-08-31"), "2020-08-31");
  EXPECT_EQ(Param("strict", "true"), "true");
  EXPECT_EQ(Param("worst", "very_serious"), "very_serious");
  EXPECT_EQ(Param("countries", "[\"US\", \"JP\"]"), "{\"JP\", \"US\"}");
  EXPECT_EQ(Param("label", "hello world"), "\"hello world\"");
  EXPECT_EQ(Param("label", "\"quoted\""), "\"quoted\"");
  // Bad values name the param.
  EXPECT_EQ(Param("limit", "many"), "error at limit");
  EXPECT_EQ(Param("limit", "4.5"), "error at limit");
  EXPECT_EQ(Param("minimum", "60"), "error at minimum");
  EXPECT_EQ(Param("start", "2020-02-30"), "error at start");
  EXPECT_EQ(Param("strict", "yes"), "error at strict");
  EXPECT_EQ(Param("worst", "grave"), "error at worst");
  EXPECT_TRUE(last_message_.find("`grave` is not a value of `Degree`") != std::string::npos) << last_message_;
  EXPECT_EQ(Param("countries", "US"), "error at countries");
  EXPECT_EQ(Param("countries", "[\"US\", 1]"), "error at countries[1]");
}

TEST_F(FactsTest, ValueFromJsonUsesTheGivenPath) {
  try {
    interp::ValueFromJson(json("x"), ParamType("limit"), *program_, "root.field");
    FAIL() << "no error";
  } catch (const interp::FactsError& e) {
    EXPECT_EQ(e.path(), "root.field");
    EXPECT_EQ(std::string(e.what()), "`root.field`: expected an integer, found text");
  }
}

}  // namespace
}  // namespace proviso
