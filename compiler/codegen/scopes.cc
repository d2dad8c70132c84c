// `for each`: what is decided for each element of a collection of the facts, under the law of the
// element's date. The row writes each element's key, law day, outputs and obligations into the
// items the host provides (Layout::items), in the collection's order, as the interpreter reports
// them.
#include "compiler/codegen/generator.h"

#include <vector>

namespace proviso::codegen::internal {

// The day whose law decides: the element's (in a `for each`), else the policy's `law as of`, else
// the evaluation date.
llvm::Value* Generator::LawDay() {
  if (scope_ >= 0) return b_.CreateLoad(i64_, CtxSlot(item_law_slot_[scope_]));
  return p_.law ? b_.CreateLoad(i64_, CtxSlot(law_slot_)) : Today();
}

void Generator::EmitScopes(llvm::Value* out) {
  for (size_t s = 0; s < p_.scopes.size(); ++s) {
    const ir::Scope& sc = p_.scopes[s];
    const Layout::ItemLayout& il = layout_.items[s];
    int off = layout_.scope_offset[s];
    CG coll = Emit(*sc.collection);  // in the policy's context, as every name the collection reads
    // Which elements there are not known, a key or a law date not known: no decision (the
    // interpreter's message). An element's other fields may be unknown.
    FailIf(b_.CreateNot(IsKnown(coll.m)));
    coll.m = nullptr;
    llvm::Value* count = IsBitset(sc.collection->type, types_)
                             ? b_.CreateUnaryIntrinsic(llvm::Intrinsic::ctpop, coll.a)
                             : coll.b;
    b_.CreateStore(count, Slot(out, off + 1));
    llvm::Value* items = b_.CreateIntToPtr(b_.CreateLoad(i64_, Slot(out, off)), ptr_);
    llvm::AllocaInst* index = Local(i64_, 1, "item.index");
    b_.CreateStore(I64(0), index);
    ForEach(sc.collection->type, coll, [&](const CG& element, llvm::BasicBlock*) {
      llvm::Value* i = b_.CreateLoad(i64_, index);
      llvm::Value* item = SlotDyn(items, b_.CreateMul(i, I64(il.stride)));
      Store(sc.element, element, CtxSlot(item_region_[s]));
      llvm::Value* law = LawDay();  // the policy's, unless the element has its own
      scope_ = static_cast<int>(s);
      b_.CreateStore(law, CtxSlot(item_law_slot_[s]));
      if (sc.law) {
        CG law = Emit(*sc.law);
        FailIf(b_.CreateNot(IsKnown(law.m)));
        b_.CreateStore(law.a, CtxSlot(item_law_slot_[s]));
      }
      // A fresh memo for the element's lets and outputs.
      for (size_t l = 0; l < p_.lets.size(); ++l) {
        if (p_.lets[l].scope == static_cast<int>(s)) b_.CreateStore(I64(0), CtxSlot(let_flag_[l]));
      }
      for (int o : sc.outputs) b_.CreateStore(I64(0), CtxSlot(out_flag_[o]));
      CG key;
      if (sc.key) key = Emit(*sc.key);
      else key.a = i;
      FailIf(b_.CreateNot(IsKnown(DeepMask(sc.key_type, key))));
      Store(sc.key_type, key, Slot(item, il.key));
      b_.CreateStore(b_.CreateLoad(i64_, CtxSlot(item_law_slot_[s])), Slot(item, il.law));
      for (size_t k = 0; k < sc.outputs.size(); ++k) {
        int o = sc.outputs[k];
        const Type* t = p_.outputs[o].type;
        // A list (or a record holding one) built for this element lives in a region the next
        // element reuses: the item keeps a copy.
        CG v = Memo(out_fn_[o], out_flag_[o], out_value_[o], t);
        if (!IsFlat(t, types_)) {
          llvm::Value* m = v.m;
          v = WhereKnown(m ? IsKnown(m) : nullptr, [&] {
            CG known = v;
            known.m = nullptr;
            return Persist(t, known);
          });
          v.m = m;
        }
        Store(t, v, Slot(item, il.outputs[k]));
        if (track_) StoreMask(v.m, Slot(item, il.outputs[k] + Slots(t, types_)));
      }
      EmitObligationGroup(sc.obligations, item, il.obligations);
      scope_ = -1;
      b_.CreateStore(b_.CreateAdd(i, I64(1)), index);
    });
  }
}

// `late of t`: output or let `e.index` of a `for each`, decided for the element t under t's own
// law date, in a scratch of its own: a copy of the current one (in this function's frame, one per
// `of`: it cannot be re-entered, as the checker refuses a name that depends on itself this way),
// with the element's memos cleared, so that nothing the row is deciding meanwhile is disturbed.
// Only values that are not records, lists or sets: nothing read later points into the copy.
CG Generator::ItemOf(const Expr& e) {
  bool output = e.op == Op::kItemOutput;
  int s = output ? p_.outputs[e.index].scope : p_.lets[e.index].scope;
  const ir::Scope& sc = p_.scopes[s];
  CG x = Emit(*e.args[0]);
  llvm::Value* x_mask = x.m;
  x.m = nullptr;
  CG v = WhereKnown(x_mask ? IsKnown(x_mask) : nullptr, [&] {
    if (!ctx_slots_global_) {
      ctx_slots_global_ = new llvm::GlobalVariable(*m_, i64_, false, llvm::GlobalValue::PrivateLinkage, I64(0),
                                                   "ctx.slots");
    }
    llvm::Value* slots = b_.CreateLoad(i64_, ctx_slots_global_);
    llvm::AllocaInst* fresh = Local(i64_, 1, "item.ctx");  // sized once the scratch is known
    ctx_copies_.push_back(fresh);
    b_.CreateMemCpy(fresh, llvm::MaybeAlign(8), ctx_, llvm::MaybeAlign(8), b_.CreateMul(slots, I64(8)));
    llvm::Value* saved_ctx = ctx_;
    int saved_scope = scope_;
    ctx_ = fresh;
    scope_ = -1;
    llvm::Value* law = LawDay();  // the policy's, unless the element has its own
    Store(sc.element, x, CtxSlot(item_region_[s]));
    scope_ = s;
    b_.CreateStore(law, CtxSlot(item_law_slot_[s]));
    if (sc.law) {
      CG day = Emit(*sc.law);
      FailIf(b_.CreateNot(IsKnown(day.m)));
      b_.CreateStore(day.a, CtxSlot(item_law_slot_[s]));
    }
    for (size_t l = 0; l < p_.lets.size(); ++l) {
      if (p_.lets[l].scope == s) b_.CreateStore(I64(0), CtxSlot(let_flag_[l]));
    }
    for (int o : sc.outputs) b_.CreateStore(I64(0), CtxSlot(out_flag_[o]));
    CG r = output ? Memo(out_fn_[e.index], out_flag_[e.index], out_value_[e.index], p_.outputs[e.index].type)
                  : Memo(let_fn_[e.index], let_flag_[e.index], let_value_[e.index], p_.lets[e.index].type);
    ctx_ = saved_ctx;
    scope_ = saved_scope;
    return r;
  });
  if (x_mask) v.m = b_.CreateSelect(IsKnown(x_mask), MaskOf(v), x_mask);
  return v;
}

}  // namespace proviso::codegen::internal
