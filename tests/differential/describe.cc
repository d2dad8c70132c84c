#include "tests/differential/describe.h"

#include <fmt/format.h>

namespace proviso::testing {

std::string FactsText(const ir::Program& p, const std::vector<int>& ids) {
  std::string out = "[";
  for (size_t k = 0; k < ids.size(); ++k) out += (k ? ", " : "") + p.facts.at(ids[k]);
  return out + "]";
}

std::string ValueText(const ir::Program& p, const Value& v, const Type* t) {
  return v.is_unknown() ? "undetermined " + FactsText(p, MissingOf(v)) : FormatValue(v, t, p.types());
}

std::string Describe(const ir::Program& p, const interp::Result* r) {
  if (!r) return "error (no decision)";
  std::string out;
  for (size_t o = 0; o < p.outputs.size(); ++o) {
    out += fmt::format("{} = {}\n", p.outputs[o].name, ValueText(p, r->outputs[o], p.outputs[o].type));
  }
  auto obligation = [&](const interp::ObligationResult& ob) {
    const ir::Obligation& o = p.obligations[ob.obligation];
    out += fmt::format("obligation {}{} violated={}{} deadline={} status={}{}\n", o.name,
                       ob.applies_undetermined ? " (may apply)" : "", ob.violated,
                       ob.violation_undetermined ? " (undetermined)" : "",
                       ob.deadline ? (o.instant ? FormatDateTime(*ob.deadline) : FormatDate(*ob.deadline)) : "none",
                       ir::DeadlineStatusName(ob.status),
                       ob.missing.empty() ? "" : " missing " + FactsText(p, ob.missing));
  };
  for (const auto& ob : r->obligations) obligation(ob);
  for (const interp::ItemResult& item : r->items) {
    const ir::Scope& sc = p.scopes[item.scope];
    out += fmt::format("for each {} = {} (law as of {})\n", sc.var, FormatValue(item.key, sc.key_type, p.types()),
                       FormatDate(item.law));
    for (size_t k = 0; k < sc.outputs.size(); ++k) {
      const ir::Output& o = p.outputs[sc.outputs[k]];
      out += fmt::format("  {} = {}\n", o.name, ValueText(p, item.outputs[k], o.type));
    }
    for (const auto& ob : item.obligations) obligation(ob);
  }
  return out;
}

}  // namespace proviso::testing
