// Expressions: `Emit` and the operations it dispatches to that are not collections, tables or
// default logic (memo reads, short circuit, comparisons and equality, arithmetic, match, builtins).
#include "compiler/codegen/generator.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/Intrinsics.h>

namespace proviso::codegen::internal {

// ---------------------------------------------------------------- comparisons

// i1: a == b (language equality; optional absent equals only absent).
llvm::Value* Generator::Equal(const Type* ta, CG a, const Type* tb, CG b, const Expr* at) {
  if (ta->kind == TypeKind::kOptional || tb->kind == TypeKind::kOptional) {
    const Type* ea = ta->kind == TypeKind::kOptional ? ta->elem : ta;
    const Type* eb = tb->kind == TypeKind::kOptional ? tb->elem : tb;
    llvm::Value* pa = a.present ? a.present : True();
    llvm::Value* pb = b.present ? b.present : True();
    a.present = b.present = nullptr;
    if (ea->kind == TypeKind::kAny || eb->kind == TypeKind::kAny) {
      return b_.CreateICmpEQ(pa, pb);  // comparing with `none`
    }
    llvm::Value* both = b_.CreateAnd(pa, pb);
    llvm::Value* neither = b_.CreateAnd(b_.CreateNot(pa), b_.CreateNot(pb));
    llvm::Value* eq;
    if (IsFlat(ea, types_)) {
      eq = Equal(ea, a, eb, b, at);
    } else {  // an absent value's collections are not to be walked: compare only when both are present
      eq = AndThen(both, "eq.present", [&] { return Equal(ea, a, eb, b, at); });
    }
    return b_.CreateOr(b_.CreateAnd(both, eq), neither);
  }
  switch (ta->kind) {
    case TypeKind::kDuration:
      return b_.CreateAnd(b_.CreateICmpEQ(a.a, b.a), b_.CreateICmpEQ(a.b, b.b));
    case TypeKind::kRecord: {
      // Comparisons are emitted inline: a record that holds itself (through a list) would be
      // emitted without end.
      if (std::find(comparing_.begin(), comparing_.end(), ta->index) != comparing_.end()) {
        throw Unsupported{fmt::format("`==` on `{}`, a record that contains itself", types_.record_info(ta->index).name),
                          at ? at->span() : Span{}};
      }
      comparing_.push_back(ta->index);
      llvm::Value* all = True();
      const RecordInfo& r = types_.record_info(ta->index);
      for (size_t f = 0; f < r.fields.size(); ++f) {
        int off = FieldOffset(ta->index, static_cast<int>(f), types_);
        const Type* ft = r.fields[f].type;
        all = b_.CreateAnd(all, Equal(ft, Load(ft, Slot(a.a, off)), ft, Load(ft, Slot(b.a, off)), at));
      }
      comparing_.pop_back();
      return all;
    }
    case TypeKind::kSet:
      // Bitsets: the same bits; against `{}` (a set of any, not a bitset), none.
      if (IsBitset(ta, types_) || IsBitset(tb, types_)) {
        if (!IsBitset(ta, types_)) return b_.CreateICmpEQ(b.a, I64(0));
        if (!IsBitset(tb, types_)) return b_.CreateICmpEQ(a.a, I64(0));
        return b_.CreateICmpEQ(a.a, b.a);
      }
      [[fallthrough]];
    case TypeKind::kList: {
      const Type* elem = ta->elem->kind == TypeKind::kAny ? tb->elem : ta->elem;
      if (!IsFlat(elem, types_)) return ListsEqual(ta->elem->kind == TypeKind::kAny ? tb : ta, a, b, at);
      int stride = Slots(elem, types_);
      if (ta->kind == TypeKind::kSet) {
        return Bool32(b_.CreateCall(set_equal_, {a.a, a.b, b.a, b.b, I64(stride)}));
      }
      llvm::Value* same_len = b_.CreateICmpEQ(a.b, b.b);
      llvm::Value* n = b_.CreateMul(b_.CreateSelect(same_len, a.b, I64(0)), I64(stride));
      return b_.CreateAnd(same_len, Bool32(b_.CreateCall(slots_equal_, {a.a, b.a, n})));
    }
    default: return b_.CreateICmpEQ(a.a, b.a);
  }
}

// i1: a == b for lists (of type `t`, which both have) whose elements hold collections (records
// with lists, lists of lists; a set holds only scalars): the same length and equal elements in
// order, through Equal.
llvm::Value* Generator::ListsEqual(const Type* t, const CG& a, const CG& b, const Expr* at) {
  const Type* elem = t->elem;
  llvm::AllocaInst* same = Local(i1_, 1, "eq.same");
  llvm::Value* same_len = b_.CreateICmpEQ(a.b, b.b);
  b_.CreateStore(same_len, same);
  CG walked = a;  // `a`'s elements, none when the lengths differ
  walked.b = b_.CreateSelect(same_len, a.b, I64(0));
  int stride = Slots(elem, types_);
  llvm::AllocaInst* k = Local(i64_, 1, "eq.k");
  b_.CreateStore(I64(0), k);
  ForEach(t, walked, [&](const CG& x, llvm::BasicBlock*) {
    llvm::Value* at_k = b_.CreateLoad(i64_, k);
    CG y = Load(elem, SlotDyn(b.a, b_.CreateMul(at_k, I64(stride))));
    b_.CreateStore(b_.CreateAnd(b_.CreateLoad(i1_, same), Equal(elem, x, elem, y, at)), same);
    b_.CreateStore(b_.CreateAdd(at_k, I64(1)), k);
  });
  return b_.CreateLoad(i1_, same);
}

llvm::Value* Generator::Bool32(llvm::Value* v) { return b_.CreateICmpNE(v, I32(0)); }

// i1: the language's ordered comparison (and == / != through Equal).
llvm::Value* Generator::Compare(BinOp op, const Type* ta, CG a, const Type* tb, CG b, const Expr* at) {
  if (op == BinOp::kEq) return Equal(ta, a, tb, b, at);
  if (op == BinOp::kNe) return b_.CreateNot(Equal(ta, a, tb, b, at));
  llvm::Value* x = a.a;
  llvm::Value* y = b.a;
  if (ta->kind == TypeKind::kDuration) {
    // Days with days, months with months; anything else has no order.
    llvm::Value* no_months = b_.CreateAnd(b_.CreateICmpEQ(a.b, I64(0)), b_.CreateICmpEQ(b.b, I64(0)));
    llvm::Value* no_days = b_.CreateAnd(b_.CreateICmpEQ(a.a, I64(0)), b_.CreateICmpEQ(b.a, I64(0)));
    FailIf(b_.CreateNot(b_.CreateOr(no_months, no_days)));
    x = b_.CreateSelect(no_months, a.a, a.b);
    y = b_.CreateSelect(no_months, b.a, b.b);
  }
  // Test seam: the differential suite must notice a wrong comparison (see tests/differential).
  static const bool kMutateLessThan = std::getenv("PROVISO_TEST_CODEGEN_MUTATION") != nullptr;
  switch (op) {
    case BinOp::kLt: return kMutateLessThan ? b_.CreateICmpSLE(x, y) : b_.CreateICmpSLT(x, y);
    case BinOp::kLe: return b_.CreateICmpSLE(x, y);
    case BinOp::kGt: return b_.CreateICmpSGT(x, y);
    default: return b_.CreateICmpSGE(x, y);
  }
}

// ---------------------------------------------------------------- arithmetic

llvm::Value* Generator::Checked(llvm::Intrinsic::ID id, llvm::Value* x, llvm::Value* y) {
  llvm::Function* f = llvm::Intrinsic::getDeclaration(m_.get(), id, {i64_});
  llvm::Value* r = b_.CreateCall(f, {x, y});
  FailIf(b_.CreateExtractValue(r, 1));
  return b_.CreateExtractValue(r, 0);
}

llvm::Value* Generator::Outside(llvm::Value* v, int64_t limit) {
  return b_.CreateOr(b_.CreateICmpSGT(v, I64(limit)), b_.CreateICmpSLT(v, I64(-limit)));
}

// date + sign * duration, within the calendar (years 1 to 9999), as the interpreter: a duration
// beyond the limits (kMaxMonths, kMaxDays) fails, and so does a result outside the calendar.
// Months are rare: only they take a branch, to add_months, which alone needs them in range (and
// there the days are checked too, since months can carry a date beyond the calendar for days to
// bring back). With no months, the days' limit needs no check of its own: from a date in the
// calendar, a sum the 64-bit addition wraps lands outside it, and one that does not is outside
// whenever the days are beyond the limit (more than the calendar's span).
llvm::Value* Generator::Shift(llvm::Value* date, llvm::Value* days, llvm::Value* months, int sign) {
  if (sign < 0) {
    months = b_.CreateNeg(months);
    days = b_.CreateNeg(days);
  }
  llvm::Value* too_far = False();
  llvm::Value* moved = MonthsLater(date, months, Outside(days, kMaxDays), &too_far);
  llvm::Value* r = b_.CreateAdd(moved, days);
  llvm::Value* failed = b_.CreateOr(too_far, b_.CreateOr(b_.CreateICmpSLT(r, I64(kFirstDay)), b_.CreateICmpSGT(r, I64(kLastDay))));
  FailIf(failed);
  return b_.CreateSelect(failed, date, r);  // a harmless date after a failure
}

// `date` plus `months` (add_months, only when they are not 0); `*too_far` is set when the months
// (or, with them, `other_beyond`: the rest of the duration) are beyond the limits.
llvm::Value* Generator::MonthsLater(llvm::Value* date, llvm::Value* months, llvm::Value* other_beyond,
                                    llvm::Value** too_far) {
  if (auto* k = llvm::dyn_cast<llvm::ConstantInt>(months); k && k->isZero()) return date;
  adds_months_ = true;
  llvm::BasicBlock* from = b_.GetInsertBlock();
  llvm::BasicBlock* call = Block("add_months");
  llvm::BasicBlock* done = Block("added");
  b_.CreateCondBr(b_.CreateICmpEQ(months, I64(0)), done, call);
  b_.SetInsertPoint(call);
  llvm::Value* beyond = b_.CreateOr(Outside(months, kMaxMonths), other_beyond);
  llvm::CallInst* r = b_.CreateCall(add_months_, {date, b_.CreateSelect(beyond, I64(0), months)});
  r->setCallingConv(add_months_->getCallingConv());
  llvm::BasicBlock* called = b_.GetInsertBlock();
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  llvm::PHINode* phi = b_.CreatePHI(i64_, 2);
  phi->addIncoming(date, from);
  phi->addIncoming(r, called);
  llvm::PHINode* bad = b_.CreatePHI(i1_, 2);
  bad->addIncoming(False(), from);
  bad->addIncoming(beyond, called);
  *too_far = bad;
  return phi;
}

// Floor division by a positive constant (instants before 1970 belong to the day before).
llvm::Value* Generator::FloorDiv(llvm::Value* x, int64_t d) {
  llvm::Value* q = b_.CreateSDiv(x, I64(d));
  llvm::Value* r = b_.CreateSRem(x, I64(d));
  return b_.CreateSub(q, b_.CreateZExt(b_.CreateICmpSLT(r, I64(0)), i64_));
}

llvm::Value* Generator::DayOf(const Type* t, llvm::Value* v) {
  if (t->kind == TypeKind::kOptional) t = t->elem;
  return t->kind == TypeKind::kDateTime ? FloorDiv(v, kSecondsPerDay) : v;
}

llvm::Value* Generator::Today() { return FloorDiv(now_, kSecondsPerDay); }

// date + sign * duration: its seconds must be whole days (a date has no time of day).
llvm::Value* Generator::ShiftDate(llvm::Value* date, llvm::Value* seconds, llvm::Value* months, int sign) {
  if (auto* k = llvm::dyn_cast<llvm::ConstantInt>(seconds); !k || k->getSExtValue() % kSecondsPerDay != 0) {
    FailIf(b_.CreateICmpNE(b_.CreateSRem(seconds, I64(kSecondsPerDay)), I64(0)));
  }
  return Shift(date, b_.CreateSDiv(seconds, I64(kSecondsPerDay)), months, sign);
}

// instant + sign * duration: the months move its day (the time of day kept), then the seconds;
// within the calendar, as the interpreter (support/calendar.cc's AddDurationToInstant).
llvm::Value* Generator::ShiftInstant(llvm::Value* t, llvm::Value* seconds, llvm::Value* months, int sign) {
  if (sign < 0) {
    months = b_.CreateNeg(months);
    seconds = b_.CreateNeg(seconds);
  }
  llvm::Value* moved = t;
  llvm::Value* too_far = False();
  if (auto* k = llvm::dyn_cast<llvm::ConstantInt>(months); !k || !k->isZero()) {
    // Months are rare: only they split the instant into its day and time of day.
    llvm::BasicBlock* from = b_.GetInsertBlock();
    llvm::BasicBlock* split = Block("instant.months");
    llvm::BasicBlock* done = Block("instant.moved");
    b_.CreateCondBr(b_.CreateICmpEQ(months, I64(0)), done, split);
    b_.SetInsertPoint(split);
    llvm::Value* day = FloorDiv(t, kSecondsPerDay);
    llvm::Value* time_of_day = b_.CreateSub(t, b_.CreateMul(day, I64(kSecondsPerDay)));
    llvm::Value* beyond = False();
    llvm::Value* later = MonthsLater(day, months, Outside(seconds, kMaxSeconds), &beyond);
    llvm::Value* at = b_.CreateAdd(b_.CreateMul(later, I64(kSecondsPerDay)), time_of_day);
    llvm::BasicBlock* split_end = b_.GetInsertBlock();
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    llvm::PHINode* phi = b_.CreatePHI(i64_, 2);
    phi->addIncoming(t, from);
    phi->addIncoming(at, split_end);
    llvm::PHINode* bad = b_.CreatePHI(i1_, 2);
    bad->addIncoming(False(), from);
    bad->addIncoming(beyond, split_end);
    moved = phi;
    too_far = bad;
  }
  // Beyond the limit of seconds, the result is outside the calendar anyway (the limit is longer
  // than the calendar), as is one the addition wraps.
  llvm::Value* r = b_.CreateAdd(moved, seconds);
  llvm::Value* failed = b_.CreateOr(too_far, b_.CreateOr(b_.CreateICmpSLT(r, I64(kFirstSecond)),
                                                         b_.CreateICmpSGT(r, I64(kLastSecond))));
  FailIf(failed);
  return b_.CreateSelect(failed, t, r);
}

CG Generator::Arith(const Expr& e, const Type* ta, CG a, const Type* tb, CG b) {
  CG r;
  bool dur_a = ta->kind == TypeKind::kDuration, dur_b = tb->kind == TypeKind::kDuration;
  bool date_a = ta->kind == TypeKind::kDate, date_b = tb->kind == TypeKind::kDate;
  bool instant_a = ta->kind == TypeKind::kDateTime, instant_b = tb->kind == TypeKind::kDateTime;
  bool dec = ta->kind == TypeKind::kDecimal;
  using llvm::Intrinsic::sadd_with_overflow;
  using llvm::Intrinsic::smul_with_overflow;
  using llvm::Intrinsic::ssub_with_overflow;
  switch (e.bop) {
    case BinOp::kAdd:
      if (date_a && dur_b) { r.a = ShiftDate(a.a, b.a, b.b, 1); return r; }
      if (dur_a && date_b) { r.a = ShiftDate(b.a, a.a, a.b, 1); return r; }
      if (instant_a && dur_b) { r.a = ShiftInstant(a.a, b.a, b.b, 1); return r; }
      if (dur_a && instant_b) { r.a = ShiftInstant(b.a, a.a, a.b, 1); return r; }
      if (dur_a) { r.b = Checked(sadd_with_overflow, a.b, b.b); r.a = Checked(sadd_with_overflow, a.a, b.a); return r; }
      r.a = Checked(sadd_with_overflow, a.a, b.a);
      return r;
    case BinOp::kSub:
      if (date_a && dur_b) { r.a = ShiftDate(a.a, b.a, b.b, -1); return r; }
      if (date_a && date_b) { r.a = b_.CreateMul(b_.CreateSub(a.a, b.a), I64(kSecondsPerDay)); r.b = I64(0); return r; }
      if (instant_a && dur_b) { r.a = ShiftInstant(a.a, b.a, b.b, -1); return r; }
      if (instant_a && instant_b) { r.a = b_.CreateSub(a.a, b.a); r.b = I64(0); return r; }
      if (dur_a) { r.b = Checked(ssub_with_overflow, a.b, b.b); r.a = Checked(ssub_with_overflow, a.a, b.a); return r; }
      r.a = Checked(ssub_with_overflow, a.a, b.a);
      return r;
    case BinOp::kMul:
      if (dur_a) { r.b = Checked(smul_with_overflow, a.b, b.a); r.a = Checked(smul_with_overflow, a.a, b.a); return r; }
      if (dur_b) { r.b = Checked(smul_with_overflow, b.b, a.a); r.a = Checked(smul_with_overflow, b.a, a.a); return r; }
      if (dec) {
        llvm::Value* p = b_.CreateSDiv(b_.CreateMul(b_.CreateSExt(a.a, i128_), b_.CreateSExt(b.a, i128_)),
                                       llvm::ConstantInt::get(i128_, 1000000));
        r.a = Narrow(p);
        return r;
      }
      r.a = Checked(smul_with_overflow, a.a, b.a);
      return r;
    case BinOp::kDiv: {
      if (dur_a) {  // duration / duration: both without months, or both only months
        llvm::Value* by_seconds = b_.CreateAnd(b_.CreateAnd(b_.CreateICmpEQ(a.b, I64(0)), b_.CreateICmpEQ(b.b, I64(0))),
                                               b_.CreateICmpNE(b.a, I64(0)));
        llvm::Value* by_months = b_.CreateAnd(b_.CreateAnd(b_.CreateICmpEQ(a.a, I64(0)), b_.CreateICmpEQ(b.a, I64(0))),
                                              b_.CreateICmpNE(b.b, I64(0)));
        llvm::Value* num = b_.CreateSelect(by_seconds, a.a, a.b);
        llvm::Value* den = b_.CreateSelect(by_seconds, b.a, b.b);
        llvm::Value* ok = b_.CreateOr(by_seconds, by_months);
        llvm::Value* overflow = b_.CreateAnd(b_.CreateICmpEQ(num, I64(INT64_MIN)), b_.CreateICmpEQ(den, I64(-1)));
        FailIf(b_.CreateOr(b_.CreateNot(ok), overflow));
        r.a = b_.CreateSDiv(num, b_.CreateSelect(b_.CreateOr(b_.CreateNot(ok), overflow), I64(1), den));
        return r;
      }
      // Failed divisions go on with divisor 1 so that the machine never traps.
      llvm::Value* zero = b_.CreateICmpEQ(b.a, I64(0));
      FailIf(zero);
      if (dec) {
        llvm::Value* d = b_.CreateSelect(zero, I64(1), b.a);
        llvm::Value* q = b_.CreateSDiv(b_.CreateMul(b_.CreateSExt(a.a, i128_), llvm::ConstantInt::get(i128_, 1000000)),
                                       b_.CreateSExt(d, i128_));
        r.a = Narrow(q);
        return r;
      }
      llvm::Value* overflow = b_.CreateAnd(b_.CreateICmpEQ(a.a, I64(INT64_MIN)), b_.CreateICmpEQ(b.a, I64(-1)));
      FailIf(overflow);
      r.a = b_.CreateSDiv(a.a, b_.CreateSelect(b_.CreateOr(zero, overflow), I64(1), b.a));
      return r;
    }
    default: Unsupport("this arithmetic operator", &e);
  }
}

llvm::Value* Generator::Narrow(llvm::Value* v128) {
  llvm::Value* too_big = b_.CreateICmpSGT(v128, llvm::ConstantInt::get(i128_, INT64_MAX));
  llvm::Value* too_small = b_.CreateICmpSLT(v128, llvm::ConstantInt::get(i128_, INT64_MIN, true));
  FailIf(b_.CreateOr(too_big, too_small));
  return b_.CreateTrunc(v128, i64_);
}

// ---------------------------------------------------------------- expressions

CG Generator::Emit(const Expr& e) {
  switch (e.op) {
    case Op::kConst: return Constant(e.constant, e.type);
    case Op::kInput: {
      const Type* t = types_.record_info(p_.input_record).fields[e.index].type;
      CG v = Load(t, Slot(facts_, FieldOffset(p_.input_record, e.index, types_)));
      if (track_) v.m = FactMask(b_.CreateLoad(i64_, Slot(facts_, FactSlotOffset(p_.input_record, e.index, types_))));
      return v;
    }
    case Op::kParam: {
      if (versioned_params_) {  // `law as of`: the version in force on the law day, from the params' versions
        const Type* t = p_.params[e.index].type;
        int base = layout_.param_versions[e.index];
        int stride = 2 + Slots(t, types_);
        llvm::Value* count = b_.CreateLoad(i64_, Slot(params_, base));
        llvm::Value* day = LawDay();
        llvm::Value* found = False();
        llvm::Value* at = Slot(params_, base + 3);  // the first version's value: harmless when none is
        for (int k = layout_.param_version_count[e.index] - 1; k >= 0; --k) {
          int v = base + 1 + k * stride;
          llvm::Value* in_force = b_.CreateAnd(
              b_.CreateICmpSLT(I64(k), count),
              b_.CreateAnd(b_.CreateICmpSGE(day, b_.CreateLoad(i64_, Slot(params_, v))),
                           b_.CreateICmpSLT(day, b_.CreateLoad(i64_, Slot(params_, v + 1)))));
          at = b_.CreateSelect(in_force, Slot(params_, v + 2), at);
          found = b_.CreateOr(found, in_force);
        }
        FailIf(b_.CreateNot(found));  // no version in force on the law day
        return Load(t, at);
      }
      if (spec_) {  // specialised: the value is a constant
        const std::optional<Value>& v = spec_->params.at(e.index);
        if (!v) {
          FailIf(True());  // no version in force
          return Zero(p_.params[e.index].type);
        }
        return Constant(*v, p_.params[e.index].type);
      }
      int off = layout_.param_offset[e.index];
      bool always = std::any_of(p_.params[e.index].versions.begin(), p_.params[e.index].versions.end(),
                                [](const ir::ParamVersion& v) { return v.effective.from == INT64_MIN && v.effective.until == INT64_MAX; });
      if (!always) FailIf(b_.CreateICmpEQ(b_.CreateLoad(i64_, Slot(params_, off)), I64(0)));  // no version in force
      return Load(p_.params[e.index].type, Slot(params_, off + 1));
    }
    case Op::kLet: return Memo(let_fn_[e.index], let_flag_[e.index], let_value_[e.index], p_.lets[e.index].type);
    case Op::kOutput:
      return Memo(out_fn_[e.index], out_flag_[e.index], out_value_[e.index], p_.outputs[e.index].type);
    case Op::kLocal: return locals_.at(e.index);
    case Op::kAsOf: { CG v; v.a = Today(); return v; }
    case Op::kNow: { CG v; v.a = now_; return v; }
    case Op::kWorkingDays: return WorkingDays(e);
    case Op::kItem: return Load(p_.scopes[e.index].element, CtxSlot(item_region_[e.index]));
    case Op::kField: {  // a field of a record not known is not known; nor is a field of facts left out
      const Type* bt = e.args[0]->type;
      CG base = Emit(*e.args[0]);
      if (bt->kind == TypeKind::kOptional) {
        WhereKnown(AllKnown({&base}), [&] { FailIf(b_.CreateNot(base.present)); return 0; });
        bt = bt->elem;
      }
      const Type* ft = types_.record_info(bt->index).fields[e.index].type;
      CG v = Load(ft, Slot(base.a, FieldOffset(bt->index, e.index, types_)));
      if (track_) {
        v.m = b_.CreateSelect(IsKnown(base.m), FactMask(b_.CreateLoad(i64_, Slot(base.a, FactSlotOffset(bt->index, e.index, types_)))),
                              MaskOf(base));
      }
      return v;
    }
    case Op::kNeg: {
      CG v = Emit(*e.args[0]);
      if (e.type->kind == TypeKind::kInt) {
        WhereKnown(AllKnown({&v}), [&] { FailIf(b_.CreateICmpEQ(v.a, I64(INT64_MIN))); return 0; });
      }
      v.a = b_.CreateNeg(v.a);
      if (v.b) v.b = b_.CreateNeg(v.b);
      return v;
    }
    case Op::kNot: { CG v = Emit(*e.args[0]); v.a = b_.CreateXor(v.a, I64(1)); return v; }
    case Op::kAnd:
    case Op::kOr: return ShortCircuit(e);
    case Op::kArith: {  // strict: nothing is computed (nor fails) from an unknown operand
      CG a = Emit(*e.args[0]);
      CG b = Emit(*e.args[1]);
      CG v = WhereKnown(AllKnown({&a, &b}), [&] { return Arith(e, e.args[0]->type, a, e.args[1]->type, b); });
      v.m = MaskOr(a.m, b.m);
      return v;
    }
    case Op::kCompare: {
      if (CG v; Shared(e, v)) return v;
      CG a = Emit(*e.args[0]);
      CG b = Emit(*e.args[1]);
      // Whole records and lists of facts: any unknown field makes the comparison unknown.
      llvm::Value* m = MaskOr(DeepMask(e.args[0]->type, a), DeepMask(e.args[1]->type, b));
      CG v;
      v.a = ToI64(WhereKnown(m ? IsKnown(m) : nullptr, [&] { return Compare(e.bop, e.args[0]->type, a, e.args[1]->type, b, &e); }));
      v.m = m;
      return v;
    }
    case Op::kIn: {
      if (CG v; Shared(e, v)) return v;
      return In(e);
    }
    case Op::kCoalesce: {  // the default only where the value is known to be absent
      const Type* at = e.args[0]->type;
      CG a = Emit(*e.args[0]);
      llvm::Value* take = a.m ? b_.CreateOr(a.present, b_.CreateNot(IsKnown(a.m))) : a.present;
      CG payload = a;
      payload.present = nullptr;
      if (Cheap(*e.args[1])) {
        payload = Coerce(payload, at->elem, e.type);
        CG d = Under(b_.CreateNot(take), [&] { return Coerce(Emit(*e.args[1]), e.args[1]->type, e.type); });
        return Select(e.type, take, payload, d);
      }
      return Diamond(
          take, e.type, [&] { return Coerce(payload, at->elem, e.type); },
          [&] { return Coerce(Emit(*e.args[1]), e.args[1]->type, e.type); });
    }
    case Op::kUnwrap: {  // known present: the payload
      CG a = Emit(*e.args[0]);
      a.present = nullptr;
      return a;
    }
    case Op::kIsPresent: {
      CG a = Emit(*e.args[0]);
      CG v;
      llvm::Value* p = a.present ? a.present : True();
      v.a = ToI64(e.negated ? b_.CreateNot(p) : p);
      v.m = a.m;
      return v;
    }
    case Op::kIsEmpty: {
      CG a = Emit(*e.args[0]);
      llvm::Value* empty = b_.CreateICmpEQ(IsBitset(e.args[0]->type, types_) ? a.a : a.b, I64(0));
      CG v;
      v.a = ToI64(e.negated ? b_.CreateNot(empty) : empty);
      v.m = a.m;
      return v;
    }
    case Op::kSetOp: return SetOp(e);
    case Op::kItemOutput:
    case Op::kItemLet: return ItemOf(e);
    case Op::kIf: {  // an unknown condition: unknown, and neither branch is evaluated
      CG c = Emit(*e.args[0]);
      llvm::Value* cond = Bool(c.a);
      llvm::Value* known = AllKnown({&c});
      CG out;
      if (Cheap(*e.args[1]) && Cheap(*e.args[2])) {
        CG x = Under(known ? b_.CreateAnd(known, cond) : cond, [&] { return Coerce(Emit(*e.args[1]), e.args[1]->type, e.type); });
        llvm::Value* other = b_.CreateNot(cond);
        CG y = Under(known ? b_.CreateAnd(known, other) : other, [&] { return Coerce(Emit(*e.args[2]), e.args[2]->type, e.type); });
        out = Select(e.type, cond, x, y);
      } else {
        out = Diamond(
            cond, e.type, [&] { return WhereKnown(known, [&] { return Coerce(Emit(*e.args[1]), e.args[1]->type, e.type); }); },
            [&] { return WhereKnown(known, [&] { return Coerce(Emit(*e.args[2]), e.args[2]->type, e.type); }); });
      }
      if (known) out.m = b_.CreateSelect(known, MaskOf(out), MaskOf(c));
      return out;
    }
    case Op::kQuant: return Quant(e);
    case Op::kMakeList:
    case Op::kMakeSet: return MakeCollection(e);
    case Op::kMakeRecord: {
      int n = Slots(e.type->kind == TypeKind::kOptional ? e.type->elem : e.type, types_);
      const Type* rt = e.type->kind == TypeKind::kOptional ? e.type->elem : e.type;
      int region = Alloc(n);
      llvm::Value* base = CtxSlot(region);
      const RecordInfo& r = types_.record_info(rt->index);
      CG out;
      for (size_t f = 0; f < r.fields.size(); ++f) {
        CG v = Coerce(Emit(*e.args[f]), e.args[f]->type, r.fields[f].type);
        Store(r.fields[f].type, v, Slot(base, FieldOffset(rt->index, static_cast<int>(f), types_)));
        b_.CreateStore(I64(0), Slot(base, FactSlotOffset(rt->index, static_cast<int>(f), types_)));
        out.m = MaskOr(out.m, v.m);  // an unknown part makes the whole record unknown
      }
      out.a = base;
      if (e.type->kind == TypeKind::kOptional) out.present = True();
      return out;
    }
    case Op::kMatch: return Match(e);
    case Op::kCall: {
      const ir::Function& f = p_.functions[e.index];
      std::vector<CG> args;
      for (size_t i = 0; i < e.args.size(); ++i) args.push_back(Coerce(Emit(*e.args[i]), e.args[i]->type, f.params[i]));
      if (fn_callee_[e.index]) return Coerce(Call(e.index, args), f.result, e.type);
      std::vector<CG> saved = locals_;
      locals_.assign(std::max<size_t>(p_.max_locals, 1), CG{});
      for (size_t i = 0; i < args.size(); ++i) locals_[i] = args[i];
      CG v = Coerce(Emit(*f.body), f.body->type, e.type);
      locals_ = saved;
      return v;
    }
    case Op::kTable: return Table(e);
    case Op::kBuiltin: return Builtin(e);
  }
  Unsupport("this operation", &e);
}

CG Generator::Memo(llvm::Function* f, int flag, int value, const Type* t) {
  llvm::BasicBlock* compute = Block("memo.compute");
  llvm::BasicBlock* done = Block("memo.done");
  b_.CreateCondBr(Bool(b_.CreateLoad(i64_, CtxSlot(flag))), done, compute);
  b_.SetInsertPoint(compute);
  b_.CreateCall(f, {ctx_, facts_, params_, now_});
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  // The value failed to evaluate: that matters only where it is used.
  FailIf(b_.CreateICmpNE(b_.CreateLoad(i64_, CtxSlot(flag + 1)), I64(0)));
  CG v = Load(t, CtxSlot(value));
  if (track_) v.m = LoadMask(CtxSlot(value + Slots(t, types_)));  // its mask follows it
  return v;
}

// Cheap: no loop and nothing that fails often, so evaluating it off its path costs little.
// Such expressions are evaluated speculatively (selects instead of branches).
bool Generator::Cheap(const Expr& e) {
  switch (e.op) {
    case Op::kQuant: case Op::kMakeSet: case Op::kItemOutput: case Op::kItemLet: return false;
    case Op::kSetOp:  // bit operations on small enum sets; loops otherwise
      if (!IsBitset(e.type, types_)) return false;
      break;
    case Op::kIn:  // a bit test, or a short loop over a loop-invariant set, is cheap; over facts it may be long
      if (!IsBitset(e.args[1]->type, types_) && e.args[1]->op != Op::kParam && e.args[1]->op != Op::kConst) return false;
      break;
    case Op::kBuiltin:
      if (e.builtin == ast::Builtin::kSum || e.builtin == ast::Builtin::kCount ||
          ((e.builtin == ast::Builtin::kMin || e.builtin == ast::Builtin::kMax) && e.args.size() == 1)) {
        return false;
      }
      break;
    case Op::kTable: {
      auto it = cheap_.find(&p_.tables[e.index]);
      if (it == cheap_.end()) it = cheap_.emplace(&p_.tables[e.index], DenseForm(p_.tables[e.index]).has_value()).first;
      if (!it->second) return false;
      break;
    }
    case Op::kLet: {
      const ir::Let& l = p_.lets[e.index];
      auto it = cheap_.find(&l);
      if (it == cheap_.end()) {
        cheap_[&l] = false;  // no cycles exist; this only guards the recursion
        it = cheap_.insert_or_assign(&l, Cheap(*l.value)).first;
      }
      if (!it->second) return false;
      break;
    }
    case Op::kOutput: return false;
    case Op::kCall: {
      if (fn_callee_[e.index]) return false;  // a large body, called
      const ir::Function& f = p_.functions[e.index];
      auto it = cheap_.find(&f);
      if (it == cheap_.end()) it = cheap_.insert_or_assign(&f, Cheap(*f.body)).first;
      if (!it->second) return false;
      break;
    }
    default: break;
  }
  return std::all_of(e.args.begin(), e.args.end(), [&](const ir::ExprPtr& a) { return Cheap(*a); });
}

// Kleene's `and` / `or`: the right side is evaluated where the left does not decide (known false
// for `and`, known true for `or`); an unknown side leaves the result unknown unless the other decides.
CG Generator::ShortCircuit(const Expr& e) {
  bool is_and = e.op == Op::kAnd;
  CG l = Emit(*e.args[0]);
  llvm::Value* go = is_and ? (l.m ? b_.CreateNot(KnownFalse(l)) : Bool(l.a))
                           : (l.m ? b_.CreateNot(KnownTrue(l)) : b_.CreateNot(Bool(l.a)));
  auto combine = [&](const CG& r) { return is_and ? KleeneAnd(l, r) : KleeneOr(l, r); };
  if (Cheap(*e.args[1])) {
    // The right side is evaluated on the path where it matters; no branch.
    CG r = Under(go, [&] { return Emit(*e.args[1]); });
    return combine(r);
  }
  llvm::BasicBlock* from = b_.GetInsertBlock();
  llvm::BasicBlock* rhs = Block(is_and ? "and.rhs" : "or.rhs");
  llvm::BasicBlock* done = Block(is_and ? "and.end" : "or.end");
  b_.CreateCondBr(go, rhs, done);
  b_.SetInsertPoint(rhs);
  CG r = Emit(*e.args[1]);
  llvm::BasicBlock* rhs_end = b_.GetInsertBlock();
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  CG skipped;  // the left side decided: the right side is what it decided
  skipped.a = I64(is_and ? 0 : 1);
  if (r.m) skipped.m = NoMask();
  CG joined = Phi(e.type, {{skipped, from}, {r, rhs_end}});
  return combine(joined);
}

CG Generator::Match(const Expr& e) {
  CG s = Emit(*e.args[0]);
  llvm::Value* known = AllKnown({&s});  // an unknown value: unknown, and no arm is evaluated
  if (known) {
    CG out = WhereKnown(known, [&] {
      CG s_known = s;
      s_known.m = nullptr;
      return MatchArms(e, s_known);
    });
    out.m = b_.CreateSelect(known, MaskOf(out), MaskOf(s));
    return out;
  }
  return MatchArms(e, s);
}

CG Generator::MatchArms(const Expr& e, CG s) {
  // An optional scrutinee: `none` is the last "variant" (ir.h).
  if (e.args[0]->type->kind == TypeKind::kOptional) {
    s.a = b_.CreateSelect(s.present, s.a, I64(static_cast<int64_t>(e.arm_of_variant.size()) - 1));
    s.present = nullptr;
  }
  size_t arms = e.args.size() - 1;
  llvm::BasicBlock* done = Block("match.end");
  std::vector<llvm::BasicBlock*> arm_bb;
  for (size_t i = 0; i < arms; ++i) arm_bb.push_back(Block("match.arm"));
  if (std::all_of(e.args.begin() + 1, e.args.end(), [&](const ir::ExprPtr& a) { return Cheap(*a); })) {
    // Every arm is cheap: evaluate each on its own path and select.
    for (llvm::BasicBlock* bb : arm_bb) bb->eraseFromParent();
    done->eraseFromParent();
    std::vector<CG> values;
    std::vector<llvm::Value*> conds;
    for (size_t i = 0; i < arms; ++i) {
      llvm::Value* c = False();
      for (size_t v = 0; v < e.arm_of_variant.size(); ++v) {
        if (e.arm_of_variant[v] == static_cast<int>(i)) c = b_.CreateOr(c, b_.CreateICmpEQ(s.a, I64(v)));
      }
      conds.push_back(c);
      values.push_back(Under(c, [&] { return Coerce(Emit(*e.args[1 + i]), e.args[1 + i]->type, e.type); }));
    }
    CG out = values.back();
    for (size_t i = arms - 1; i-- > 0;) out = Select(e.type, conds[i], values[i], out);
    return out;
  }
  // The enum value is always one of the variants: the last case doubles as the default.
  size_t last = e.arm_of_variant.size() - 1;
  llvm::SwitchInst* sw = b_.CreateSwitch(s.a, arm_bb[e.arm_of_variant[last]], static_cast<unsigned>(last));
  for (size_t v = 0; v < last; ++v) {
    sw->addCase(llvm::cast<llvm::ConstantInt>(I64(v)), arm_bb[e.arm_of_variant[v]]);
  }
  std::vector<std::pair<CG, llvm::BasicBlock*>> in;
  for (size_t i = 0; i < arms; ++i) {
    b_.SetInsertPoint(arm_bb[i]);
    CG v = Coerce(Emit(*e.args[1 + i]), e.args[1 + i]->type, e.type);
    in.push_back({v, b_.GetInsertBlock()});
    b_.CreateBr(done);
  }
  b_.SetInsertPoint(done);
  return Phi(e.type, in);
}

// Builtins are strict: every argument is evaluated first, and an unknown one makes the call
// unknown (and computes nothing, so fails on nothing).
CG Generator::Builtin(const Expr& e) {
  std::vector<CG> a;
  a.reserve(e.args.size());
  llvm::Value* m = nullptr;
  for (const auto& x : e.args) {
    a.push_back(Emit(*x));
    m = MaskOr(m, a.back().m);
    a.back().m = nullptr;
  }
  CG out = WhereKnown(m ? IsKnown(m) : nullptr, [&] { return BuiltinOf(e, a); });
  out.m = m;
  return out;
}

CG Generator::BuiltinOf(const Expr& e, const std::vector<CG>& a) {
  CG out;
  switch (e.builtin) {
    case ast::Builtin::kMin:
    case ast::Builtin::kMax: {
      int kind = e.builtin == ast::Builtin::kMin ? 1 : 2;
      Acc acc = NewAcc(e.type);
      if (e.args.size() == 1) {
        ForEach(e.args[0]->type, a[0], [&](const CG& x, llvm::BasicBlock*) { Accumulate(e, acc, x, kind); });
      } else {
        for (size_t k = 0; k < a.size(); ++k) Accumulate(e, acc, Coerce(a[k], e.args[k]->type, e.type), kind);
      }
      return Finish(e, acc, false);
    }
    case ast::Builtin::kCount: {
      out.a = IsBitset(e.args[0]->type, types_) ? b_.CreateUnaryIntrinsic(llvm::Intrinsic::ctpop, a[0].a) : a[0].b;
      return out;
    }
    case ast::Builtin::kSum: {
      Acc acc = NewAcc(e.type);
      ForEach(e.args[0]->type, a[0], [&](const CG& x, llvm::BasicBlock*) { Accumulate(e, acc, x, 0); });
      return Finish(e, acc, true);
    }
    case ast::Builtin::kYear:
    case ast::Builtin::kMonth:
    case ast::Builtin::kDay:
    case ast::Builtin::kWeekday:
    case ast::Builtin::kFirstDayOfMonth:
    case ast::Builtin::kLastDayOfMonth:
    case ast::Builtin::kFirstDayOfYear:
    case ast::Builtin::kLastDayOfYear: {
      // proviso_rt_civil's `which` (compiler/jit/jit.cc): year, month, day, weekday, then the first
      // and last days of the month and of the year.
      int which = 0;
      switch (e.builtin) {
        case ast::Builtin::kMonth: which = 1; break;
        case ast::Builtin::kDay: which = 2; break;
        case ast::Builtin::kWeekday: which = 3; break;
        case ast::Builtin::kFirstDayOfMonth: which = 4; break;
        case ast::Builtin::kLastDayOfMonth: which = 5; break;
        case ast::Builtin::kFirstDayOfYear: which = 6; break;
        case ast::Builtin::kLastDayOfYear: which = 7; break;
        default: break;
      }
      out.a = b_.CreateCall(civil_, {DayOf(e.args[0]->type, a[0].a), I64(which)});
      return out;
    }
    case ast::Builtin::kHour:
    case ast::Builtin::kMinute:
    case ast::Builtin::kSecond: {
      llvm::Value* t = a[0].a;
      llvm::Value* tod = b_.CreateSub(t, b_.CreateMul(FloorDiv(t, kSecondsPerDay), I64(kSecondsPerDay)));
      out.a = e.builtin == ast::Builtin::kHour     ? b_.CreateSDiv(tod, I64(3600))
              : e.builtin == ast::Builtin::kMinute ? b_.CreateSDiv(b_.CreateSRem(tod, I64(3600)), I64(60))
                                                   : b_.CreateSRem(tod, I64(60));
      return out;
    }
    case ast::Builtin::kDays:
    case ast::Builtin::kHours:
    case ast::Builtin::kMinutes:
    case ast::Builtin::kSeconds: {
      const CG& d = a[0];
      FailIf(b_.CreateICmpNE(d.b, I64(0)));
      int64_t unit = e.builtin == ast::Builtin::kDays ? kSecondsPerDay : e.builtin == ast::Builtin::kHours ? 3600
                     : e.builtin == ast::Builtin::kMinutes ? 60 : 1;
      out.a = unit == 1 ? d.a : b_.CreateSDiv(d.a, I64(unit));
      return out;
    }
    case ast::Builtin::kDate: {
      if (e.args.size() == 3) {
        llvm::Value* day = b_.CreateCall(date_, {a[0].a, a[1].a, a[2].a});
        llvm::Value* bad = b_.CreateICmpEQ(day, I64(INT64_MIN));
        FailIf(bad);
        out.a = b_.CreateSelect(bad, I64(0), day);
        return out;
      }
      llvm::Value* t = a[0].a;
      if (e.args.size() == 2) {  // the local date at UTC + offset (less than a day, no months)
        const CG& offset = a[1];
        llvm::Value* bad = b_.CreateOr(b_.CreateICmpNE(offset.b, I64(0)), Outside(offset.a, kSecondsPerDay - 1));
        FailIf(bad);
        t = b_.CreateAdd(t, b_.CreateSelect(bad, I64(0), offset.a));
      }
      out.a = FloorDiv(t, kSecondsPerDay);
      return out;
    }
    case ast::Builtin::kDateTime: {
      llvm::Value* t = b_.CreateMul(a[0].a, I64(kSecondsPerDay));
      if (e.args.size() == 4) {
        llvm::Value* h = a[1].a;
        llvm::Value* m = a[2].a;
        llvm::Value* sec = a[3].a;
        auto outside = [&](llvm::Value* v, int64_t hi) {
          return b_.CreateOr(b_.CreateICmpSLT(v, I64(0)), b_.CreateICmpSGT(v, I64(hi)));
        };
        llvm::Value* bad = b_.CreateOr(outside(h, 23), b_.CreateOr(outside(m, 59), outside(sec, 59)));
        FailIf(bad);
        llvm::Value* tod = b_.CreateAdd(b_.CreateAdd(b_.CreateMul(h, I64(3600)), b_.CreateMul(m, I64(60))), sec);
        t = b_.CreateAdd(t, b_.CreateSelect(bad, I64(0), tod));
      }
      out.a = t;
      return out;
    }
    case ast::Builtin::kMonthsBetween:
      out.a = b_.CreateCall(months_between_, {a[0].a, a[1].a});
      return out;
    case ast::Builtin::kIsWorkingDay: {
      const WorkingCalendar& cal = p_.calendars.at(e.index);
      llvm::Value* k = b_.CreateSub(a[0].a, I64(cal.first_day()));
      llvm::Value* inside = CalendarCovers(cal, k);
      FailIf(b_.CreateNot(inside));  // outside the calendar's years
      out.a = TableEntry(cal, 0, b_.CreateSelect(inside, k, I64(0)));
      return out;
    }
    case ast::Builtin::kWorkingDaysBetween: {
      // Working days in (a, b]: count_before[b + 1] - count_before[a + 1] (offsets from the first day).
      const WorkingCalendar& cal = p_.calendars.at(e.index);
      llvm::Value* ka = b_.CreateSub(a[0].a, I64(cal.first_day()));
      llvm::Value* kb = b_.CreateSub(a[1].a, I64(cal.first_day()));
      llvm::Value* inside = b_.CreateAnd(CalendarCovers(cal, ka), CalendarCovers(cal, kb));
      FailIf(b_.CreateNot(inside));
      llvm::Value* at_a = b_.CreateSelect(inside, b_.CreateAdd(ka, I64(1)), I64(0));
      llvm::Value* at_b = b_.CreateSelect(inside, b_.CreateAdd(kb, I64(1)), I64(0));
      out.a = b_.CreateSub(TableEntry(cal, 1, at_b), TableEntry(cal, 1, at_a));
      return out;
    }
  }
  Unsupport("this builtin", &e);
}

// `N working days after D` (before D when negated), in the calendar of the expression: the
// table lookups of support/working_days.cc's AddWorkingDays, branch-free, so that a batch loop
// computing deadlines in working days still vectorizes.
CG Generator::WorkingDays(const Expr& e) {
  const WorkingCalendar& cal = p_.calendars.at(e.index);
  CG n_cg = Emit(*e.args[0]);
  CG day_cg = Emit(*e.args[1]);
  llvm::Value* known = AllKnown({&n_cg, &day_cg});  // strict, as a builtin
  CG out = WhereKnown(known, [&] { return WorkingDaysOf(cal, e.negated, n_cg.a, day_cg.a); });
  out.m = MaskOr(n_cg.m, day_cg.m);
  return out;
}

CG Generator::WorkingDaysOf(const WorkingCalendar& cal, bool backwards, llvm::Value* n, llvm::Value* day) {
  if (backwards) n = b_.CreateSub(I64(0), n);  // INT64_MIN stays out of range below
  int64_t count = static_cast<int64_t>(cal.nth().size());
  llvm::Value* k = b_.CreateSub(day, I64(cal.first_day()));
  llvm::Value* inside = CalendarCovers(cal, k);
  llvm::Value* safe_k = b_.CreateSelect(inside, k, I64(0));
  llvm::Value* forward = b_.CreateICmpSGT(n, I64(0));
  llvm::Value* in_range = b_.CreateAnd(b_.CreateICmpSLE(n, I64(count)), b_.CreateICmpSGE(n, I64(-count)));
  llvm::Value* safe_n = b_.CreateSelect(in_range, n, I64(0));
  // Working days numbered from 0: those up to `day` are count_before[k + 1] (after), those before
  // it count_before[k] (before); the n-th after is number count_before[k + 1] + n - 1.
  llvm::Value* before = TableEntry(cal, 1, b_.CreateAdd(safe_k, b_.CreateZExt(forward, i64_)));
  llvm::Value* c = b_.CreateSub(b_.CreateAdd(before, safe_n), b_.CreateZExt(forward, i64_));
  llvm::Value* found = b_.CreateAnd(b_.CreateICmpSGE(c, I64(0)), b_.CreateICmpSLT(c, I64(count)));
  llvm::Value* offset = TableEntry(cal, 2, b_.CreateSelect(found, c, I64(0)));
  llvm::Value* zero = b_.CreateICmpEQ(n, I64(0));
  FailIf(b_.CreateNot(b_.CreateAnd(inside, b_.CreateOr(zero, b_.CreateAnd(in_range, found)))));
  CG out;
  out.a = b_.CreateSelect(zero, day, b_.CreateAdd(I64(cal.first_day()), offset));
  return out;
}

// i1: the day at offset `k` from the calendar's first day is one it covers.
llvm::Value* Generator::CalendarCovers(const WorkingCalendar& cal, llvm::Value* k) {
  return b_.CreateICmpULT(k, I64(static_cast<int64_t>(cal.working().size())));  // unsigned: k < 0 too
}

// An entry of one of a calendar's tables (0: working, i8; 1: count_before, i32; 2: nth, i32) at a
// valid index, as i64.
llvm::Value* Generator::TableEntry(const WorkingCalendar& cal, int table, llvm::Value* index) {
  llvm::GlobalVariable* g = CalendarArrays(cal)[table];
  llvm::Type* elem = table == 0 ? i8_ : i32_;
  llvm::Value* v = b_.CreateLoad(elem, b_.CreateGEP(elem, g, index));
  return table == 0 ? b_.CreateZExt(v, i64_) : b_.CreateSExt(v, i64_);
}

// The tables of a calendar as constant globals in the module: working (i8), count_before (i32) and
// nth (i32), as support/working_days.h describes them.
const std::vector<llvm::GlobalVariable*>& Generator::CalendarArrays(const WorkingCalendar& cal) {
  auto it = calendar_arrays_.find(&cal);
  if (it != calendar_arrays_.end()) return it->second;
  auto global = [&](llvm::Constant* init, const std::string& name) {
    return new llvm::GlobalVariable(*m_, init->getType(), true, llvm::GlobalValue::PrivateLinkage, init, name);
  };
  std::vector<uint8_t> working(cal.working().begin(), cal.working().end());
  std::vector<uint32_t> before(cal.count_before().begin(), cal.count_before().end());
  std::vector<uint32_t> nth(cal.nth().begin(), cal.nth().end());
  if (nth.empty()) nth.push_back(0);  // never read (no working day is found): an array needs an element
  std::string name = "calendar." + cal.name();
  return calendar_arrays_[&cal] = {global(llvm::ConstantDataArray::get(c_, working), name + ".working"),
                                   global(llvm::ConstantDataArray::get(c_, before), name + ".count_before"),
                                   global(llvm::ConstantDataArray::get(c_, nth), name + ".nth")};
}
}  // namespace proviso::codegen::internal
