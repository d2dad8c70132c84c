// Unknown facts in generated code: masks of the facts not given (CG::m), in registers and in
// memory, Kleene's `and`/`or`, and the deep masks of whole values. The rules are the interpreter's
// (compiler/interp/evaluator.h); these are their pieces in LLVM IR. In code that does not follow
// unknown facts (track_ false) every mask is null and nothing here emits an instruction.
#include "compiler/codegen/generator.h"

#include <vector>

#include <llvm/IR/Constants.h>

namespace proviso::codegen::internal {

llvm::Value* Generator::NoMask() { return llvm::ConstantInt::get(mask_ty_, 0); }

llvm::Value* Generator::MaskOr(llvm::Value* a, llvm::Value* b) {
  if (!a) return b;
  if (!b) return a;
  return b_.CreateOr(a, b);
}

llvm::Value* Generator::IsKnown(llvm::Value* m) { return m ? b_.CreateICmpEQ(m, NoMask()) : True(); }

llvm::Value* Generator::AllKnown(std::initializer_list<const CG*> values) {
  llvm::Value* m = nullptr;
  for (const CG* v : values) m = MaskOr(m, v->m);
  return m ? IsKnown(m) : nullptr;
}

llvm::Value* Generator::FactMask(llvm::Value* fact_slot) {
  llvm::Value* given = b_.CreateICmpEQ(fact_slot, I64(0));
  llvm::Value* id = b_.CreateZExtOrTrunc(b_.CreateSub(fact_slot, I64(1)), mask_ty_);
  llvm::Value* bit = b_.CreateShl(llvm::ConstantInt::get(mask_ty_, 1), b_.CreateSelect(given, NoMask(), id));
  return b_.CreateSelect(given, NoMask(), bit);
}

llvm::Value* Generator::LoadMask(llvm::Value* p) {
  llvm::Value* m = NoMask();
  for (int w = 0; w < layout_.mask_words; ++w) {
    llvm::Value* word = b_.CreateZExt(b_.CreateLoad(i64_, Slot(p, w)), mask_ty_);
    m = b_.CreateOr(m, w == 0 ? word : b_.CreateShl(word, 64 * w));
  }
  return m;
}

void Generator::StoreMask(llvm::Value* m, llvm::Value* p) {
  for (int w = 0; w < layout_.mask_words; ++w) {
    llvm::Value* word = m ? b_.CreateTrunc(w == 0 ? m : b_.CreateLShr(m, 64 * w), i64_) : I64(0);
    b_.CreateStore(word, Slot(p, w));
  }
}

llvm::Value* Generator::KnownTrue(const CG& v) { return b_.CreateAnd(IsKnown(v.m), Bool(v.a)); }
llvm::Value* Generator::KnownFalse(const CG& v) { return b_.CreateAnd(IsKnown(v.m), b_.CreateNot(Bool(v.a))); }

// false and anything is false; otherwise unknown if either is, with the facts of both.
CG Generator::KleeneAnd(const CG& l, const CG& r) {
  CG v;
  v.a = ToI64(b_.CreateAnd(Bool(l.a), Bool(r.a)));
  if (!l.m && !r.m) return v;
  llvm::Value* decided = b_.CreateOr(KnownFalse(l), KnownFalse(r));
  v.a = b_.CreateSelect(decided, I64(0), v.a);
  v.m = b_.CreateSelect(decided, NoMask(), MaskOr(MaskOf(l), MaskOf(r)));
  return v;
}

CG Generator::KleeneOr(const CG& l, const CG& r) {
  CG v;
  v.a = ToI64(b_.CreateOr(Bool(l.a), Bool(r.a)));
  if (!l.m && !r.m) return v;
  llvm::Value* decided = b_.CreateOr(KnownTrue(l), KnownTrue(r));
  v.a = b_.CreateSelect(decided, I64(1), v.a);
  v.m = b_.CreateSelect(decided, NoMask(), MaskOr(MaskOf(l), MaskOf(r)));
  return v;
}

// The interpreter's DeepMissingOf: the value's own mask, and, for a record, list or set that holds
// records of facts, the fact slots of every field in it.
llvm::Value* Generator::DeepMask(const Type* t, const CG& v) {
  if (!track_) return nullptr;
  if (v.m) {  // an unknown value is its own facts only, as the interpreter's Value::Unknown
    CG known = v;
    known.m = nullptr;
    llvm::Value* parts = DeepMask(t, known);
    return b_.CreateSelect(IsKnown(v.m), parts, v.m);
  }
  const Type* vt = t->kind == TypeKind::kOptional ? t->elem : t;
  llvm::Value* m = MaskOf(v);
  if (vt->kind == TypeKind::kRecord) {
    const RecordInfo& r = types_.record_info(vt->index);
    // An absent optional's payload is zeros: its fact slots add nothing.
    for (size_t f = 0; f < r.fields.size(); ++f) {
      int off = FieldOffset(vt->index, static_cast<int>(f), types_);
      llvm::Value* fact = FactMask(b_.CreateLoad(i64_, Slot(v.a, FactSlotOffset(vt->index, static_cast<int>(f), types_))));
      const Type* ft = r.fields[f].type;
      const Type* fv = ft->kind == TypeKind::kOptional ? ft->elem : ft;
      llvm::Value* inner = nullptr;
      if (fv->kind == TypeKind::kRecord || fv->kind == TypeKind::kList) inner = DeepMask(ft, Load(ft, Slot(v.a, off)));
      m = MaskOr(b_.CreateOr(m, fact), inner);
    }
    return m;
  }
  if (vt->kind == TypeKind::kList && (vt->elem->kind == TypeKind::kRecord || vt->elem->kind == TypeKind::kList ||
                                      (vt->elem->kind == TypeKind::kOptional && vt->elem->elem->kind == TypeKind::kRecord))) {
    llvm::AllocaInst* acc = Local(mask_ty_, 1, "deep");
    b_.CreateStore(m, acc);
    CG walked = v;
    walked.m = nullptr;
    ForEach(vt, walked, [&](const CG& x, llvm::BasicBlock*) {
      b_.CreateStore(b_.CreateOr(b_.CreateLoad(mask_ty_, acc), DeepMask(vt->elem, x)), acc);
    });
    return b_.CreateLoad(mask_ty_, acc);
  }
  return m;
}

}  // namespace proviso::codegen::internal
