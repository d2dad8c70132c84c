// The batch entry (`proviso_batch`): a loop over columns around the row entry, written for the
// loop vectorizer.
#include "compiler/codegen/generator.h"

#include <vector>

#include <fmt/format.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/MDBuilder.h>

namespace proviso::codegen::internal {

void Generator::EmitBatch(llvm::Function* row, const std::vector<BatchLeaf>& leaves, const std::vector<BatchOutput>& outputs) {
  std::vector<llvm::Type*> arg_types = {ptr_, ptr_, ptr_, ptr_, ptr_, i64_, ptr_, ptr_, i64_, ptr_};
  if (track_) arg_types.insert(arg_types.end(), {ptr_, ptr_});  // known, out_missing
  llvm::FunctionType* ty = llvm::FunctionType::get(i32_, arg_types, false);
  llvm::Function* f = llvm::Function::Create(ty, llvm::Function::ExternalLinkage, kBatchEntry, m_.get());
  f->addFnAttr(llvm::Attribute::NoUnwind);
  for (unsigned k : {1u, 2u, 3u, 4u, 6u, 7u}) {
    f->addParamAttr(k, llvm::Attribute::NoAlias);
    f->addParamAttr(k, llvm::Attribute::ReadOnly);
  }
  fn_ = f;
  auto arg = [&](int k) { return &*(f->arg_begin() + k); };
  llvm::Value* columns = arg(1);
  llvm::Value* present = arg(2);
  llvm::Value* maps = arg(3);
  llvm::Value* params = arg(4);
  llvm::Value* as_of = arg(5);
  llvm::Value* out_columns = arg(6);
  llvm::Value* out_present = arg(7);
  llvm::Value* rows = arg(8);
  llvm::Value* first_error = arg(9);
  llvm::Value* known = track_ ? arg(10) : nullptr;
  llvm::Value* out_missing = track_ ? arg(11) : nullptr;
  entry_ = llvm::BasicBlock::Create(c_, "entry", f);
  b_.SetInsertPoint(entry_);
  // The scratch lives in this frame so that the optimiser can keep it in registers.
  llvm::AllocaInst* ctx = b_.CreateAlloca(i64_, I64(std::max(ctx_slots_, 1)), "ctx");
  llvm::AllocaInst* facts = b_.CreateAlloca(i64_, I64(std::max(layout_.facts_slots, 1)), "facts");
  llvm::AllocaInst* out = b_.CreateAlloca(i64_, I64(std::max(layout_.out_slots, 1)), "out");
  if (track_) {
    // Fact slots no column writes (those of record fields) say "given"; the columns' own are
    // written for each row.
    for (int k = 0; k < std::max(layout_.facts_slots, 1); ++k) b_.CreateStore(I64(0), Slot(facts, k));
  }
  // Column pointers are loop invariant: load them once.
  auto load_ptr = [&](llvm::Value* table, size_t k) {
    return b_.CreateLoad(ptr_, b_.CreateConstGEP1_64(ptr_, table, k));
  };
  std::vector<llvm::Value*> in_col, in_pres, in_map, in_known, out_col, out_pres, out_miss;
  for (size_t k = 0; k < leaves.size(); ++k) {
    in_col.push_back(load_ptr(columns, k));
    in_pres.push_back(leaves[k].optional || leaves[k].has_default ? load_ptr(present, k) : nullptr);
    in_map.push_back(leaves[k].text ? load_ptr(maps, k) : nullptr);
    in_known.push_back(known ? load_ptr(known, k) : nullptr);
  }
  for (size_t k = 0; k < outputs.size(); ++k) {
    out_col.push_back(load_ptr(out_columns, k));
    out_pres.push_back(outputs[k].optional ? load_ptr(out_present, k) : nullptr);
    out_miss.push_back(out_missing && outputs[k].mask_slot >= 0 ? load_ptr(out_missing, k) : nullptr);
  }
  // The host's contract: input columns, params and output columns are distinct buffers. Saying so
  // lets the loop vectorizer go without run-time overlap checks (it cannot bound a text map's
  // reads, so it would not vectorize at all). Each output store is in a scope of its own and
  // excludes the others and the read scope, which MarkBatchReads gives every load once the row
  // is inlined (inlining clones the callee's scopes, so it cannot be done here).
  llvm::MDBuilder md(c_);
  llvm::MDNode* domain = md.createAnonymousAliasScopeDomain("proviso.batch");
  llvm::MDNode* reads = md.createAnonymousAliasScope(domain, "reads");
  m_->getOrInsertNamedMetadata(kBatchReadScope)->addOperand(reads);
  // The lists are quadratic in the number of outputs: past a few dozen columns (where the loop
  // is too large to vectorize anyway) the stores go unmarked, which is always correct.
  bool scoped = outputs.size() <= 32;
  std::vector<llvm::Metadata*> writes;
  for (size_t k = 0; scoped && k < 2 * outputs.size(); ++k) {
    writes.push_back(md.createAnonymousAliasScope(domain, fmt::format("out{}", k)));
  }
  auto mark_write = [&](llvm::Instruction* store, size_t k) {
    if (!scoped) return;
    std::vector<llvm::Metadata*> others{reads};
    for (size_t j = 0; j < writes.size(); ++j) if (j != k) others.push_back(writes[j]);
    store->setMetadata(llvm::LLVMContext::MD_alias_scope, llvm::MDNode::get(c_, {writes[k]}));
    store->setMetadata(llvm::LLVMContext::MD_noalias, llvm::MDNode::get(c_, others));
  };
  // A flag column's cell at row `i` (1 when the column pointer is null), as an i64 0/1.
  auto flag_at = [&](llvm::Value* column, llvm::Value* i, const char* name) {
    llvm::Value* has_column = b_.CreateICmpNE(column, llvm::ConstantPointerNull::get(ptr_));
    llvm::BasicBlock* read = llvm::BasicBlock::Create(c_, name, f);
    llvm::BasicBlock* joined = llvm::BasicBlock::Create(c_, "flag.done", f);
    llvm::BasicBlock* from = b_.GetInsertBlock();
    b_.CreateCondBr(has_column, read, joined);
    b_.SetInsertPoint(read);
    llvm::Value* flag = b_.CreateLoad(i8_, b_.CreateGEP(i8_, column, i));
    llvm::Value* bit = b_.CreateZExt(b_.CreateICmpNE(flag, llvm::ConstantInt::get(i8_, 0)), i64_);
    b_.CreateBr(joined);
    b_.SetInsertPoint(joined);
    llvm::PHINode* phi = b_.CreatePHI(i64_, 2);
    phi->addIncoming(I64(1), from);
    phi->addIncoming(bit, read);
    return phi;
  };
  // Lays out row `i` in `facts` as the row entry expects it.
  auto load_row = [&](llvm::Value* i) {
    for (size_t k = 0; k < leaves.size(); ++k) {
      const BatchLeaf& l = leaves[k];
      llvm::Type* elem = l.width == 1 ? i8_ : l.width == 4 ? i32_ : i64_;
      llvm::Value* v = b_.CreateLoad(elem, b_.CreateGEP(elem, in_col[k], i));
      if (l.width != 8) v = b_.CreateZExt(v, i64_);  // codes are checked non-negative before the call
      int slot = l.slot;
      llvm::Value* given = nullptr;  // following unknown facts: i1, the cell is known
      if (in_known[k]) {
        given = b_.CreateICmpNE(flag_at(in_known[k], i, "known"), I64(0));
        v = b_.CreateSelect(given, v, I64(0));  // a cell not known may hold anything: 0 reads a text map in bounds
        b_.CreateStore(b_.CreateSelect(given, I64(0), I64(l.fact)), Slot(facts, l.fact_slot));
      }
      llvm::Value* has = nullptr;  // i64 0/1: the row has a value
      if (l.optional || l.has_default) {
        // A null presence column means every row has the value.
        llvm::Value* has_mask = b_.CreateICmpNE(in_pres[k], llvm::ConstantPointerNull::get(ptr_));
        llvm::BasicBlock* masked = llvm::BasicBlock::Create(c_, "mask", f);
        llvm::BasicBlock* joined = llvm::BasicBlock::Create(c_, "mask.done", f);
        llvm::BasicBlock* from = b_.GetInsertBlock();
        b_.CreateCondBr(has_mask, masked, joined);
        b_.SetInsertPoint(masked);
        llvm::Value* flag = b_.CreateLoad(i8_, b_.CreateGEP(i8_, in_pres[k], i));
        llvm::Value* bit = b_.CreateZExt(b_.CreateICmpNE(flag, llvm::ConstantInt::get(i8_, 0)), i64_);
        b_.CreateBr(joined);
        b_.SetInsertPoint(joined);
        llvm::PHINode* phi = b_.CreatePHI(i64_, 2);
        phi->addIncoming(I64(1), from);
        phi->addIncoming(bit, masked);
        has = phi;
        if (given) has = b_.CreateSelect(given, has, I64(0));
        // An absent value's code may be anything: use 0 so that a text map is read in bounds.
        v = b_.CreateSelect(b_.CreateICmpNE(has, I64(0)), v, I64(0));
      }
      if (l.text) v = b_.CreateLoad(i64_, b_.CreateGEP(i64_, in_map[k], v));
      llvm::Value* months = I64(0);
      if (l.has_default) {  // the default stands in for an absent value
        llvm::Value* present_row = b_.CreateICmpNE(has, I64(0));
        v = b_.CreateSelect(present_row, v, I64(l.default_slots[0]));
        months = b_.CreateSelect(present_row, I64(0), I64(l.default_slots[1]));
        has = I64(1);  // an optional field with a (non-none) default then has a value
      }
      if (l.optional) {
        b_.CreateStore(has, Slot(facts, slot));
        slot += 1;
      }
      b_.CreateStore(v, Slot(facts, slot));
      if (l.duration) b_.CreateStore(months, Slot(facts, slot + 1));
    }
  };
  llvm::BasicBlock* done = llvm::BasicBlock::Create(c_, "rows.done", f);
  llvm::BasicBlock* ok = llvm::BasicBlock::Create(c_, "ok", f);
  llvm::BasicBlock* scan = llvm::BasicBlock::Create(c_, "scan", f);
  llvm::BasicBlock* scan_next = llvm::BasicBlock::Create(c_, "scan.next", f);
  llvm::BasicBlock* found = llvm::BasicBlock::Create(c_, "scan.found", f);
  llvm::BasicBlock* start = llvm::BasicBlock::Create(c_, "rows.start", f);
  b_.CreateCondBr(b_.CreateICmpSGT(rows, I64(0)), start, ok);
  b_.SetInsertPoint(done);
  llvm::PHINode* any_failed = b_.CreatePHI(i1_, 2, "any_failed");

  // Every row, with no early exit: a failing row only sets a flag, an or-reduction the
  // vectorizer understands.
  auto emit_loop = [&](const char* name) {
    llvm::BasicBlock* from = b_.GetInsertBlock();
    llvm::BasicBlock* body = llvm::BasicBlock::Create(c_, name, f);
    b_.CreateBr(body);
    b_.SetInsertPoint(body);
    llvm::PHINode* i = b_.CreatePHI(i64_, 2, "row");
    llvm::PHINode* failed = b_.CreatePHI(i1_, 2, "failed");
    i->addIncoming(I64(0), from);
    failed->addIncoming(False(), from);
    load_row(i);
    llvm::Value* st = b_.CreateCall(row, {ctx, facts, params, as_of, out});
    for (size_t k = 0; k < outputs.size(); ++k) {
      const BatchOutput& o = outputs[k];
      int slot = o.slot;
      if (o.optional) {
        llvm::Value* has = b_.CreateLoad(i64_, Slot(out, slot));
        llvm::BasicBlock* write = llvm::BasicBlock::Create(c_, "opres", f);
        llvm::BasicBlock* joined = llvm::BasicBlock::Create(c_, "opres.done", f);
        b_.CreateCondBr(b_.CreateICmpNE(out_pres[k], llvm::ConstantPointerNull::get(ptr_)), write, joined);
        b_.SetInsertPoint(write);
        mark_write(b_.CreateStore(b_.CreateTrunc(has, i8_), b_.CreateGEP(i8_, out_pres[k], i)), 2 * k + 1);
        b_.CreateBr(joined);
        b_.SetInsertPoint(joined);
        slot += 1;
      }
      llvm::Type* elem = o.width == 1 ? i8_ : o.width == 4 ? i32_ : i64_;
      llvm::Value* value = b_.CreateLoad(i64_, Slot(out, slot));
      if (track_ && o.clear_slot >= 0) {  // not a decision where it only may be
        value = b_.CreateSelect(b_.CreateICmpNE(b_.CreateLoad(i64_, Slot(out, o.clear_slot)), I64(0)), I64(0), value);
      }
      if (o.width != 8) value = b_.CreateTrunc(value, elem);
      mark_write(b_.CreateStore(value, b_.CreateGEP(elem, out_col[k], i)), 2 * k);
      if (out_miss[k]) {  // the missing facts, where the caller asks for them
        llvm::Value* counts = True();
        if (o.gate_slot >= 0) {
          llvm::Value* g = b_.CreateLoad(i64_, Slot(out, o.gate_slot));
          counts = o.gate_value >= 0 ? b_.CreateICmpEQ(g, I64(o.gate_value)) : b_.CreateICmpNE(g, I64(0));
        }
        llvm::Value* write = b_.CreateICmpNE(out_miss[k], llvm::ConstantPointerNull::get(ptr_));
        llvm::BasicBlock* put = llvm::BasicBlock::Create(c_, "missing", f);
        llvm::BasicBlock* joined = llvm::BasicBlock::Create(c_, "missing.done", f);
        b_.CreateCondBr(write, put, joined);
        b_.SetInsertPoint(put);
        for (int w = 0; w < layout_.mask_words; ++w) {
          llvm::Value* word = b_.CreateSelect(counts, b_.CreateLoad(i64_, Slot(out, o.mask_slot + w)), I64(0));
          llvm::Value* at = b_.CreateAdd(b_.CreateMul(i, I64(layout_.mask_words)), I64(w));
          b_.CreateStore(word, b_.CreateGEP(i64_, out_miss[k], at));
        }
        b_.CreateBr(joined);
        b_.SetInsertPoint(joined);
      }
    }
    llvm::Value* failed_now = b_.CreateOr(failed, b_.CreateICmpNE(st, I32(0)));
    llvm::Value* next = b_.CreateAdd(i, I64(1));
    i->addIncoming(next, b_.GetInsertBlock());
    failed->addIncoming(failed_now, b_.GetInsertBlock());
    any_failed->addIncoming(failed_now, b_.GetInsertBlock());
    b_.CreateCondBr(b_.CreateICmpSLT(next, rows), body, done);
  };
  b_.SetInsertPoint(start);
  // Durations in params are usually whole days. When every one is, a second copy of the loop
  // runs in which the optimiser knows it (from the branch) and drops the calendar arithmetic of
  // adding months, which the vectorizer would otherwise compute on every row.
  llvm::Value* whole_days = nullptr;
  for (size_t k = 0; k < p_.params.size(); ++k) {
    const Type* t = p_.params[k].type;
    bool optional = t->kind == TypeKind::kOptional;
    if (optional) t = t->elem;
    if (t->kind != TypeKind::kDuration) continue;
    int months = layout_.param_offset[k] + 1 + (optional ? 1 : 0) + 1;
    llvm::Value* zero = b_.CreateICmpEQ(b_.CreateLoad(i64_, Slot(params, months)), I64(0));
    whole_days = whole_days ? b_.CreateAnd(whole_days, zero) : zero;
  }
  if (whole_days && adds_months_) {
    llvm::BasicBlock* days_only = llvm::BasicBlock::Create(c_, "rows.days", f);
    llvm::BasicBlock* general = llvm::BasicBlock::Create(c_, "rows.general", f);
    b_.CreateCondBr(whole_days, days_only, general);
    b_.SetInsertPoint(days_only);
    emit_loop("rows.whole_days");
    b_.SetInsertPoint(general);
  }
  emit_loop("rows");

  b_.SetInsertPoint(done);
  b_.CreateCondBr(any_failed, scan, ok);
  b_.SetInsertPoint(ok);
  b_.CreateStore(I64(-1), first_error);
  b_.CreateRet(I32(0));

  // Some row failed (rare): find the first one again, calling the row entry out of line so that
  // the fast loop above stays the only inlined copy.
  b_.SetInsertPoint(scan);
  llvm::PHINode* j = b_.CreatePHI(i64_, 2, "scan.row");
  j->addIncoming(I64(0), done);
  load_row(j);
  llvm::CallInst* again = b_.CreateCall(row, {ctx, facts, params, as_of, out});
  again->addFnAttr(llvm::Attribute::NoInline);
  llvm::Value* next_j = b_.CreateAdd(j, I64(1));
  j->addIncoming(next_j, scan_next);
  llvm::BasicBlock* tried = b_.GetInsertBlock();
  b_.CreateCondBr(b_.CreateICmpNE(again, I32(0)), found, scan_next);
  b_.SetInsertPoint(scan_next);
  b_.CreateCondBr(b_.CreateICmpSLT(next_j, rows), scan, found);
  b_.SetInsertPoint(found);
  llvm::PHINode* at = b_.CreatePHI(i64_, 2);
  at->addIncoming(j, tried);
  at->addIncoming(I64(0), scan_next);  // not found again: cannot happen (rows are independent)
  b_.CreateStore(at, first_error);
  b_.CreateRet(I32(1));
}

}  // namespace proviso::codegen::internal
