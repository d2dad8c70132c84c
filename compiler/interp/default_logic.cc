// Outputs in the reference interpreter: rules, their exceptions and priorities; siblings that agree
// are alternatives, siblings that differ conflict; a rule whose condition is unknown may apply.
// docs/language.md §12 has the rules, and their form under unknown facts.
#include <algorithm>

#include <fmt/format.h>

#include "compiler/interp/evaluator.h"

namespace proviso::interp::internal {
namespace {

using Kind = Evaluator::Outcome::Kind;

// Both values known and equal: the same whichever rule gives it.
bool SameKnown(const Value& a, const Value& b) { return !HasUnknownPart(a) && !HasUnknownPart(b) && a == b; }

}  // namespace

Value Evaluator::Output(int o) {
  const ir::Output& out = p_.outputs[o];
  auto compute = [&] {
    RuleMemo memo;
    Outcome y = Choose(out.roots, -1, o, memo);
    if (explain_) {
      traces_[o].output = o;
      traces_[o].winner = y.kind == Kind::kValue && !y.value.is_unknown() ? y.rule : -1;
    }
    Value v;
    switch (y.kind) {
      case Kind::kConflict: throw EvalError(y.conflict, y.conflict_span);
      case Kind::kNone:
        if (out.type->kind != TypeKind::kOptional) {
          throw EvalError(fmt::format("no rule applies to output `{}`, so the decision is incomplete", out.name), out.span);
        }
        v = Value::None();
        break;
      case Kind::kValue:  // a record or list with an unknown part is undetermined as a whole
        v = HasUnknownPart(y.value) ? Value::Unknown(DeepMissingOf(y.value)) : y.value;
        break;
      case Kind::kMaybe: {  // it may give its value, or none apply
        Missing m = y.cond;
        AddMissing(m, DeepMissingOf(y.value));
        v = Value::Unknown(m);
        break;
      }
    }
    if (v.is_unknown() && out.required) {
      throw EvalError(fmt::format("output `{}` is required, but it depends on facts not given ({})", out.name,
                                  FactNames(MissingOf(v))),
                      out.span);
    }
    return v;
  };
  if (out.scope < 0) return Global([&] { return Memo(o, outputs_, output_state_, compute, out.name, out.span); });
  return Memo(o, item_outputs_, item_output_state_, compute, out.name, out.span);
}

Evaluator::Outcome Evaluator::Else(Outcome a, Outcome b) {
  if (a.kind == Kind::kNone) return b;
  if (a.kind != Kind::kMaybe || b.kind == Kind::kNone) return a;
  // `a` may apply: where it does not, `b` decides.
  if (b.kind != Kind::kConflict && SameKnown(a.value, b.value)) {
    if (b.kind == Kind::kValue) return Outcome{Kind::kValue, a.value, a.rule, a.sibling, {}, {}, {}};
    Missing cond = a.cond;
    AddMissing(cond, b.cond);
    return Outcome{Kind::kMaybe, a.value, a.rule, a.sibling, cond, {}, {}};
  }
  Missing m = a.cond;
  AddMissing(m, DeepMissingOf(a.value));
  if (b.kind == Kind::kConflict || b.kind == Kind::kValue) {  // a value (or an error) either way
    AddMissing(m, DeepMissingOf(b.value));
    return Outcome{Kind::kValue, Value::Unknown(m), -1, a.sibling, {}, {}, {}};
  }
  Missing cond = a.cond;
  AddMissing(cond, b.cond);
  AddMissing(m, b.cond);
  AddMissing(m, DeepMissingOf(b.value));
  return Outcome{Kind::kMaybe, Value::Unknown(m), -1, a.sibling, cond, {}, {}};
}

Evaluator::Outcome Evaluator::Join(Outcome a, Outcome b, int parent, int output) {
  if (a.kind == Kind::kNone) return b;
  if (b.kind == Kind::kNone || a.kind == Kind::kConflict) return a;  // the first conflict is the one reported
  if (b.kind == Kind::kConflict) return b;
  bool definite = a.kind == Kind::kValue || b.kind == Kind::kValue;
  if (a.kind == Kind::kValue && b.kind == Kind::kValue && !HasUnknownPart(a.value) && !HasUnknownPart(b.value)) {
    if (a.value == b.value) return a;  // alternatives that agree
    Outcome c;
    c.kind = Kind::kConflict;
    c.conflict = ConflictMessage(a, b, parent, output);
    c.conflict_span = p_.rules[b.sibling].span;
    return c;
  }
  if (SameKnown(a.value, b.value)) {
    const Outcome& given = a.kind == Kind::kValue ? a : b;
    if (definite) return Outcome{Kind::kValue, given.value, given.rule, given.sibling, {}, {}, {}};
    Missing cond = a.cond;
    AddMissing(cond, b.cond);
    return Outcome{Kind::kMaybe, a.value, a.rule, a.sibling, cond, {}, {}};
  }
  // Different values, or unknown ones: which one (or a conflict) depends on facts not given.
  Missing m = a.cond;
  AddMissing(m, b.cond);
  Missing cond = m;
  AddMissing(m, DeepMissingOf(a.value));
  AddMissing(m, DeepMissingOf(b.value));
  return Outcome{definite ? Kind::kValue : Kind::kMaybe, Value::Unknown(m), -1, a.sibling, definite ? Missing{} : cond,
                 {}, {}};
}

// Two siblings of the same priority that give different values: names both rules, what applied
// for each (the rule, or the exception of it that replaced it: the rule itself need not apply),
// both values, and the output.
std::string Evaluator::ConflictMessage(const Outcome& a, const Outcome& b, int parent, int output) {
  const Type* t = p_.outputs[output].type;
  auto gives = [&](const Outcome& y) {
    std::string who = y.rule == y.sibling
                          ? fmt::format("`{}`", p_.rules[y.sibling].name)
                          : fmt::format("`{}`, an exception to `{}`,", p_.rules[y.rule].name, p_.rules[y.sibling].name);
    return fmt::format("{} applies and gives {}", who, FormatValue(y.value, t, p_.types()));
  };
  std::string siblings = parent < 0 ? "" : fmt::format(", exceptions to `{}`,", p_.rules[parent].name);
  return fmt::format("rules `{}` and `{}`{} give output `{}` different values and neither has priority "
                     "(conflict): {}; {}",
                     p_.rules[a.sibling].name, p_.rules[b.sibling].name, siblings, p_.outputs[output].name, gives(a),
                     gives(b));
}

// The value given by a group of sibling rules: the applicable ones of the highest priority, which
// agree or conflict; where whether they apply is unknown, the next priority down may decide.
// `parent` is the rule whose exceptions `rules` are, or -1 for the output's general rules.
Evaluator::Outcome Evaluator::Choose(const std::vector<int>& rules, int parent, int output, RuleMemo& memo) {
  std::vector<Outcome> outcomes;  // a sibling competes with its own priority, whichever exception gave the value
  for (int r : rules) {
    outcomes.push_back(RuleOutcome(r, output, memo));
    outcomes.back().sibling = r;
  }
  std::vector<int64_t> levels;
  for (int r : rules) levels.push_back(p_.rules[r].priority);
  std::sort(levels.begin(), levels.end());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  // Each level's siblings joined, from the highest priority down to the first that decides.
  std::vector<Outcome> by_level;
  for (size_t l = levels.size(); l-- > 0;) {
    Outcome level;
    for (size_t k = 0; k < rules.size(); ++k) {
      if (p_.rules[rules[k]].priority == levels[l]) level = Join(level, outcomes[k], parent, output);
    }
    by_level.push_back(level);
    if (level.kind != Kind::kValue && level.kind != Kind::kConflict) continue;
    for (size_t k = 0; k < rules.size(); ++k) {  // the levels below lose
      if (p_.rules[rules[k]].priority < levels[l] && outcomes[k].kind != Kind::kNone) {
        Trace(output, rules[k]).status = RuleStatus::kLostOnPriority;
      }
    }
    break;
  }
  // A level where it applies, else the ones below it.
  Outcome result;
  for (size_t k = by_level.size(); k-- > 0;) result = Else(by_level[k], result);
  return result;
}

Evaluator::Outcome Evaluator::RuleOutcome(int r, int output, RuleMemo& memo) {
  auto known = memo.find(r);
  if (known != memo.end()) return known->second;
  Outcome y = DecideRule(r, output, memo);
  memo[r] = y;
  return y;
}

// A rule gives the value of its most specific applicable exception, else its own value when it is
// in force and its condition holds.
Evaluator::Outcome Evaluator::DecideRule(int r, int output, RuleMemo& memo) {
  const ir::Rule& rule = p_.rules[r];
  Outcome ex = Choose(rule.children, r, output, memo);
  if (ex.kind == Kind::kValue || ex.kind == Kind::kConflict) {
    if (explain_) {
      RuleTrace& t = Trace(output, r);
      t.status = RuleStatus::kOverridden;
      t.overridden_by = ex.rule;
      if (rule.effective.InForce(frame_.law) && rule.when) {
        t.condition = SafeBool(*rule.when);
        t.bindings = Bindings(*rule.when);
      }
    }
    return ex;
  }
  Outcome own;
  if (!rule.effective.InForce(frame_.law)) {
    Trace(output, r).status = RuleStatus::kNotInForce;
    return Else(ex, own);
  }
  Value holds = rule.when ? Eval(*rule.when) : Value::Bool(true);
  if (explain_) {
    RuleTrace& t = Trace(output, r);
    t.status = holds.is_unknown() ? RuleStatus::kUndetermined : holds.b() ? RuleStatus::kApplied
                                                                          : RuleStatus::kNotApplicable;
    if (rule.when) {
      if (!holds.is_unknown()) t.condition = holds.b();
      t.bindings = Bindings(*rule.when);
    }
  }
  if (IsFalse(holds)) return Else(ex, own);
  own.kind = holds.is_unknown() ? Kind::kMaybe : Kind::kValue;
  own.value = Eval(*rule.value);
  own.rule = r;
  own.cond = MissingOf(holds);
  if (explain_) {  // what the value was computed from
    RuleTrace& t = Trace(output, r);
    for (Binding& b : Bindings(*rule.value)) {
      if (std::none_of(t.bindings.begin(), t.bindings.end(), [&](const Binding& x) { return x.expr == b.expr; })) {
        t.bindings.push_back(std::move(b));
      }
    }
  }
  return Else(ex, own);
}

RuleTrace& Evaluator::Trace(int output, int rule) {
  static thread_local RuleTrace dummy;
  if (!explain_) return dummy;
  auto& rs = traces_[output].rules;
  for (auto& t : rs) if (t.rule == rule) return t;
  rs.push_back(RuleTrace{rule, RuleStatus::kNotApplicable, std::nullopt, {}, -1});
  return rs.back();
}

}  // namespace proviso::interp::internal
