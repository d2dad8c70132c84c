// The run of the translation: the law date, every output in order, then the obligations; the
// failures of lets added where they are reached.
#include <fmt/format.h>

#include "compiler/verify/symbolic.h"

namespace proviso::verify::internal {

Translator::Translator(z3::context& c, const ir::Program& p, const SymFacts& facts)
    : c_(c), p_(p), facts_(facts), guard_(c.bool_val(true)), law_(facts.as_of), frame_(c), global_law_(facts.as_of) {
  frame_.law = law_;
  locals_.assign(std::max(1, p.max_locals), Sym(c));
  params_.resize(p.params.size());
  param_any_.resize(p.params.size());
  lets_.resize(p.lets.size());
  let_fails_.resize(p.lets.size());
  let_reached_.assign(p.lets.size(), c.bool_val(false));
  let_state_.assign(p.lets.size(), 0);
  outputs_memo_.resize(p.outputs.size());
  output_state_.assign(p.outputs.size(), 0);
  rule_applies_.assign(p.rules.size(), c.bool_val(false));
  row_chosen_.resize(p.tables.size());
  table_called_.assign(p.tables.size(), false);
  for (size_t t = 0; t < p.tables.size(); ++t) row_chosen_[t].assign(p.tables[t].rows.size() + 1, c.bool_val(false));
}

void Translator::Run() {
  if (p_.law) {
    Sym law = Eval(*p_.law);
    law_ = global_law_ = frame_.law = law.v;
  }
  for (size_t o = 0; o < p_.outputs.size(); ++o) {
    outputs_.push_back(p_.outputs[o].scope < 0 ? Output(static_cast<int>(o)) : Default(p_.outputs[o].type));
  }
  std::vector<int> global;
  for (size_t i = 0; i < p_.obligations.size(); ++i) if (p_.obligations[i].scope < 0) global.push_back(static_cast<int>(i));
  std::vector<SymObligation> decided = Obligations(global);
  for (size_t i = 0; i < p_.obligations.size(); ++i) {
    SymObligation none(c_);
    none.applies = none.violated = none.has_deadline = c_.bool_val(false);
    none.deadline = none.status = c_.int_val(0);
    obligations_.push_back(none);
  }
  for (size_t k = 0; k < global.size(); ++k) obligations_[global[k]] = decided[k];
  Scopes();
  for (size_t i = 0; i < p_.lets.size(); ++i) {
    for (const FailSite& f : let_fails_[i]) {
      fails_.push_back(FailSite{f.what, f.span, let_reached_[i] && f.when});
    }
  }
}

z3::expr Translator::Fails() const {
  z3::expr any = c_.bool_val(false);
  for (const FailSite& f : fails_) any = any || f.when;
  return any;
}

}  // namespace proviso::verify::internal
