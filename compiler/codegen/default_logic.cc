// Default logic: effective dates, rule choice by priority with exceptions, and the memo
// function of each output.
#include "compiler/codegen/generator.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace proviso::codegen::internal {

// ---------------------------------------------------------------- default logic

bool Generator::InForceAlways(const ir::Effective& eff) { return eff.from == INT64_MIN && eff.until == INT64_MAX; }

// Whether a period of effect (whole days) holds the law date: the evaluation instant (compared in
// seconds, no division), or the day of `law as of`.
llvm::Value* Generator::InForce(const ir::Effective& eff) {
  if (InForceAlways(eff)) return True();
  llvm::Value* ok = True();
  bool by_day = p_.law || scope_ >= 0;
  llvm::Value* when = by_day ? LawDay() : now_;
  int64_t scale = by_day ? 1 : kSecondsPerDay;
  if (eff.from != INT64_MIN) ok = b_.CreateAnd(ok, b_.CreateICmpSGE(when, I64(eff.from * scale)));
  if (eff.until != INT64_MAX) ok = b_.CreateAnd(ok, b_.CreateICmpSLT(when, I64(eff.until * scale)));
  return ok;
}

// Evaluates every rule of a sibling group, then keeps the highest priority applicable value; two
// applicable at that priority with different values fail (the same value is no conflict).
// Result in `acc` (have = yielded; empty on entry). Straight-line: levels from the lowest
// priority up, each one that yields overriding the value so far; a conflict within a level fails
// only if no higher level yields.
void Generator::Choose(const std::vector<int>& group, const Type* t, Acc& acc) {
  std::vector<Acc> yields;
  for (int r : group) yields.push_back(RuleAcc(r, t));
  std::vector<int64_t> levels;
  for (int r : group) levels.push_back(p_.rules[r].priority);
  std::sort(levels.begin(), levels.end());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  std::vector<llvm::Value*> level_have(levels.size()), conflict(levels.size());
  for (size_t l = 0; l < levels.size(); ++l) {
    llvm::Value* have = nullptr;
    CG v;
    for (size_t k = 0; k < group.size(); ++k) {
      if (p_.rules[group[k]].priority != levels[l]) continue;
      llvm::Value* yh = b_.CreateLoad(i1_, yields[k].have);
      CG yv = Load(t, yields[k].slots);
      if (!have) {  // the level's first rule
        have = yh;
        v = yv;
        continue;
      }
      llvm::Value* both = b_.CreateAnd(have, yh);
      llvm::Value* differ = IsFlat(t, types_) ? b_.CreateAnd(both, b_.CreateNot(Equal(t, v, t, yv, nullptr)))
                                              : AndThen(both, "agree", [&] { return b_.CreateNot(Equal(t, v, t, yv, nullptr)); });
      conflict[l] = conflict[l] ? b_.CreateOr(conflict[l], differ) : differ;
      v = Select(t, have, v, yv);
      have = b_.CreateOr(have, yh);
    }
    level_have[l] = have;
    // The lowest level stores unconditionally: `acc` is empty on entry, and a value without
    // `have` is never read, so the chain of selects needs no base (all levels yielding the same
    // value fold to that value).
    if (l == 0) Store(t, v, acc.slots);
    else StoreIf(t, have, v, acc.slots);
    b_.CreateStore(b_.CreateOr(b_.CreateLoad(i1_, acc.have), have), acc.have);
  }
  llvm::Value* higher = False();  // some level above yields
  for (size_t l = levels.size(); l-- > 0;) {
    if (conflict[l]) FailIf(b_.CreateAnd(conflict[l], b_.CreateNot(higher)));
    higher = b_.CreateOr(higher, level_have[l]);
  }
}

// What rule `r` yields, emitted once per output function: an exception to several rules is
// reached from each of them.
Generator::Acc Generator::RuleAcc(int r, const Type* t) {
  auto it = rule_acc_.find(r);
  if (it != rule_acc_.end()) return it->second;
  Acc y = NewAcc(t);
  RuleValue(r, t, y);
  rule_acc_.emplace(r, y);
  return y;
}

void Generator::RuleValue(int r, const Type* t, Acc& out) {
  const ir::Rule& rule = p_.rules[r];
  Choose(rule.children, t, out);
  llvm::Value* excepted = b_.CreateLoad(i1_, out.have);
  llvm::Value* own = And(b_.CreateNot(excepted), InForce(rule.effective));
  if ((!rule.when || Cheap(*rule.when)) && Cheap(*rule.value)) {
    llvm::Value* holds = rule.when ? Under(own, [&] { return Bool(Emit(*rule.when).a); }) : True();
    llvm::Value* apply = And(own, holds);
    CG v = Under(apply, [&] { return Coerce(Emit(*rule.value), rule.value->type, t); });
    // The exceptions' value when one applies, else this rule's (read only if it applies).
    if (rule.children.empty()) Store(t, v, out.slots);
    else Store(t, Select(t, excepted, Load(t, out.slots), v), out.slots);
    b_.CreateStore(b_.CreateOr(excepted, apply), out.have);
    return;
  }
  llvm::BasicBlock* own_bb = Block("rule.own");
  llvm::BasicBlock* done = Block("rule.done");
  b_.CreateCondBr(own, own_bb, done);
  b_.SetInsertPoint(own_bb);
  if (rule.when) {
    llvm::Value* holds = Bool(Emit(*rule.when).a);
    llvm::BasicBlock* apply = Block("rule.apply");
    b_.CreateCondBr(holds, apply, done);
    b_.SetInsertPoint(apply);
  }
  Store(t, Coerce(Emit(*rule.value), rule.value->type, t), out.slots);
  b_.CreateStore(True(), out.have);
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

void Generator::EmitOutputFunction(int o) {
  Begin(out_fn_[o]);
  scope_ = p_.outputs[o].scope;
  locals_.assign(std::max(p_.max_locals, 1), CG{});
  const ir::Output& out = p_.outputs[o];
  rule_acc_.clear();
  Acc acc = NewAcc(out.type);
  Choose(out.roots, out.type, acc);
  if (out.type->kind == TypeKind::kOptional) {
    ZeroIfEmpty(acc);  // no rule applies: none
  } else {
    FailIf(b_.CreateNot(b_.CreateLoad(i1_, acc.have)));  // no rule applies: no decision
  }
  Store(out.type, Load(out.type, acc.slots), CtxSlot(out_value_[o]));
  b_.CreateStore(I64(1), CtxSlot(out_flag_[o]));
  b_.CreateStore(b_.CreateZExt(b_.CreateLoad(i1_, err_), i64_), CtxSlot(out_flag_[o] + 1));
  scope_ = -1;
  b_.CreateRet(Status());
}

}  // namespace proviso::codegen::internal
