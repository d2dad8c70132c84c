// `for each` in the translation to Z3 (Evaluator::RunInto, Enter, ItemOf): each candidate element of
// the collection decided in a frame of its own, under its own law date, where it exists; keys that
// repeat fail; `NAME of ELEMENT` decides one element's output or let in a frame of its own.
#include <fmt/format.h>

#include "compiler/verify/symbolic.h"

namespace proviso::verify::internal {

Translator::Frame Translator::Enter(int scope, const Sym& element, const z3::expr& exists) {
  const ir::Scope& sc = p_.scopes[scope];
  Frame saved = frame_;
  frame_ = Frame(c_);
  frame_.scope = scope;
  frame_.element = element;
  frame_.guard = exists;
  frame_.law = global_law_;
  frame_.lets.resize(p_.lets.size());
  frame_.let_state.assign(p_.lets.size(), 0);
  frame_.let_fails.resize(p_.lets.size());
  frame_.let_reached.assign(p_.lets.size(), c_.bool_val(false));
  frame_.outputs.resize(p_.outputs.size());
  frame_.output_state.assign(p_.outputs.size(), 0);
  law_ = global_law_;
  if (sc.law) {
    z3::expr g = guard_;
    guard_ = exists;
    Sym law = Eval(*sc.law);
    guard_ = g;
    frame_.law = law_ = law.v;
  }
  return saved;
}

void Translator::Leave(Frame saved) {
  for (size_t i = 0; i < frame_.let_fails.size(); ++i) {
    for (const FailSite& f : frame_.let_fails[i]) fails_.push_back(FailSite{f.what, f.span, frame_.let_reached[i] && f.when});
  }
  frame_ = std::move(saved);
  law_ = frame_.law;
}

Sym Translator::ItemOf(const ir::Expr& e) {
  Sym x = Eval(*e.args[0]);
  bool output = e.op == ir::Op::kItemOutput;
  int scope = output ? p_.outputs[e.index].scope : p_.lets[e.index].scope;
  if (++call_depth_ > 64) throw Unsupported("`of` nested deeper than 64", e.span());
  Frame saved = Enter(scope, x, guard_);
  Sym v = output ? Output(e.index) : LetValue(e.index);
  Leave(std::move(saved));
  --call_depth_;
  return v;
}

void Translator::Scopes() {
  items_.resize(p_.scopes.size());
  for (size_t s = 0; s < p_.scopes.size(); ++s) {
    const ir::Scope& sc = p_.scopes[s];
    Sym coll = Eval(*sc.collection);
    if (coll.kind != TypeKind::kSet && coll.kind != TypeKind::kList) {
      throw Unsupported("a `for each` over this value", sc.span);
    }
    std::vector<Sym> keys;
    std::vector<z3::expr> exists;
    for (size_t k = 0; k < coll.elems.size(); ++k) {
      z3::expr g = guard_;
      guard_ = coll.members[k];
      Frame saved = Enter(static_cast<int>(s), coll.elems[k], coll.members[k]);
      Item item(c_);
      item.exists = coll.members[k];
      if (sc.key) keys.push_back(Eval(*sc.key));
      for (int o : sc.outputs) item.outputs.push_back(Output(o));
      item.obligations = Obligations(sc.obligations);
      Leave(std::move(saved));
      guard_ = g;
      exists.push_back(coll.members[k]);
      items_[s].push_back(std::move(item));
    }
    // For the findings: an obligation of the block applies (is violated) when it does for some element.
    for (size_t j = 0; j < sc.obligations.size(); ++j) {
      SymObligation& any = obligations_[sc.obligations[j]];
      for (const Item& item : items_[s]) {
        any.applies = any.applies || (item.exists && item.obligations[j].applies);
        any.violated = any.violated || (item.exists && item.obligations[j].violated);
      }
    }
    if (sc.key) {
      for (size_t j = 0; j < keys.size(); ++j) {
        for (size_t k = j + 1; k < keys.size(); ++k) {
          Fail(exists[j] && exists[k] && Equal(keys[j], keys[k]),
               fmt::format("two elements of `for each {}` have the same key", sc.var), sc.key->span());
        }
      }
    }
  }
}

}  // namespace proviso::verify::internal
