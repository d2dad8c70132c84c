// Checker pass for rules: the outputs they set, their exceptions and their conflicts. The cycle
// and depth checks of exception chains are templates in checker_impl.h (obligations use them too).
#include "compiler/check/checker_impl.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "compiler/support/calendar.h"

namespace proviso::check_internal {

std::string Checker::DescribeEffective(const ast::Effective& e) {
  return e.present ? FormatDate(e.from) : "";
}

void Checker::CheckRules() {
  Context ctx{true, "a rule"};
  std::map<std::string, int> rule_index;
  for (size_t i = 0; i < p_.rules.size(); ++i) rule_index[p_.rules[i]->name] = static_cast<int>(i);
  p_.rule_parents.assign(p_.rules.size(), {});
  std::vector<int> target(p_.rules.size(), -1);
  for (size_t i = 0; i < p_.rules.size(); ++i) {
    const ast::RuleDecl& r = *p_.rules[i];
    scope_ = r.scope;
    if (r.when) ExpectType(*r.when, ctx, types_.Bool(), fmt::format("the condition of rule `{}`", r.name));
    Assumed when_holds = Assume(r.when.get(), true);  // the value is computed only when it does
    if (!r.target) continue;
    auto it = globals_.find(r.target->name);
    if (duplicated_.count(r.target->name)) {
      CheckExpr(*r.value, ctx);
      continue;
    }
    if (it == globals_.end() || it->second.kind != SymKind::kOutput) {
      std::vector<std::string> outs;
      for (auto& o : p_.outputs) outs.push_back(o.decl->name);
      auto& d = diags_.Error("E0117", r.target->span,
                             it == globals_.end()
                                 ? fmt::format("rule `{}` sets `{}`, which is not a declared output", r.name, r.target->name)
                                 : fmt::format("rule `{}` sets {} `{}`; rules can only set outputs", r.name,
                                               SymKindName(it->second.kind), r.target->name));
      if (it == globals_.end()) {
        d.help = Suggest(r.target->name, outs);
        if (d.help.empty()) d.help = fmt::format("declare it: `output {}: <type>`", r.target->name);
      }
      CheckExpr(*r.value, ctx);
      continue;
    }
    MarkUsed(r.target->name);
    OutputSymbol& o = p_.outputs[it->second.index];
    if (o.scope != r.scope) {
      auto& d = diags_.Error("E0126", r.target->span,
                             o.scope >= 0 ? fmt::format("rule `{}` sets `{}`, which is decided for each element of a "
                                                        "`for each`, from outside it", r.name, r.target->name)
                                          : fmt::format("rule `{}` in a `for each` sets `{}`, which is decided once for "
                                                        "the whole policy", r.name, r.target->name));
      d.notes.push_back({o.decl->span, "the output"});
      d.help = "a rule sets an output of its own `for each` (or, outside one, of the policy)";
      CheckExpr(*r.value, ctx);
      continue;
    }
    target[i] = it->second.index;
    o.rules.push_back(static_cast<int>(i));
    ExpectType(*r.value, ctx, o.type, fmt::format("the value rule `{}` gives to `{}`", r.name, o.decl->name));
  }
  scope_ = -1;
  for (size_t i = 0; i < p_.rules.size(); ++i) {
    const ast::RuleDecl& r = *p_.rules[i];
    for (const ast::NameRef& to : r.exception_to) {
      auto it = rule_index.find(to.name);
      if (it == rule_index.end()) {
        std::vector<std::string> names;
        for (auto& [n, _] : rule_index) names.push_back(n);
        auto& d = diags_.Error("E0405", to.span,
                               fmt::format("rule `{}` is an exception to `{}`, which is not a rule", r.name, to.name));
        d.help = Suggest(to.name, names);
        continue;
      }
      if (it->second == static_cast<int>(i)) {
        diags_.Error("E0407", to.span, fmt::format("rule `{}` is an exception to itself", r.name));
        continue;
      }
      std::vector<int>& parents = p_.rule_parents[i];
      if (std::find(parents.begin(), parents.end(), it->second) != parents.end()) {
        diags_.Error("E0414", to.span, fmt::format("rule `{}` names `{}` twice after `exception to`", r.name, to.name));
        continue;
      }
      if (target[i] >= 0 && target[it->second] >= 0 && target[i] != target[it->second]) {
        auto& d = diags_.Error("E0406", to.span,
                               fmt::format("rule `{}` sets `{}` but is an exception to `{}`, which sets `{}`", r.name,
                                           p_.outputs[target[i]].decl->name, to.name,
                                           p_.outputs[target[it->second]].decl->name));
        d.notes.push_back({p_.rules[it->second]->span, "the general rule"});
        continue;
      }
      parents.push_back(it->second);
    }
  }
  ReportExceptionCycles(p_.rule_parents, [&](int i) { return p_.rules[i]->span; },
                        [&](int i) { return p_.rules[i]->name; }, "rule");
  ReportDeepExceptions(p_.rule_parents, [&](int i) { return p_.rules[i]->span; },
                       [&](int i) { return p_.rules[i]->name; }, "rule");
  // Siblings that always apply and have no priority between them conflict on every input.
  for (OutputSymbol& o : p_.outputs) {
    if (o.rules.empty() && !duplicated_.count(o.decl->name)) {
      diags_.Error("E0411", o.decl->span, fmt::format("no rule sets output `{}`", o.decl->name))
          .help = fmt::format("add `rule ... {{ then {} = ... }}`", o.decl->name);
      continue;
    }
    // Only siblings (the same parents and priority) with the same condition can always conflict:
    // group the rules by those first, so that the check is near-linear in the number of rules.
    std::map<std::tuple<std::vector<int>, int64_t, std::string>, std::vector<int>> groups;
    std::vector<std::string> values(o.rules.size());
    for (size_t a = 0; a < o.rules.size(); ++a) {
      const ast::RuleDecl& r = *p_.rules[o.rules[a]];
      std::string when = r.when ? ast::ToSource(*r.when) : std::string("\x01always");
      groups[{p_.rule_parents[o.rules[a]], r.priority.value_or(0), std::move(when)}].push_back(static_cast<int>(a));
      values[a] = r.value ? ast::ToSource(*r.value) : "";
    }
    for (const auto& [key, members] : groups) {
      for (size_t i = 0; i < members.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
          const ast::RuleDecl& ra = *p_.rules[o.rules[members[i]]];
          const ast::RuleDecl& rb = *p_.rules[o.rules[members[j]]];
          bool same_time = ra.effective.from < rb.effective.until && rb.effective.from < ra.effective.until;
          // Alternatives that give the same value agree: only different values conflict.
          bool same_value = ra.value && rb.value && values[members[i]] == values[members[j]];
          if (!same_time || same_value) continue;
          auto& d = diags_.Error("E0410", ra.span,
                                 fmt::format("rules `{}` and `{}` set `{}` to different values under the same "
                                             "condition and neither has priority, so they always conflict",
                                             rb.name, ra.name, o.decl->name));
          d.notes.push_back({rb.span, "the other rule"});
          d.help = fmt::format("make one an `exception to` the other, or give one a higher `priority`");
          break;  // one diagnostic per rule: the first earlier sibling it conflicts with
        }
      }
    }
  }
}

}  // namespace proviso::check_internal
