// Default logic: effective dates, rule choice by priority with exceptions, alternatives that agree
// and conflicts, rules that may apply (unknown facts), and the memo function of each output. The
// interpreter's compiler/interp/default_logic.cc, in LLVM IR: outcomes are Yields, combined with
// selects (a rule's own code may branch).
#include "compiler/codegen/generator.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace proviso::codegen::internal {

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

// ---------------------------------------------------------------- outcomes

Generator::YieldSlot Generator::NewYield(const Type* t) {
  YieldSlot s{t, Local(i64_, Slots(t, types_), "yield"), Local(i1_, 1, "have"), Local(i1_, 1, "conflict")};
  b_.CreateStore(False(), s.have);
  b_.CreateStore(False(), s.conflict);
  Store(t, Zero(t), s.slots);  // may be read speculatively before anything is stored
  if (track_) {
    s.cond = Local(mask_ty_, 1, "yield.cond");
    s.vm = Local(mask_ty_, 1, "yield.unknown");
    b_.CreateStore(NoMask(), s.cond);
    b_.CreateStore(NoMask(), s.vm);
  }
  return s;
}

Generator::Yield Generator::LoadYield(const YieldSlot& s) {
  Yield y{b_.CreateLoad(i1_, s.have), b_.CreateLoad(i1_, s.conflict), nullptr, Load(s.type, s.slots)};
  if (s.cond) y.cond = b_.CreateLoad(mask_ty_, s.cond);
  if (s.vm) y.v.m = b_.CreateLoad(mask_ty_, s.vm);
  return y;
}

void Generator::StoreYield(const YieldSlot& s, const Yield& y) {
  Store(s.type, y.v, s.slots);
  b_.CreateStore(y.have, s.have);
  b_.CreateStore(y.conflict, s.conflict);
  if (s.cond) b_.CreateStore(y.cond ? y.cond : NoMask(), s.cond);
  if (s.vm) b_.CreateStore(MaskOf(y.v), s.vm);
}

llvm::Value* Generator::Definite(const Yield& y) {
  if (!y.cond) return y.have;
  return b_.CreateAnd(y.have, IsKnown(y.cond));
}

llvm::Value* Generator::SameKnown(const Type* t, const CG& a, const CG& b, llvm::Value* da, llvm::Value* db,
                                  llvm::Value* when) {
  llvm::Value* known = And(da ? IsKnown(da) : nullptr, db ? IsKnown(db) : nullptr);
  llvm::Value* gate = known ? b_.CreateAnd(when, known) : when;
  CG x = a, y = b;
  x.m = y.m = nullptr;
  llvm::Value* eq = IsFlat(t, types_) ? b_.CreateAnd(gate, Equal(t, x, t, y, nullptr))
                                      : AndThen(gate, "same", [&] { return Equal(t, x, t, y, nullptr); });
  return eq;
}

// The interpreter's Evaluator::Else: `a` where it applies, else `b`.
Generator::Yield Generator::Else(const Type* t, const Yield& a, const Yield& b) {
  Yield r;
  r.have = b_.CreateOr(a.have, b.have);
  if (!track_) {  // nothing may apply: a where it gives something, else b
    r.conflict = b_.CreateSelect(a.have, a.conflict, b.conflict);
    r.v = Select(t, a.have, a.v, b.v);
    return r;
  }
  llvm::Value* a_def = Definite(a);
  llvm::Value* a_none = b_.CreateNot(a.have);
  llvm::Value* a_maybe = b_.CreateAnd(a.have, b_.CreateNot(a_def));  // `a` may apply: `b` where it does not
  llvm::Value* b_none = b_.CreateNot(b.have);
  llvm::Value* b_def = Definite(b);
  llvm::Value* b_maybe = b_.CreateAnd(b.have, b_.CreateNot(b_def));
  llvm::Value* da = DeepMask(t, a.v);
  llvm::Value* db = DeepMask(t, b.v);
  llvm::Value* same = b_.CreateAnd(b_.CreateNot(b.conflict),
                                   SameKnown(t, a.v, b.v, da, db, b_.CreateAnd(a_maybe, b.have)));
  llvm::Value* zero = NoMask();
  llvm::Value* conds = b_.CreateOr(MaskOf(CG{nullptr, nullptr, nullptr, a.cond}), MaskOf(CG{nullptr, nullptr, nullptr, b.cond}));
  r.conflict = b_.CreateSelect(a_def, a.conflict, b_.CreateSelect(a_none, b.conflict, False()));
  // Where `a` may apply: maybe unless `b` surely gives something.
  llvm::Value* maybe_cond = b_.CreateSelect(b_none, a.cond, b_.CreateSelect(b_def, zero, conds));
  r.cond = b_.CreateSelect(a_def, zero, b_.CreateSelect(a_none, MaskOf(CG{nullptr, nullptr, nullptr, b.cond}), maybe_cond));
  r.v = Select(t, a_none, b.v, a.v);
  // The value's mask where `a` may apply: none when the two agree (or b gives nothing), else the
  // facts of both (b's value counts unless b is a conflict).
  llvm::Value* mixed = b_.CreateOr(b_.CreateOr(MaskOf(CG{nullptr, nullptr, nullptr, a.cond}), da),
                                   b_.CreateOr(b_.CreateSelect(b.conflict, zero, db),
                                               b_.CreateSelect(b_maybe, MaskOf(CG{nullptr, nullptr, nullptr, b.cond}), zero)));
  llvm::Value* maybe_vm = b_.CreateSelect(b_none, MaskOf(a.v), b_.CreateSelect(same, zero, mixed));
  r.v.m = b_.CreateSelect(a_def, MaskOf(a.v), b_.CreateSelect(a_none, MaskOf(b.v), maybe_vm));
  return r;
}

// The interpreter's Evaluator::Join: siblings of one priority that agree are alternatives; two
// that surely apply with different known values conflict.
Generator::Yield Generator::Join(const Type* t, const Yield& a, const Yield& b) {
  Yield r;
  r.have = b_.CreateOr(a.have, b.have);
  llvm::Value* both = b_.CreateAnd(a.have, b.have);
  if (!track_) {
    llvm::Value* differ = IsFlat(t, types_) ? b_.CreateAnd(both, b_.CreateNot(Equal(t, a.v, t, b.v, nullptr)))
                                            : AndThen(both, "agree", [&] { return b_.CreateNot(Equal(t, a.v, t, b.v, nullptr)); });
    r.conflict = b_.CreateOr(b_.CreateOr(a.conflict, b.conflict), differ);
    r.conflict = b_.CreateAnd(r.have, r.conflict);
    r.v = Select(t, a.have, a.v, b.v);
    return r;
  }
  llvm::Value* zero = NoMask();
  llvm::Value* a_cond = MaskOf(CG{nullptr, nullptr, nullptr, a.cond});
  llvm::Value* b_cond = MaskOf(CG{nullptr, nullptr, nullptr, b.cond});
  llvm::Value* a_def = Definite(a);
  llvm::Value* b_def = Definite(b);
  llvm::Value* da = DeepMask(t, a.v);
  llvm::Value* db = DeepMask(t, b.v);
  llvm::Value* settled = b_.CreateAnd(b_.CreateAnd(both, b_.CreateNot(b_.CreateOr(a.conflict, b.conflict))),
                                      b_.CreateAnd(a_def, b_def));
  llvm::Value* both_known = b_.CreateAnd(IsKnown(da), IsKnown(db));
  // Two surely applying siblings with known values: equal agree, different conflict.
  llvm::Value* open = b_.CreateAnd(both, b_.CreateNot(b_.CreateOr(a.conflict, b.conflict)));
  llvm::Value* same = SameKnown(t, a.v, b.v, da, db, open);
  llvm::Value* clash = b_.CreateAnd(b_.CreateAnd(settled, both_known), b_.CreateNot(same));
  r.conflict = b_.CreateOr(b_.CreateSelect(a.have, a.conflict, False()),
                           b_.CreateOr(b_.CreateSelect(a.conflict, False(), b.conflict), clash));
  r.conflict = b_.CreateAnd(r.have, r.conflict);
  llvm::Value* definite = b_.CreateOr(a_def, b_def);
  // One alone: itself. Both: agreeing, the value (maybe only if neither surely applies);
  // otherwise undetermined between them.
  llvm::Value* conds = b_.CreateOr(a_cond, b_cond);
  r.cond = b_.CreateSelect(both, b_.CreateSelect(definite, zero, conds), b_.CreateSelect(a.have, a_cond, b_cond));
  r.v = Select(t, a.have, a.v, b.v);
  llvm::Value* mixed = b_.CreateOr(conds, b_.CreateOr(da, db));
  llvm::Value* joined_vm = b_.CreateSelect(same, zero, mixed);
  r.v.m = b_.CreateSelect(both, joined_vm, b_.CreateSelect(a.have, MaskOf(a.v), MaskOf(b.v)));
  // A conflict takes the first conflicting sibling's place, as the interpreter reports it.
  return r;
}

// ---------------------------------------------------------------- rules

// Evaluates every rule of a sibling group (each once per output: RuleYield), joins the siblings
// of each priority, and takes the highest priority that applies, else the next one down.
Generator::Yield Generator::Choose(const std::vector<int>& group, const Type* t) {
  Yield none{False(), False(), nullptr, Zero(t)};
  if (track_) none.cond = NoMask();
  if (group.empty()) return none;
  std::vector<Yield> yields;
  for (int r : group) yields.push_back(LoadYield(RuleYield(r, t)));
  std::vector<int64_t> levels;
  for (int r : group) levels.push_back(p_.rules[r].priority);
  std::sort(levels.begin(), levels.end());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  Yield result = none;
  for (int64_t level : levels) {  // from the lowest: each level where it applies, else those below
    Yield joined = none;
    bool first = true;
    for (size_t k = 0; k < group.size(); ++k) {
      if (p_.rules[group[k]].priority != level) continue;
      joined = first ? yields[k] : Join(t, joined, yields[k]);
      first = false;
    }
    result = Else(t, joined, result);
  }
  return result;
}

// What rule `r` yields, emitted once per output function: an exception to several rules is
// reached from each of them.
const Generator::YieldSlot& Generator::RuleYield(int r, const Type* t) {
  auto it = rule_yield_.find(r);
  if (it != rule_yield_.end()) return it->second;
  YieldSlot y = NewYield(t);
  RuleValue(r, t, y);
  return rule_yield_.emplace(r, y).first->second;
}

// A rule yields the value of its most specific applicable exception, else its own value when it is
// in force and its condition holds (maybe, when the condition is unknown).
void Generator::RuleValue(int r, const Type* t, const YieldSlot& out) {
  const ir::Rule& rule = p_.rules[r];
  Yield ex = Choose(rule.children, t);
  llvm::Value* decided = Definite(ex);  // an exception (or a conflict among them) surely applies
  llvm::Value* own = And(b_.CreateNot(decided), InForce(rule.effective));
  Yield mine{False(), False(), track_ ? NoMask() : nullptr, Zero(t)};
  if ((!rule.when || Cheap(*rule.when)) && Cheap(*rule.value)) {
    CG holds = rule.when ? Under(own, [&] { return Emit(*rule.when); }) : CG{True(), nullptr, nullptr, nullptr};
    llvm::Value* may = rule.when ? (holds.m ? b_.CreateOr(Bool(holds.a), b_.CreateNot(IsKnown(holds.m))) : Bool(holds.a))
                                 : True();
    llvm::Value* apply = And(own, may);
    mine.v = Under(apply, [&] { return Coerce(Emit(*rule.value), rule.value->type, t); });
    mine.have = apply;
    if (track_) mine.cond = holds.m ? b_.CreateSelect(apply, holds.m, NoMask()) : NoMask();
    StoreYield(out, rule.children.empty() ? mine : Else(t, ex, mine));
    return;
  }
  // With branches: the value only where the rule may apply.
  StoreYield(out, ex);
  llvm::BasicBlock* own_bb = Block("rule.own");
  llvm::BasicBlock* done = Block("rule.done");
  b_.CreateCondBr(own, own_bb, done);
  b_.SetInsertPoint(own_bb);
  llvm::Value* cond = nullptr;
  if (rule.when) {
    CG holds = Emit(*rule.when);
    cond = holds.m;
    llvm::Value* may = holds.m ? b_.CreateOr(Bool(holds.a), b_.CreateNot(IsKnown(holds.m))) : Bool(holds.a);
    llvm::BasicBlock* apply = Block("rule.apply");
    b_.CreateCondBr(may, apply, done);
    b_.SetInsertPoint(apply);
  }
  mine.v = Coerce(Emit(*rule.value), rule.value->type, t);
  mine.have = True();
  if (track_) mine.cond = cond ? cond : NoMask();
  StoreYield(out, rule.children.empty() ? mine : Else(t, ex, mine));
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

void Generator::EmitOutputFunction(int o) {
  Begin(out_fn_[o]);
  scope_ = p_.outputs[o].scope;
  locals_.assign(std::max(p_.max_locals, 1), CG{});
  const ir::Output& out = p_.outputs[o];
  rule_yield_.clear();
  Yield y = Choose(out.roots, out.type);
  llvm::Value* definite = Definite(y);
  FailIf(b_.CreateAnd(definite, y.conflict));  // two rules surely apply with different values
  CG v = y.v;
  if (out.type->kind == TypeKind::kOptional) {
    // No rule applies: none.
    CG none = Zero(out.type);
    v = Select(out.type, y.have, v, none);
  } else {
    FailIf(b_.CreateNot(y.have));  // no rule applies: no decision
  }
  if (track_) {
    // Maybe a value, or none: undetermined. A value with an unknown part is undetermined as a whole.
    llvm::Value* whole = DeepMask(out.type, y.v);
    llvm::Value* maybe = b_.CreateOr(MaskOf(CG{nullptr, nullptr, nullptr, y.cond}), whole);
    v.m = b_.CreateSelect(y.have, b_.CreateSelect(definite, whole, maybe), NoMask());
    if (out.required) FailIf(b_.CreateNot(IsKnown(v.m)));
  }
  Store(out.type, v, CtxSlot(out_value_[o]));
  if (track_) StoreMask(v.m, CtxSlot(out_value_[o] + Slots(out.type, types_)));
  b_.CreateStore(I64(1), CtxSlot(out_flag_[o]));
  b_.CreateStore(b_.CreateZExt(b_.CreateLoad(i1_, err_), i64_), CtxSlot(out_flag_[o] + 1));
  scope_ = -1;
  b_.CreateRet(Status());
}

}  // namespace proviso::codegen::internal
