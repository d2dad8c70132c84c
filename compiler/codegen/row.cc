// The row entry (`proviso_row`) and the helpers every module declares.
#include "compiler/codegen/generator.h"

#include <algorithm>
#include <cstdint>

#include <llvm/IR/Attributes.h>
#include <llvm/IR/CallingConv.h>
#include <llvm/IR/DerivedTypes.h>

namespace proviso::codegen::internal {

void Generator::DeclareHelpers(bool batch) {
  add_months_ = EmitAddMonths(batch);
  civil_ = llvm::Function::Create(llvm::FunctionType::get(i64_, {i64_, i64_}, false),
                                  llvm::Function::ExternalLinkage, "proviso_rt_civil", m_.get());
  slots_equal_ = llvm::Function::Create(llvm::FunctionType::get(i32_, {ptr_, ptr_, i64_}, false),
                                        llvm::Function::ExternalLinkage, "proviso_rt_slots_equal", m_.get());
  set_equal_ = llvm::Function::Create(llvm::FunctionType::get(i32_, {ptr_, i64_, ptr_, i64_, i64_}, false),
                                      llvm::Function::ExternalLinkage, "proviso_rt_set_equal", m_.get());
  auto declare = [&](const char* name, llvm::Type* result, std::vector<llvm::Type*> args) {
    return llvm::Function::Create(llvm::FunctionType::get(result, args, false), llvm::Function::ExternalLinkage, name,
                                  m_.get());
  };
  date_ = declare("proviso_rt_date", i64_, {i64_, i64_, i64_});
  months_between_ = declare("proviso_rt_months_between", i64_, {i64_, i64_});
  recurring_ = declare("proviso_rt_recurring", i32_, {i64_, i64_, i64_, i64_, ptr_});
  alloc_ = declare("proviso_rt_alloc", ptr_, {i64_});
  arena_reset_ = declare("proviso_rt_arena_reset", llvm::Type::getVoidTy(c_), {});
  budget_ = declare("proviso_rt_budget", i64_, {});
  over_budget_ = declare("proviso_rt_over_budget", llvm::Type::getVoidTy(c_), {});
  over_budget_->addFnAttr(llvm::Attribute::Cold);
  alloc_->addRetAttr(llvm::Attribute::NoAlias);
  alloc_->addRetAttr(llvm::Attribute::NonNull);
  for (llvm::Function* f : {civil_, slots_equal_, set_equal_, date_, months_between_, recurring_, alloc_, arena_reset_,
                            budget_, over_budget_}) {
    f->addFnAttr(llvm::Attribute::NoUnwind);
    f->setDoesNotThrow();
  }
  civil_->setDoesNotAccessMemory();
  date_->setDoesNotAccessMemory();
  months_between_->setDoesNotAccessMemory();
  slots_equal_->setOnlyReadsMemory();
  set_equal_->setOnlyReadsMemory();
}

// support/calendar.cc's AddMonths in IR, branch-free (no table, masked shifts), so that a
// batch loop adding months to dates still vectorizes. For dates in the calendar (years 1 to
// 9999) and months within the duration limit it computes exactly what AddMonths does; outside,
// a harmless value that the caller's range check turns into a failure.
// In the batch module it is inlined (the vectorizer needs straight-line code); in the row module
// it stays a cold call, so that the common path (whole days) does not pay for its registers.
llvm::Function* Generator::EmitAddMonths(bool inline_it) {
  llvm::Function* f = llvm::Function::Create(llvm::FunctionType::get(i64_, {i64_, i64_}, false),
                                             llvm::Function::InternalLinkage, "add_months", m_.get());
  f->addFnAttr(inline_it ? llvm::Attribute::AlwaysInline : llvm::Attribute::NoInline);
  if (!inline_it) {
    // A cold call that keeps the caller's registers (preserve_most), so that the common path does
    // not save registers for it.
    f->addFnAttr(llvm::Attribute::Cold);
    f->setCallingConv(llvm::CallingConv::PreserveMost);
  }
  f->addFnAttr(llvm::Attribute::NoUnwind);
  f->setDoesNotAccessMemory();
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(c_, "entry", f));
  // In 32 bits: every intermediate of a date in the calendar fits, and the vectorizer can divide
  // 32-bit lanes by a constant cheaply (64-bit lanes it would do one by one).
  llvm::Value* days = b.CreateTrunc(&*f->arg_begin(), i32_);
  llvm::Value* months = b.CreateTrunc(&*(f->arg_begin() + 1), i32_);
  auto k = [&](int64_t v) { return I32(static_cast<int32_t>(v)); };
  auto div = [&](llvm::Value* x, int64_t d) { return b.CreateSDiv(x, k(d)); };
  auto sel = [&](llvm::Value* c, llvm::Value* x, llvm::Value* y) { return b.CreateSelect(c, x, y); };
  // CivilFromDays
  llvm::Value* z = b.CreateAdd(days, k(719468));
  llvm::Value* era = div(sel(b.CreateICmpSGE(z, k(0)), z, b.CreateSub(z, k(146096))), 146097);
  llvm::Value* doe = b.CreateSub(z, b.CreateMul(era, k(146097)));
  llvm::Value* yoe = div(b.CreateAdd(b.CreateSub(doe, div(doe, 1460)), b.CreateSub(div(doe, 36524), div(doe, 146096))), 365);
  llvm::Value* y = b.CreateAdd(yoe, b.CreateMul(era, k(400)));
  llvm::Value* doy = b.CreateSub(doe, b.CreateSub(b.CreateAdd(b.CreateMul(yoe, k(365)), div(yoe, 4)), div(yoe, 100)));
  llvm::Value* mp = div(b.CreateAdd(b.CreateMul(doy, k(5)), k(2)), 153);
  llvm::Value* d = b.CreateAdd(b.CreateSub(doy, div(b.CreateAdd(b.CreateMul(mp, k(153)), k(2)), 5)), k(1));
  llvm::Value* m = sel(b.CreateICmpSLT(mp, k(10)), b.CreateAdd(mp, k(3)), b.CreateSub(mp, k(9)));
  y = b.CreateAdd(y, b.CreateZExt(b.CreateICmpSLE(m, k(2)), i32_));
  // AddMonths
  llvm::Value* total = b.CreateAdd(b.CreateAdd(b.CreateMul(y, k(12)), b.CreateSub(m, k(1))), months);
  llvm::Value* y2 = div(sel(b.CreateICmpSGE(total, k(0)), total, b.CreateSub(total, k(11))), 12);
  llvm::Value* m2 = b.CreateAdd(b.CreateSub(total, b.CreateMul(y2, k(12))), k(1));
  llvm::Value* leap = b.CreateOr(
      b.CreateAnd(b.CreateICmpEQ(b.CreateSRem(y2, k(4)), k(0)), b.CreateICmpNE(b.CreateSRem(y2, k(100)), k(0))),
      b.CreateICmpEQ(b.CreateSRem(y2, k(400)), k(0)));
  // Days in month m: 28 + two bits of 0x3bbeecc (31, 28, 31, 30, ...), 29 in a leap February.
  llvm::Value* dim = b.CreateAdd(k(28), b.CreateAnd(b.CreateLShr(k(0x3bbeecc), b.CreateAnd(b.CreateMul(m2, k(2)), k(31))), k(3)));
  dim = sel(b.CreateAnd(b.CreateICmpEQ(m2, k(2)), leap), k(29), dim);
  llvm::Value* d2 = sel(b.CreateICmpSGT(d, dim), dim, d);
  // DaysFromCivil
  llvm::Value* yy = b.CreateSub(y2, b.CreateZExt(b.CreateICmpSLE(m2, k(2)), i32_));
  llvm::Value* era2 = div(sel(b.CreateICmpSGE(yy, k(0)), yy, b.CreateSub(yy, k(399))), 400);
  llvm::Value* yoe2 = b.CreateSub(yy, b.CreateMul(era2, k(400)));
  llvm::Value* mm = b.CreateAdd(m2, sel(b.CreateICmpSGT(m2, k(2)), k(-3), k(9)));
  llvm::Value* doy2 = b.CreateSub(b.CreateAdd(div(b.CreateAdd(b.CreateMul(mm, k(153)), k(2)), 5), d2), k(1));
  llvm::Value* doe2 = b.CreateAdd(b.CreateSub(b.CreateAdd(b.CreateMul(yoe2, k(365)), div(yoe2, 4)), div(yoe2, 100)), doy2);
  b.CreateRet(b.CreateSExt(b.CreateSub(b.CreateAdd(b.CreateMul(era2, k(146097)), doe2), k(719468)), i64_));
  return f;
}

llvm::Function* Generator::EmitRow(llvm::GlobalValue::LinkageTypes linkage) {
  llvm::FunctionType* ty = llvm::FunctionType::get(i32_, {ptr_, ptr_, ptr_, i64_, ptr_}, false);
  llvm::Function* f = llvm::Function::Create(ty, linkage, kRowEntry, m_.get());
  f->addFnAttr(Large() ? llvm::Attribute::NoInline : llvm::Attribute::AlwaysInline);  // into the batch loop
  f->addFnAttr(llvm::Attribute::NoUnwind);
  // The host passes distinct buffers: facts and params are only read, out only written.
  for (unsigned k : {0u, 1u, 2u, 4u}) f->addParamAttr(k, llvm::Attribute::NoAlias);
  Begin(f);
  llvm::Value* out = &*(f->arg_begin() + 4);
  // When no output points into the scratch, the scratch can live in this frame, where the
  // optimiser keeps memo flags and values in registers.
  bool flat_outputs = std::all_of(p_.outputs.begin(), p_.outputs.end(),
                                  [&](const ir::Output& o) { return IsFlat(o.type, types_); });
  llvm::AllocaInst* scratch = nullptr;
  if (flat_outputs) ctx_ = scratch = b_.CreateAlloca(i64_, I64(1), "scratch");  // sized below
  locals_.assign(std::max(p_.max_locals, 1), CG{});
  for (int flag : let_flag_) b_.CreateStore(I64(0), CtxSlot(flag));
  for (int flag : out_flag_) b_.CreateStore(I64(0), CtxSlot(flag));
  if (p_.law) {  // facts only: no param, let or output; a law date not known is no decision
    CG law = Emit(*p_.law);
    FailIf(b_.CreateNot(IsKnown(law.m)));
    b_.CreateStore(law.a, CtxSlot(law_slot_));
  }
  EmitSharedExprs();
  if (p_.law) b_.CreateStore(b_.CreateLoad(i64_, CtxSlot(law_slot_)), Slot(out, layout_.law_offset));
  // Outputs in declaration order, as the interpreter (those of a `for each` for each element).
  for (size_t o = 0; o < p_.outputs.size(); ++o) {
    if (p_.outputs[o].scope >= 0) continue;
    const Type* t = p_.outputs[o].type;
    CG v = Memo(out_fn_[o], out_flag_[o], out_value_[o], t);
    Store(t, v, Slot(out, layout_.output_offset[o]));
    if (track_) StoreMask(v.m, Slot(out, layout_.output_offset[o] + Slots(t, types_)));
  }
  EmitObligations(out);
  EmitScopes(out);
  b_.CreateRet(Status());
  if (scratch) scratch->setOperand(0, I64(std::max(ctx_slots_, 1)));  // every region is known now
  StartBudget(f, scratch);
  if (uses_arena_) {  // collections made by the previous row are no longer read
    llvm::IRBuilder<> at(&f->getEntryBlock(), f->getEntryBlock().getFirstInsertionPt());
    at.CreateCall(arena_reset_);
  }
  return f;
}

}  // namespace proviso::codegen::internal
