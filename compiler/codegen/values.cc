// Plumbing every construct uses (scratch regions, the function being emitted, failure under
// the path predicate, selects, locals, slots), values to and from slots, and constants.
#include "compiler/codegen/generator.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/GlobalVariable.h>

namespace proviso::codegen::internal {

// ---------------------------------------------------------------- plumbing

int Generator::Alloc(int slots) {
  int at = ctx_slots_;
  ctx_slots_ += std::max(slots, 1);
  return at;
}

llvm::Constant* Generator::I64(int64_t v) { return llvm::ConstantInt::get(i64_, v, true); }
llvm::Constant* Generator::I32(int32_t v) { return llvm::ConstantInt::get(i32_, v, true); }
llvm::Constant* Generator::True() { return llvm::ConstantInt::getTrue(c_); }
llvm::Constant* Generator::False() { return llvm::ConstantInt::getFalse(c_); }

llvm::BasicBlock* Generator::Block(const char* name) { return llvm::BasicBlock::Create(c_, name, fn_); }

// Starts a function of the memo signature (ctx, facts, params, as_of) -> i32.
void Generator::Begin(llvm::Function* f) {
  fn_ = f;
  auto it = f->arg_begin();
  ctx_ = &*it++;
  facts_ = &*it++;
  params_ = &*it++;
  now_ = &*it++;
  entry_ = llvm::BasicBlock::Create(c_, "entry", f);
  b_.SetInsertPoint(entry_);
  pred_ = nullptr;
  err_ = b_.CreateAlloca(i1_, nullptr, "failed");
  b_.CreateStore(False(), err_);
}

// Failure is data, not control flow: `cond` (i1) marks the evaluation as failed when the current
// path predicate holds. Code after a failure goes on with harmless values (safe divisors, zero
// payloads), which lets branches become selects without changing what fails.
void Generator::FailIf(llvm::Value* cond) {
  if (auto* k = llvm::dyn_cast<llvm::ConstantInt>(cond); k && k->isZero()) return;
  llvm::Value* c = pred_ ? b_.CreateAnd(pred_, cond) : cond;
  b_.CreateStore(b_.CreateOr(b_.CreateLoad(i1_, err_), c), err_);
}

void Generator::Fail() { FailIf(True()); }

llvm::Value* Generator::Status() { return b_.CreateZExt(b_.CreateLoad(i1_, err_), i32_); }

llvm::Value* Generator::And(llvm::Value* a, llvm::Value* b) {
  if (!a) return b;
  if (auto* k = llvm::dyn_cast<llvm::ConstantInt>(a)) return k->isOne() ? b : False();
  if (auto* k = llvm::dyn_cast<llvm::ConstantInt>(b)) return k->isOne() ? a : False();
  return b_.CreateAnd(a, b);
}

CG Generator::Select(const Type* t, llvm::Value* c, const CG& x, const CG& y) {
  CG out;
  if (x.a) out.a = b_.CreateSelect(c, x.a, y.a);
  if (x.b) out.b = b_.CreateSelect(c, x.b, y.b);
  if (x.present || y.present) {
    out.present = b_.CreateSelect(c, x.present ? x.present : True(), y.present ? y.present : True());
  }
  if (x.m || y.m) out.m = b_.CreateSelect(c, MaskOf(x), MaskOf(y));
  (void)t;
  return out;
}

// Stores `v` at `p` when `c` holds, else keeps what is there.
void Generator::StoreIf(const Type* t, llvm::Value* c, const CG& v, llvm::Value* p) {
  Store(t, Select(t, c, v, Load(t, p)), p);
}

// An i64 alloca in the entry block (promoted to registers by the optimiser).
llvm::AllocaInst* Generator::Local(llvm::Type* t, int count, const char* name) {
  llvm::IRBuilderBase::InsertPointGuard guard(b_);
  b_.SetInsertPoint(entry_, entry_->begin());
  return b_.CreateAlloca(t, I64(count), name);
}

llvm::Value* Generator::Slot(llvm::Value* base, int64_t k) { return k == 0 ? base : b_.CreateConstGEP1_64(i64_, base, k); }
llvm::Value* Generator::SlotDyn(llvm::Value* base, llvm::Value* k) { return b_.CreateGEP(i64_, base, k); }
llvm::Value* Generator::CtxSlot(int k) { return Slot(ctx_, k); }

llvm::Value* Generator::Bool(llvm::Value* i64v) { return b_.CreateICmpNE(i64v, I64(0)); }
llvm::Value* Generator::ToI64(llvm::Value* i1v) { return b_.CreateZExt(i1v, i64_); }

void Generator::Unsupport(const std::string& what, const Expr* e) {
  throw Unsupported{what, e ? e->span() : Span{}};
}

// ---------------------------------------------------------------- slots <-> values

CG Generator::Load(const Type* t, llvm::Value* p) {
  CG v;
  switch (t->kind) {
    case TypeKind::kDuration:
      v.a = b_.CreateLoad(i64_, p);
      v.b = b_.CreateLoad(i64_, Slot(p, 1));
      return v;
    case TypeKind::kOptional: {
      CG inner = Load(t->elem, Slot(p, 1));
      inner.present = Bool(b_.CreateLoad(i64_, p));
      return inner;
    }
    case TypeKind::kRecord:
      v.a = p;
      return v;
    case TypeKind::kSet:
      if (IsBitset(t, types_)) {
        v.a = b_.CreateLoad(i64_, p);
        return v;
      }
      [[fallthrough]];
    case TypeKind::kList:
      v.a = b_.CreateIntToPtr(b_.CreateLoad(i64_, p), ptr_);
      v.b = b_.CreateLoad(i64_, Slot(p, 1));
      return v;
    default:
      v.a = b_.CreateLoad(i64_, p);
      return v;
  }
}

void Generator::Store(const Type* t, const CG& v, llvm::Value* p) {
  switch (t->kind) {
    case TypeKind::kDuration:
      b_.CreateStore(v.a, p);
      b_.CreateStore(v.b, Slot(p, 1));
      return;
    case TypeKind::kOptional: {
      b_.CreateStore(ToI64(v.present ? v.present : True()), p);
      CG inner = v;
      inner.present = nullptr;
      Store(t->elem, inner, Slot(p, 1));
      return;
    }
    case TypeKind::kRecord: {  // a copy: each field and its fact slot
      const RecordInfo& r = types_.record_info(t->index);
      for (size_t f = 0; f < r.fields.size(); ++f) {
        int off = FieldOffset(t->index, static_cast<int>(f), types_);
        int fact = FactSlotOffset(t->index, static_cast<int>(f), types_);
        Store(r.fields[f].type, Load(r.fields[f].type, Slot(v.a, off)), Slot(p, off));
        b_.CreateStore(b_.CreateLoad(i64_, Slot(v.a, fact)), Slot(p, fact));
      }
      return;
    }
    case TypeKind::kSet:
      if (IsBitset(t, types_)) {
        b_.CreateStore(v.a, p);
        return;
      }
      [[fallthrough]];
    case TypeKind::kList:
      b_.CreateStore(b_.CreatePtrToInt(v.a, i64_), p);
      b_.CreateStore(v.b, Slot(p, 1));
      return;
    default:
      b_.CreateStore(v.a, p);
      return;
  }
}

// A zero value of type t (the payload of an absent optional).
CG Generator::Zero(const Type* t) {
  CG v;
  switch (t->kind) {
    case TypeKind::kDuration: v.a = I64(0); v.b = I64(0); return v;
    case TypeKind::kOptional: v = Zero(t->elem); v.present = False(); return v;
    case TypeKind::kRecord: {
      int n = Slots(t, types_);
      llvm::AllocaInst* a = Local(i64_, n);
      for (int k = 0; k < n; ++k) b_.CreateStore(I64(0), Slot(a, k));
      v.a = a;
      return v;
    }
    case TypeKind::kSet:
      if (IsBitset(t, types_)) {
        v.a = I64(0);
        return v;
      }
      [[fallthrough]];
    case TypeKind::kList: v.a = llvm::ConstantPointerNull::get(ptr_); v.b = I64(0); return v;
    default: v.a = I64(0); return v;
  }
}

// Adapts a value of type `from` to type `to` (wrapping into an optional, typing `none`).
CG Generator::Coerce(CG v, const Type* from, const Type* to) {
  const Type* from_value = from->kind == TypeKind::kOptional ? from->elem : from;
  const Type* to_value = to->kind == TypeKind::kOptional ? to->elem : to;
  if (IsBitset(to_value, types_) && from_value->kind == TypeKind::kSet && !IsBitset(from_value, types_)) {
    llvm::Value* present = v.present;  // `{}` (a set of any: always empty) as a bitset
    v = Zero(to_value);
    v.present = present;
  }
  if (to->kind == TypeKind::kOptional) {
    if (from->kind == TypeKind::kOptional) {
      if (from->elem->kind == TypeKind::kAny && to->elem->kind != TypeKind::kAny) {
        CG z = Zero(to->elem);
        z.present = v.present;
        return z;
      }
      return v;
    }
    v.present = True();
    return v;
  }
  return v;
}

// Merges values arriving from several blocks into the current block.
CG Generator::Phi(const Type* t, const std::vector<std::pair<CG, llvm::BasicBlock*>>& in) {
  CG out;
  auto merge = [&](llvm::Value* CG::*field, llvm::Type* ty) -> llvm::Value* {
    if (!(in[0].first.*field)) return nullptr;
    llvm::PHINode* phi = b_.CreatePHI(ty, static_cast<unsigned>(in.size()));
    for (auto& [v, bb] : in) phi->addIncoming(v.*field, bb);
    return phi;
  };
  const Type* vt = t->kind == TypeKind::kOptional ? t->elem : t;
  llvm::Type* a_ty = vt->kind == TypeKind::kRecord || vt->kind == TypeKind::kList ||
                             (vt->kind == TypeKind::kSet && !IsBitset(vt, types_))
                         ? ptr_ : i64_;
  out.a = merge(&CG::a, a_ty);
  out.b = merge(&CG::b, i64_);
  out.present = merge(&CG::present, i1_);
  if (std::any_of(in.begin(), in.end(), [](const auto& x) { return x.first.m != nullptr; })) {
    llvm::PHINode* phi = b_.CreatePHI(mask_ty_, static_cast<unsigned>(in.size()));
    for (auto& [v, bb] : in) phi->addIncoming(v.m ? v.m : NoMask(), bb);
    out.m = phi;
  }
  return out;
}

// ---------------------------------------------------------------- constants

void Generator::FlattenConstant(const Value& v, const Type* t, std::vector<llvm::Constant*>& out) {
  switch (t->kind) {
    case TypeKind::kOptional:
      out.push_back(I64(v.is_none() ? 0 : 1));
      if (v.is_none()) {
        for (int k = 0; k < Slots(t->elem, types_); ++k) out.push_back(I64(0));
      } else {
        FlattenConstant(v, t->elem, out);
      }
      return;
    case TypeKind::kDuration:
      out.push_back(I64(v.i));
      out.push_back(I64(v.months));
      return;
    case TypeKind::kText: out.push_back(I64(layout_.text_ids.at(v.text))); return;
    case TypeKind::kRecord: {
      const RecordInfo& r = types_.record_info(t->index);
      for (size_t f = 0; f < r.fields.size(); ++f) {
        FlattenConstant(v.elems()[f], r.fields[f].type, out);
        out.push_back(I64(0));  // a constant's fields are known
      }
      return;
    }
    case TypeKind::kSet:
      if (IsBitset(t, types_)) {
        out.push_back(I64(BitsetOf(v)));
        return;
      }
      [[fallthrough]];
    case TypeKind::kList: {
      llvm::Constant* g = ConstantArray(v.elems(), t->elem);
      out.push_back(llvm::ConstantExpr::getPtrToInt(g, i64_));
      out.push_back(I64(static_cast<int64_t>(v.elems().size())));
      return;
    }
    case TypeKind::kAny: out.push_back(I64(0)); return;
    default: out.push_back(I64(v.i)); return;
  }
}

// A global holding the slots of `items` (one after another).
llvm::Constant* Generator::ConstantArray(const std::vector<Value>& items, const Type* elem) {
  std::vector<llvm::Constant*> slots;
  for (const Value& x : items) FlattenConstant(x, elem, slots);
  if (slots.empty()) slots.push_back(I64(0));
  auto* ty = llvm::ArrayType::get(i64_, slots.size());
  auto* g = new llvm::GlobalVariable(*m_, ty, true, llvm::GlobalValue::PrivateLinkage,
                                     llvm::ConstantArray::get(ty, slots), "const");
  g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  return g;
}

CG Generator::Constant(const Value& v, const Type* t) {
  CG out;
  switch (t->kind) {
    case TypeKind::kOptional:
      if (v.is_none()) return Zero(t);
      out = Constant(v, t->elem);
      out.present = True();
      return out;
    case TypeKind::kDuration: out.a = I64(v.i); out.b = I64(v.months); return out;
    case TypeKind::kText: out.a = I64(layout_.text_ids.at(v.text)); return out;
    case TypeKind::kRecord: {
      std::vector<llvm::Constant*> slots;
      FlattenConstant(v, t, slots);
      auto* ty = llvm::ArrayType::get(i64_, slots.size());
      out.a = new llvm::GlobalVariable(*m_, ty, true, llvm::GlobalValue::PrivateLinkage,
                                       llvm::ConstantArray::get(ty, slots), "record");
      return out;
    }
    case TypeKind::kSet:
      if (IsBitset(t, types_)) {
        out.a = I64(BitsetOf(v));
        return out;
      }
      [[fallthrough]];
    case TypeKind::kList:
      out.a = ConstantArray(v.elems(), t->elem);
      out.b = I64(static_cast<int64_t>(v.elems().size()));
      return out;
    default: out.a = I64(v.i); return out;
  }
}

}  // namespace proviso::codegen::internal
