// Outputs in the translation to Z3: rules, exceptions and priorities (Evaluator::Choose and
// DecideRule for facts that are all given): a rule gives the value of its most specific applicable
// exception, else its own when in force and its condition holds; siblings of the highest priority
// that apply agree or conflict.
#include <algorithm>

#include <fmt/format.h>

#include "compiler/verify/symbolic.h"

namespace proviso::verify::internal {

Translator::Outcome Translator::Join(const Outcome& a, const Outcome& b) {
  Outcome r(c_);
  z3::expr differ = a.val && b.val && !Equal(a.value, b.value);
  r.conflict = a.conflict || (a.val && b.conflict) || (!a.val && !a.conflict && b.conflict) || differ;
  r.val = !r.conflict && (a.val || b.val);
  r.value = Ite(a.val, a.value, b.value);
  return r;
}

Translator::Outcome Translator::Else(const Outcome& a, const Outcome& b) {
  Outcome r(c_);
  z3::expr none = !a.val && !a.conflict;
  r.conflict = a.conflict || (none && b.conflict);
  r.val = a.val || (none && b.val);
  r.value = Ite(a.val, a.value, b.value);
  return r;
}

Translator::Outcome Translator::DecideRule(int r, int output) {
  const ir::Rule& rule = p_.rules[r];
  Outcome ex = Choose(rule.children, output);
  z3::expr decided = ex.val || ex.conflict;
  Outcome own(c_);
  own.value = Default(p_.outputs[output].type);
  z3::expr in_force = InForce(rule.effective);
  z3::expr holds = c_.bool_val(true);
  if (rule.when) holds = Under(!decided && in_force, [&] { return Eval(*rule.when).v; });
  own.val = in_force && holds;
  own.value = Under(!decided && own.val, [&] { return Coerce(Eval(*rule.value), p_.outputs[output].type); });
  rule_applies_[r] = rule_applies_[r] || (guard_ && !decided && own.val);
  return Else(ex, own);
}

Translator::Outcome Translator::Choose(const std::vector<int>& rules, int output) {
  std::vector<Outcome> outcomes;
  for (int r : rules) outcomes.push_back(DecideRule(r, output));
  std::vector<int64_t> levels;
  for (int r : rules) levels.push_back(p_.rules[r].priority);
  std::sort(levels.begin(), levels.end());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  Outcome result(c_);
  result.value = Default(p_.outputs[output].type);
  // From the lowest level up: a higher level where it decides, else what is below.
  for (int64_t level : levels) {
    Outcome joined(c_);
    joined.value = Default(p_.outputs[output].type);
    for (size_t k = 0; k < rules.size(); ++k) {
      if (p_.rules[rules[k]].priority == level) joined = Join(joined, outcomes[k]);
    }
    result = Else(joined, result);
  }
  return result;
}

Sym Translator::Output(int o) {
  const ir::Output& out = p_.outputs[o];
  auto memo = [&](std::optional<Sym>& value, int& state) {
    if (state == 2) return *value;
    if (state == 1) throw Unsupported(fmt::format("`{}` depends on itself", out.name), out.span);
    state = 1;
    // Every output is decided in every evaluation (for each element of its `for each`): its
    // failures count wherever the frame exists.
    z3::expr saved = guard_;
    guard_ = frame_.guard;
    value = DecideOutput(o);
    guard_ = saved;
    state = 2;
    return *value;
  };
  if (out.scope < 0) return Global([&] { return memo(outputs_memo_[o], output_state_[o]); });
  if (frame_.scope != out.scope) throw Unsupported(fmt::format("output `{}` read outside its `for each`", out.name), out.span);
  return memo(frame_.outputs[o], frame_.output_state[o]);
}

Sym Translator::DecideOutput(int o) {
  const ir::Output& out = p_.outputs[o];
  Outcome y = Choose(out.roots, o);
  Fail(y.conflict, fmt::format("rules giving output `{}` different values conflict", out.name), out.span);
  Sym v = y.value;
  if (out.type->kind != TypeKind::kOptional) {
    Fail(!y.val && !y.conflict, fmt::format("no rule applies to output `{}`", out.name), out.span);
  } else {
    v = Coerce(v, out.type);
    v.present = y.val && v.present;
  }
  return v;
}

}  // namespace proviso::verify::internal
