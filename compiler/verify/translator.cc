// The run of the translation: the law date, every output in order, then the obligations; the
// failures of lets added where they are reached.
#include <fmt/format.h>

#include "compiler/verify/symbolic.h"

namespace proviso::verify::internal {

Translator::Translator(z3::context& c, const ir::Program& p, const SymFacts& facts)
    : c_(c), p_(p), facts_(facts), guard_(c.bool_val(true)), law_(facts.as_of) {
  locals_.assign(std::max(1, p.max_locals), Sym(c));
  params_.resize(p.params.size());
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
  if (!p_.scopes.empty()) throw Unsupported("`for each`", p_.scopes[0].span);
  if (p_.law) {
    Sym law = Eval(*p_.law);
    law_ = law.v;
  }
  for (size_t o = 0; o < p_.outputs.size(); ++o) outputs_.push_back(Output(static_cast<int>(o)));
  Obligations();
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
