// What explanations show: the facts, params, lets and outputs a condition reads, with their values
// (`unknown` for facts not given) and the version of each param read.
#include <algorithm>

#include <fmt/format.h>

#include "compiler/interp/evaluator.h"

namespace proviso::interp::internal {

// A condition's value for an explanation: nullopt when it is unknown or cannot be computed.
std::optional<bool> Evaluator::SafeBool(const Expr& e) {
  try {
    Value v = Eval(e);
    if (v.is_unknown()) return std::nullopt;
    return v.b();
  } catch (const EvalError&) {
    return std::nullopt;
  }
}

std::vector<Binding> Evaluator::Bindings(const Expr& e) {
  std::vector<Binding> out;
  CollectBindings(e, out);
  std::vector<Binding> unique;
  for (auto& b : out) {
    if (std::none_of(unique.begin(), unique.end(), [&](const Binding& u) { return u.expr == b.expr; })) {
      unique.push_back(b);
    }
  }
  return unique;
}

// Which version of a param was read, for explanations: " (what-if)", or the version in force on
// the law date with its period and citation when the param has versions or a period.
std::string Evaluator::ParamVersionText(int i) {
  const ir::Param& param = p_.params[i];
  if (opts_.param_overrides.count(i)) return " (what-if)";
  for (const ir::ParamVersion& v : param.versions) {
    if (!v.effective.InForce(frame_.law)) continue;
    if (param.versions.size() == 1 && v.effective.from == INT64_MIN && v.effective.until == INT64_MAX) return "";
    std::string text = fmt::format(" (version in force on {}: from {}", FormatDate(frame_.law),
                                   v.effective.from == INT64_MIN ? "the start" : FormatDate(v.effective.from));
    if (v.effective.until != INT64_MAX) text += " until " + FormatDate(v.effective.until);
    for (const ir::Citation& c : v.citations) {
      text += "; cites " + (c.document.empty() ? c.article : c.document + ", " + c.article);
    }
    return text + ")";
  }
  return "";
}

bool Evaluator::IsFactPath(const Expr& e) {
  if (e.op == Op::kInput || e.op == Op::kItem) return true;
  if (e.op == Op::kUnwrap) return IsFactPath(*e.args[0]);
  return e.op == Op::kField && IsFactPath(*e.args[0]);
}

void Evaluator::CollectBindings(const Expr& e, std::vector<Binding>& out) {
  if (IsFactPath(e) || e.op == Op::kParam || e.op == Op::kLet || e.op == Op::kOutput || e.op == Op::kAsOf ||
      e.op == Op::kNow) {
    try {
      std::string value = FormatValue(Eval(e), e.type, p_.types());
      if (e.op == Op::kParam) value += ParamVersionText(e.index);
      out.push_back(Binding{Src(e), value});
    } catch (const EvalError&) {
    }
    return;
  }
  if (e.op == Op::kQuant) {  // the body reads a bound variable: show the collection only
    CollectBindings(*e.args[0], out);
    return;
  }
  for (auto& a : e.args) CollectBindings(*a, out);
}

}  // namespace proviso::interp::internal
