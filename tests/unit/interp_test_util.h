// Shared by the interp_*_test.cc files (the reference interpreter's unit tests): a policy
// compiled from text with helpers to evaluate it, and the policies several of those files use.
#ifndef PROVISO_TESTS_UNIT_INTERP_TEST_UTIL_H_
#define PROVISO_TESTS_UNIT_INTERP_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/diag/diagnostic.h"
#include "compiler/driver/driver.h"
#include "compiler/interp/facts.h"
#include "compiler/interp/interp.h"
#include "compiler/ir/ir.h"
#include "compiler/support/calendar.h"

namespace proviso {
namespace interp_test {

using nlohmann::json;

inline constexpr const char* kDay = "2020-06-01";

inline int64_t Day(const std::string& s) {
  auto d = ParseDate(s);
  EXPECT_TRUE(d.has_value()) << s;
  return d.value_or(0);
}

// A policy compiled from text and lowered to IR, with helpers to evaluate it.
class Policy {
 public:
  explicit Policy(const std::string& text) {
    auto fe = CompileSource("test.proviso", text);
    if (!fe->ok()) {
      ADD_FAILURE() << "the policy does not compile:\n" << RenderText(fe->diags.diagnostics(), fe->sources) << "\n" << text;
      return;
    }
    program_ = ir::Lower(std::move(fe->program));
  }

  bool ok() const { return program_ != nullptr; }
  const ir::Program& p() const { return *program_; }

  interp::EvalOptions Options(const std::string& as_of, const std::map<std::string, std::string>& sets = {},
                              bool explain = false) const {
    interp::EvalOptions o;
    o.as_of = Day(as_of);
    o.explain = explain;
    for (const auto& [name, text] : sets) {
      int i = program_->FindParam(name);
      EXPECT_GE(i, 0) << "no param " << name;
      if (i >= 0) o.param_overrides[i] = interp::ParseParamValue(text, program_->params[i].type, *program_, name);
    }
    return o;
  }

  // Evaluates the whole policy; EvalError and FactsError propagate.
  interp::Result Run(const json& facts, const std::string& as_of = kDay,
                     const std::map<std::string, std::string>& sets = {}, bool explain = false) const {
    Value input = interp::FactsFromJson(facts, *program_);
    return interp::Evaluate(*program_, input, Options(as_of, sets, explain));
  }

  // The value of the output or let `name` in Proviso spelling, or "error: <message>" when the
  // evaluation fails.
  std::string Get(const std::string& name, const json& facts = json::object(), const std::string& as_of = kDay,
                  const std::map<std::string, std::string>& sets = {}) const {
    if (!ok()) return "<policy does not compile>";
    try {
      Value input = interp::FactsFromJson(facts, *program_);
      interp::EvalOptions opts = Options(as_of, sets);
      int o = program_->FindOutput(name);
      if (o >= 0) {
        interp::Result r = interp::Evaluate(*program_, input, opts);
        return FormatValue(r.outputs[o], program_->outputs[o].type, program_->types());
      }
      for (size_t l = 0; l < program_->lets.size(); ++l) {
        if (program_->lets[l].name == name) {
          Value v = interp::EvaluateLet(*program_, input, opts, static_cast<int>(l));
          return FormatValue(v, program_->lets[l].type, program_->types());
        }
      }
      return "<no output or let " + name + ">";
    } catch (const interp::EvalError& e) {
      return std::string("error: ") + e.what();
    } catch (const interp::FactsError& e) {
      return std::string("facts error: ") + e.what();
    }
  }

  // The message of the EvalError the whole evaluation throws, or "" when it gives a decision.
  std::string Error(const json& facts = json::object(), const std::string& as_of = kDay,
                    const std::map<std::string, std::string>& sets = {}) const {
    if (!ok()) return "<policy does not compile>";
    try {
      Run(facts, as_of, sets);
      return "";
    } catch (const interp::EvalError& e) {
      return e.what();
    }
  }

  int Rule(const std::string& name) const {
    for (size_t i = 0; i < program_->rules.size(); ++i) {
      if (program_->rules[i].name == name) return static_cast<int>(i);
    }
    ADD_FAILURE() << "no rule " << name;
    return -1;
  }

 private:
  std::unique_ptr<ir::Program> program_;
};

// The value of `let v = EXPR` (or `let v: TYPE = EXPR` when `type` is given) in a policy made of
// `decls`, in Proviso spelling, or "error: <message>".
inline std::string Ev(const std::string& expr, const std::string& decls = "", const json& facts = json::object(),
               const std::string& type = "", const std::string& as_of = kDay) {
  Policy p(decls + "\nlet v" + (type.empty() ? "" : ": " + type) + " = " + expr + "\n");
  return p.Get("v", facts, as_of);
}

inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline const interp::ObligationResult* FindObligation(const ir::Program& p, const interp::Result& r, const std::string& name) {
  int index = p.FindObligation(name);
  EXPECT_GE(index, 0) << "no obligation " << name;
  for (const auto& o : r.obligations) {
    if (o.obligation == index) return &o;
  }
  return nullptr;
}

inline std::vector<std::string> ObligationNames(const ir::Program& p, const interp::Result& r) {
  std::vector<std::string> out;
  for (const auto& o : r.obligations) out.push_back(p.obligations[o.obligation].name);
  return out;
}

// ================================================================ policies used by several files

// Default logic (interp_rules_test.cc) and its explanations (interp_explain_test.cc).
inline constexpr const char* kExport = R"(
policy export_control
  document "Export Control Law"

enum ExportDecision { permit, review, deny }
input { controlled_item: bool, approved: bool, destination: text, overseas_law_enforcement: bool, reexport: bool = false }

param sanctioned: set<text> = {"XX", "YY"} cite "Annex 2"

output export: ExportDecision
output note: text?

/// Everything not forbidden is permitted.
rule permit_by_default { then export = permit cite "Art. 1" }

rule deny_controlled exception to permit_by_default {
  when controlled_item
  then export = deny
  cite "Art. 23"
}

rule approved_controlled exception to deny_controlled {
  when approved
  then export = permit
  cite "Art. 24"
}

rule review_sanctioned exception to permit_by_default priority 1 {
  when destination in sanctioned
  then export = review
  cite "Art. 25"
}

rule deny_judicial exception to permit_by_default priority 2 {
  when overseas_law_enforcement and not approved
  then export = deny
  cite "Art. 36" of "Data Security Law"
}

rule sanctioned_note {
  when destination in sanctioned
  then note = "destination under sanctions"
  effective from 2021-01-01 until 2030-01-01
  cite "Annex 2"
}
)";

inline json ExportFacts(bool controlled, bool approved, const std::string& dest, bool law_enforcement) {
  return json{{"controlled_item", controlled}, {"approved", approved}, {"destination", dest},
              {"overseas_law_enforcement", law_enforcement}};
}

// Obligations (interp_obligations_test.cc) and their explanations (interp_explain_test.cc).
inline constexpr const char* kObligations = R"(
policy calls
  document "Circular"

input { operates: bool, resells: bool, approved: bool, ended_on: date, deleted_on: date?, due: date? }

param min_retention: duration = 30 days

let kept_for: duration = (deleted_on ?? as_of) - ended_on

obligation keep_records {
  subject "operator"
  must "keep call records"
  when operates
  deadline min_retention after ended_on
  violated when deleted_on is present and kept_for < min_retention
  cite "para. 4"
}

obligation self_examination {
  subject "operator"
  must "carry out a self-examination"
  deadline 2020-12-31
  cite "work requirements"
}

obligation report {
  subject "operator"
  must "report"
  when operates
  deadline due
  cite "para. 9" of "Other Notice"
}

obligation monthly {
  subject "operator"
  must "file monthly"
  when operates
  deadline 1 month after ended_on
  effective from 2021-01-01 until 2022-01-01
  cite "para. 10"
}

obligation no_resale {
  subject "operator"
  must not "resell trunk lines without approval"
  when resells
  violated when resells
  cite "para. 5"
}

obligation approved_resale exception to no_resale {
  subject "operator"
  may "resell trunk lines with approval"
  when resells and approved
  cite "para. 5"
}

obligation audited_resale exception to approved_resale {
  subject "operator"
  may "resell trunk lines after an audit"
  when resells and approved and operates
  cite "para. 6"
}
)";

inline json CallFacts(bool operates, const std::string& ended, const std::string& deleted = "") {
  json f = {{"operates", operates}, {"resells", false}, {"approved", false}, {"ended_on", ended}};
  if (!deleted.empty()) f["deleted_on"] = deleted;
  return f;
}

}  // namespace interp_test
}  // namespace proviso

#endif  // PROVISO_TESTS_UNIT_INTERP_TEST_UTIL_H_
