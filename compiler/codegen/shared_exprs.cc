// Shared subexpressions: row-invariant membership tests and comparisons made more than once,
// computed once at the start of a row.
#include "compiler/codegen/generator.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace proviso::codegen::internal {

// A membership test `fact in set` that can be computed at the start of a row: its element reads
// only facts and constants, its set is a constant or a param that always has a value, so it can
// neither fail nor depend on anything else. Those made more than once share one computation.
bool Generator::RowInvariant(const Expr& e) {
  if (track_) return false;  // facts may be unknown: each use carries its own mask
  switch (e.op) {
    case Op::kConst: case Op::kInput: return true;
    case Op::kField: return e.args[0]->type->kind != TypeKind::kOptional && RowInvariant(*e.args[0]);
    case Op::kParam:
      return std::any_of(p_.params[e.index].versions.begin(), p_.params[e.index].versions.end(),
                         [](const ir::ParamVersion& v) { return v.effective.from == INT64_MIN && v.effective.until == INT64_MAX; });
    default: return false;
  }
}

// What a row-invariant expression computes, from its IR (not its source text, which can print
// the same for different expressions): its operation, type, operands and constants.
std::string Generator::Key(const Expr& e) const {
  std::string k = fmt::format("({} {} {} {} {} {}", static_cast<int>(e.op), static_cast<const void*>(e.type), e.index,
                              static_cast<int>(e.bop), e.negated ? 1 : 0,
                              e.op == Op::kConst ? FormatValue(e.constant, e.type, types_) : "");
  for (const auto& a : e.args) k += Key(*a);
  return k + ")";
}

// Whether `e` is computed once per row (FindSharedExprs); if so `v` is its value, and its
// failure, if it failed, counts here.
bool Generator::Shared(const Expr& e, CG& v) {
  if (computing_shared_ || !RowInvariant(*e.args[0]) || !RowInvariant(*e.args[1])) return false;
  auto shared = shared_.find(Key(e));
  if (shared == shared_.end()) return false;
  if (shared->second.fail_slot >= 0) FailIf(Bool(b_.CreateLoad(i64_, CtxSlot(shared->second.fail_slot))));
  v.a = b_.CreateLoad(i64_, CtxSlot(shared->second.slot));
  return true;
}

void Generator::CollectShared(const Expr* e, std::map<std::string, Candidate>& found) {
  if (!e) return;
  bool membership = e->op == Op::kIn && (e->args[1]->op == Op::kParam || e->args[1]->op == Op::kConst) &&
                    IsFlat(e->args[0]->type, types_);
  bool comparison = e->op == Op::kCompare && IsFlat(e->args[0]->type, types_) && IsFlat(e->args[1]->type, types_);
  if ((membership || comparison) && RowInvariant(*e->args[0]) && RowInvariant(*e->args[1])) {
    ++found.try_emplace(Key(*e), Candidate{e, 0, found.size()}).first->second.count;
  }
  for (const auto& a : e->args) CollectShared(a.get(), found);
}

void Generator::FindSharedExprs() {
  std::map<std::string, Candidate> found;
  for (const ir::Let& l : p_.lets) CollectShared(l.value.get(), found);
  for (const ir::Rule& r : p_.rules) {
    CollectShared(r.when.get(), found);
    CollectShared(r.value.get(), found);
  }
  for (const ir::Obligation& o : p_.obligations) {
    CollectShared(o.when.get(), found);
    CollectShared(o.deadline.get(), found);
    CollectShared(o.violated.get(), found);
  }
  std::vector<const std::pair<const std::string, Candidate>*> order;  // computed in source order
  for (const auto& entry : found)
    if (entry.second.count >= 2) order.push_back(&entry);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->second.rank < b->second.rank; });
  for (const auto* entry : order) {
    const Expr* e = entry->second.expr;
    int slot = Alloc(1);
    shared_order_.push_back(&(shared_[entry->first] = SharedExpr{e, slot, e->op == Op::kCompare ? Alloc(1) : -1}));
  }
}

// Membership tests and comparisons that several rules make of the same facts and params: once
// per row, a comparison's failure (days against months) kept for where it is used.
void Generator::EmitSharedExprs() {
  computing_shared_ = true;
  for (const SharedExpr* s : shared_order_) {
    const SharedExpr& shared = *s;
    llvm::AllocaInst* err = err_;
    if (shared.fail_slot >= 0) {
      err_ = Local(i1_, 1, "shared.failed");
      b_.CreateStore(False(), err_);
    }
    b_.CreateStore(Emit(*shared.expr).a, CtxSlot(shared.slot));
    if (shared.fail_slot >= 0) b_.CreateStore(b_.CreateZExt(b_.CreateLoad(i1_, err_), i64_), CtxSlot(shared.fail_slot));
    err_ = err;
  }
  computing_shared_ = false;
}

}  // namespace proviso::codegen::internal
