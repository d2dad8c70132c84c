// Collections: membership (bit tests, param bitmaps, constant sets, loops), quantifiers and
// accumulators, making lists and sets.
#include "compiler/codegen/generator.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/MDBuilder.h>

namespace proviso::codegen::internal {

// Membership. Equality cannot fail, so the loop has no early exit: its trip count is the
// collection's size, the same on every row for a param or constant set (no misprediction).
CG Generator::In(const Expr& e) {
  CG x = Emit(*e.args[0]);
  CG coll = Emit(*e.args[1]);
  // Strict, and on whole values: an unknown part of either makes it unknown.
  llvm::Value* m = MaskOr(DeepMask(e.args[0]->type, x), DeepMask(e.args[1]->type, coll));
  x.m = coll.m = nullptr;
  CG v = WhereKnown(m ? IsKnown(m) : nullptr, [&] { return Member(e, x, coll); });
  v.m = m;
  return v;
}

CG Generator::Member(const Expr& e, const CG& x, const CG& coll) {
  const Type* xt = e.args[0]->type;
  const Type* ct = e.args[1]->type;
  if (IsBitset(ct, types_) && xt->kind == TypeKind::kEnum) {  // a bit test (codes are below 64)
    llvm::Value* bit = b_.CreateAnd(b_.CreateLShr(coll.a, b_.CreateAnd(x.a, I64(63))), I64(1));
    CG v;
    v.a = e.negated ? b_.CreateXor(bit, I64(1)) : bit;
    return v;
  }
  if (e.args[1]->op == Op::kParam && layout_.param_bitmap[e.args[1]->index] >= 0 && xt->kind == ct->elem->kind) {
    // A param set of enum values or texts has a bitmap (Layout::param_bitmap): no loop, so a
    // batch over rows can be vectorized. Specialised, the set is a constant (with no version in
    // force, the param failed and `coll` is empty: the loop below).
    llvm::Value* f = nullptr;
    if (!spec_) {
      int bm = layout_.param_bitmap[e.args[1]->index];
      llvm::Value* words = b_.CreateIntToPtr(b_.CreateLoad(i64_, Slot(params_, bm)), ptr_);
      f = BitmapTest(words, b_.CreateLoad(i64_, Slot(params_, bm + 1)), x.a);
    } else if (const std::optional<Value>& set = spec_->params.at(e.args[1]->index)) {
      f = ConstantSetTest(*set, x.a);
    }
    if (f) {
      CG v;
      v.a = ToI64(e.negated ? b_.CreateNot(f) : f);
      return v;
    }
  }
  llvm::AllocaInst* found = Local(i1_, 1, "found");
  b_.CreateStore(False(), found);
  ForEach(ct, coll, [&](const CG& el, llvm::BasicBlock*) {
    b_.CreateStore(b_.CreateOr(b_.CreateLoad(i1_, found), Equal(xt, x, ct->elem, el, &e)), found);
  });
  llvm::Value* f = b_.CreateLoad(i1_, found);
  CG v;
  v.a = ToI64(e.negated ? b_.CreateNot(f) : f);
  return v;
}

// i1: bit `x` of the bitmap at `words` (bit k of words[k / 64]), which has `bound` bits; false
// for `x` outside it.
llvm::Value* Generator::BitmapTest(llvm::Value* words, llvm::Value* bound, llvm::Value* x) {
  llvm::Value* inside = b_.CreateICmpULT(x, bound);
  llvm::Value* k = b_.CreateSelect(inside, x, I64(0));
  llvm::Value* word = b_.CreateLoad(i64_, SlotDyn(words, b_.CreateLShr(k, I64(6))));
  return b_.CreateAnd(inside, b_.CreateTrunc(b_.CreateLShr(word, b_.CreateAnd(k, I64(63))), i1_));
}

// i1: `x` (an enum code or a text id) is in `set`, a constant set of such values (a specialised
// param): comparisons with a few members, else a constant bitmap.
llvm::Value* Generator::ConstantSetTest(const Value& set, llvm::Value* x) {
  auto code = [&](const Value& item) { return item.kind == Value::Kind::kText ? layout_.text_ids.at(item.text) : item.i; };
  if (set.elems().size() <= 4) {
    llvm::Value* f = False();
    for (const Value& item : set.elems()) f = b_.CreateOr(f, b_.CreateICmpEQ(x, I64(code(item))));
    return f;
  }
  std::vector<uint64_t> bits(1, 0);
  for (const Value& item : set.elems()) {
    int64_t k = code(item);
    if (static_cast<size_t>(k / 64) >= bits.size()) bits.resize(k / 64 + 1, 0);
    bits[k / 64] |= uint64_t{1} << (k % 64);
  }
  std::vector<llvm::Constant*> words;
  for (uint64_t w : bits) words.push_back(I64(static_cast<int64_t>(w)));
  auto* ty = llvm::ArrayType::get(i64_, words.size());
  auto* g = new llvm::GlobalVariable(*m_, ty, true, llvm::GlobalValue::PrivateLinkage,
                                     llvm::ConstantArray::get(ty, words), "bitmap");
  return BitmapTest(g, I64(static_cast<int64_t>(words.size()) * 64), x);
}

// A zero-initialised accumulator: it may be read speculatively before anything is stored.
Generator::Acc Generator::NewAcc(const Type* t) {
  Acc a{t, Local(i64_, Slots(t, types_), "acc"), Local(i1_, 1, "have")};
  b_.CreateStore(False(), a.have);
  Store(t, Zero(t), a.slots);
  return a;
}

// Quantifiers, as the interpreter's: `any`/`all` stop at the first element that decides them; an
// element whose body is unknown adds its facts, and they decide only if no element did. The other
// quantifiers are unknown when any element's value is. An unknown collection: unknown.
CG Generator::Quant(const Expr& e) {
  CG coll = Emit(*e.args[0]);
  llvm::Value* known = AllKnown({&coll});
  llvm::Value* coll_m = coll.m;
  coll.m = nullptr;
  CG result = WhereKnown(known, [&] { return QuantOver(e, coll); });
  if (known) result.m = b_.CreateSelect(known, MaskOf(result), coll_m);
  return result;
}

CG Generator::QuantOver(const Expr& e, const CG& coll) {
  const Type* ct = e.args[0]->type;
  const Expr& body = *e.args[1];
  CG saved = locals_.at(e.index);
  CG result;
  // The facts of elements whose body is unknown (track_ only).
  llvm::AllocaInst* um = nullptr;
  if (track_) {
    um = Local(mask_ty_, 1, "quant.unknown");
    b_.CreateStore(NoMask(), um);
  }
  auto add_unknown = [&](const CG& v) {
    if (um && v.m) b_.CreateStore(b_.CreateOr(b_.CreateLoad(mask_ty_, um), v.m), um);
  };
  // `where W` of a value body (lowering folds the others into their condition): an element where
  // W is false is skipped; where W is unknown, its facts are added and the element skipped too
  // (the result is then unknown). `each(x, exit)` emits the element's code where W holds.
  auto for_each = [&](auto each) {
    ForEach(ct, coll, [&](const CG& x, llvm::BasicBlock* exit) {
      locals_[e.index] = x;
      if (e.args.size() < 3) return each(x, exit);
      CG w = Emit(*e.args[2]);
      add_unknown(w);
      llvm::BasicBlock* holds = Block("where.holds");
      llvm::BasicBlock* next = Block("where.next");
      b_.CreateCondBr(w.m ? KnownTrue(w) : Bool(w.a), holds, next);
      b_.SetInsertPoint(holds);
      each(x, exit);
      b_.CreateBr(next);
      b_.SetInsertPoint(next);
    });
  };
  switch (e.quant) {
    case ast::QuantKind::kAny:
    case ast::QuantKind::kAll: {
      bool any = e.quant == ast::QuantKind::kAny;
      llvm::AllocaInst* r = Local(i64_, 1, "quant");
      llvm::AllocaInst* decided_flag = Local(i1_, 1, "quant.decided");
      b_.CreateStore(I64(any ? 0 : 1), r);
      b_.CreateStore(False(), decided_flag);
      ForEach(ct, coll, [&](const CG& x, llvm::BasicBlock* exit) {
        locals_[e.index] = x;
        CG v = Emit(body);
        add_unknown(v);
        llvm::Value* c = any ? (v.m ? KnownTrue(v) : Bool(v.a)) : (v.m ? KnownFalse(v) : b_.CreateNot(Bool(v.a)));
        llvm::BasicBlock* decided = Block("quant.decided");
        llvm::BasicBlock* next = Block("quant.next");
        b_.CreateCondBr(c, decided, next);
        b_.SetInsertPoint(decided);
        b_.CreateStore(I64(any ? 1 : 0), r);
        b_.CreateStore(True(), decided_flag);
        b_.CreateBr(exit);
        b_.SetInsertPoint(next);
      });
      result.a = b_.CreateLoad(i64_, r);
      if (um) result.m = b_.CreateSelect(b_.CreateLoad(i1_, decided_flag), NoMask(), b_.CreateLoad(mask_ty_, um));
      break;
    }
    case ast::QuantKind::kCount: {
      llvm::AllocaInst* n = Local(i64_, 1, "count");
      b_.CreateStore(I64(0), n);
      ForEach(ct, coll, [&](const CG& x, llvm::BasicBlock*) {
        locals_[e.index] = x;
        CG v = Emit(body);
        add_unknown(v);
        llvm::Value* c = v.m ? ToI64(KnownTrue(v)) : v.a;
        b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64_, n), c), n);
      });
      result.a = b_.CreateLoad(i64_, n);
      if (um) result.m = b_.CreateLoad(mask_ty_, um);
      break;
    }
    case ast::QuantKind::kFilter:
    case ast::QuantKind::kMap: {
      Made out = StartMade(e.type, IsBitset(ct, types_) ? I64(64) : coll.b);
      bool filter = e.quant == ast::QuantKind::kFilter;
      for_each([&](const CG& x, llvm::BasicBlock*) {
        CG v = Emit(body);
        add_unknown(v);
        // An unknown value is not appended (the result is then unknown: um).
        llvm::Value* take_it = filter ? (v.m ? KnownTrue(v) : Bool(v.a)) : v.m ? IsKnown(v.m) : True();
        llvm::BasicBlock* take = Block("made.take");
        llvm::BasicBlock* next = Block("made.next");
        b_.CreateCondBr(take_it, take, next);
        b_.SetInsertPoint(take);
        if (filter) Append(out, x, &e, ct->kind == TypeKind::kList);  // a set's are distinct already
        else Append(out, Persist(e.type->elem, Coerce(v, body.type, e.type->elem)), &e);
        b_.CreateBr(next);
        b_.SetInsertPoint(next);
      });
      result = FinishMade(out);
      if (um) result.m = b_.CreateLoad(mask_ty_, um);
      break;
    }
    case ast::QuantKind::kSum:
    case ast::QuantKind::kMin:
    case ast::QuantKind::kMax: {
      Acc acc = NewAcc(e.type);
      for_each([&](const CG&, llvm::BasicBlock*) {
        CG v = Emit(body);
        add_unknown(v);
        int kind = e.quant == ast::QuantKind::kSum ? 0 : e.quant == ast::QuantKind::kMin ? 1 : 2;
        if (!v.m) {
          Accumulate(e, acc, v, kind);
          return;
        }
        llvm::BasicBlock* take = Block("acc.known");
        llvm::BasicBlock* skip = Block("acc.unknown");
        b_.CreateCondBr(IsKnown(v.m), take, skip);
        b_.SetInsertPoint(take);
        Accumulate(e, acc, v, kind);
        b_.CreateBr(skip);
        b_.SetInsertPoint(skip);
      });
      llvm::Value* m = um ? b_.CreateLoad(mask_ty_, um) : nullptr;
      // An unknown element: unknown, before a min/max of nothing fails.
      result = WhereKnown(m ? IsKnown(m) : nullptr, [&] { return Finish(e, acc, e.quant == ast::QuantKind::kSum); });
      result.m = m;
      break;
    }
  }
  locals_[e.index] = saved;
  return result;
}

// kind: 0 sum, 1 min, 2 max, 3 all equal (`hit any`: a different value fails), 4 the first in rank
// (`hit priority`; ties keep the earlier).
void Generator::Accumulate(const Expr& at, Acc& acc, const CG& v, int kind) {
  llvm::Value* have = b_.CreateLoad(i1_, acc.have);
  llvm::BasicBlock* first = Block("acc.first");
  llvm::BasicBlock* more = Block("acc.more");
  llvm::BasicBlock* done = Block("acc.done");
  b_.CreateCondBr(have, more, first);
  b_.SetInsertPoint(first);
  Store(acc.type, v, acc.slots);
  b_.CreateStore(True(), acc.have);
  b_.CreateBr(done);
  b_.SetInsertPoint(more);
  CG cur = Load(acc.type, acc.slots);
  if (kind == 0) {
    add_expr_.bop = BinOp::kAdd;
    add_expr_.source = at.source;
    Store(acc.type, Arith(add_expr_, acc.type, cur, acc.type, v), acc.slots);
  } else if (kind == 3) {
    FailIf(b_.CreateNot(Equal(acc.type, v, acc.type, cur, &at)));
  } else {
    llvm::Value* better = kind == 4 ? RankLess(acc.type, v, cur)
                                    : Compare(kind == 1 ? BinOp::kLt : BinOp::kGt, acc.type, v, acc.type, cur, &at);
    llvm::BasicBlock* take = Block("acc.take");
    llvm::BasicBlock* keep = Block("acc.keep");
    b_.CreateCondBr(better, take, keep);
    b_.SetInsertPoint(take);
    Store(acc.type, v, acc.slots);
    b_.CreateBr(keep);
    b_.SetInsertPoint(keep);
  }
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

// Puts the type's zero (or `none`) in `acc` when nothing was accumulated.
void Generator::ZeroIfEmpty(Acc& acc) {
  llvm::BasicBlock* empty = Block("acc.empty");
  llvm::BasicBlock* done = Block("acc.result");
  b_.CreateCondBr(b_.CreateLoad(i1_, acc.have), done, empty);
  b_.SetInsertPoint(empty);
  Store(acc.type, Zero(acc.type), acc.slots);
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

// The accumulated value; a sum of nothing is zero, a min/max of nothing is a failure.
CG Generator::Finish(const Expr&, Acc& acc, bool zero_if_empty) {
  if (zero_if_empty) ZeroIfEmpty(acc);
  else FailIf(b_.CreateNot(b_.CreateLoad(i1_, acc.have)));
  return Load(acc.type, acc.slots);
}

Generator::Made Generator::StartMade(const Type* t, llvm::Value* bound) {
  Made out{t};
  out.len = Local(i64_, 1, "made.len");
  b_.CreateStore(I64(0), out.len);
  if (IsBitset(t, types_)) return out;
  uses_arena_ = true;
  llvm::Value* n = b_.CreateAdd(bound, I64(1));  // never 0 slots
  out.base = b_.CreateCall(alloc_, {b_.CreateMul(n, I64(Slots(t->elem, types_)))});
  return out;
}

void Generator::Append(Made& out, const CG& v, const Expr* at, bool check_repeats) {
  const Type* elem = out.type->elem;
  if (IsBitset(out.type, types_)) {
    llvm::Value* bit = b_.CreateShl(I64(1), b_.CreateAnd(v.a, I64(63)));
    b_.CreateStore(b_.CreateOr(b_.CreateLoad(i64_, out.len), bit), out.len);
    return;
  }
  llvm::Value* n = b_.CreateLoad(i64_, out.len);
  llvm::BasicBlock* add = Block("made.add");
  llvm::BasicBlock* done = Block("made.done");
  if (check_repeats && out.type->kind == TypeKind::kSet) {
    CG so_far;
    so_far.a = out.base;
    so_far.b = n;
    b_.CreateCondBr(Contains(out.type, so_far, elem, v, at), done, add);
  } else {
    b_.CreateBr(add);
  }
  b_.SetInsertPoint(add);
  Store(elem, v, SlotDyn(out.base, b_.CreateMul(n, I64(Slots(elem, types_)))));
  b_.CreateStore(b_.CreateAdd(n, I64(1)), out.len);
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

// `v` copied where it outlives the code that made it: the collections it points to (a literal's or
// a table's results live in a scratch region reused each time that code runs, e.g. for the next
// element of a `map`) are copied into the arena, deeply. Flat values are returned as they are.
CG Generator::Persist(const Type* t, const CG& v) {
  if (IsFlat(t, types_)) return v;
  if (t->kind == TypeKind::kOptional) {  // the payload, where there is one
    llvm::BasicBlock* from = b_.GetInsertBlock();
    llvm::BasicBlock* yes = Block("persist.present");
    llvm::BasicBlock* done = Block("persist.done");
    b_.CreateCondBr(v.present ? v.present : True(), yes, done);
    b_.SetInsertPoint(yes);
    CG inner = v;
    inner.present = nullptr;
    CG p = Persist(t->elem, inner);
    llvm::BasicBlock* yes_end = b_.GetInsertBlock();
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    CG out = v;
    auto merge = [&](llvm::Value* before, llvm::Value* after) {
      if (!before) return before;
      llvm::PHINode* phi = b_.CreatePHI(before->getType(), 2);
      phi->addIncoming(before, from);
      phi->addIncoming(after, yes_end);
      return static_cast<llvm::Value*>(phi);
    };
    out.a = merge(v.a, p.a);
    out.b = merge(v.b, p.b);
    return out;
  }
  uses_arena_ = true;
  CG out = v;
  if (t->kind == TypeKind::kRecord) {  // stored inline: copy it, then what its fields point to
    llvm::Value* dest = b_.CreateCall(alloc_, {I64(Slots(t, types_))});
    Store(t, v, dest);
    const RecordInfo& r = types_.record_info(t->index);
    for (size_t f = 0; f < r.fields.size(); ++f) {
      const Type* ft = r.fields[f].type;
      if (IsFlat(ft, types_)) continue;
      llvm::Value* at = Slot(dest, FieldOffset(t->index, static_cast<int>(f), types_));
      Store(ft, Persist(ft, Load(ft, at)), at);
    }
    out.a = dest;
    return out;
  }
  // A list, or a set that is not a bitset: its elements, each persisted in turn.
  const Type* elem = t->elem;
  int stride = Slots(elem, types_);
  llvm::Value* dest = b_.CreateCall(alloc_, {b_.CreateMul(b_.CreateAdd(v.b, I64(1)), I64(stride))});
  llvm::AllocaInst* k = Local(i64_, 1, "persist.k");
  b_.CreateStore(I64(0), k);
  CG walked = v;
  walked.m = nullptr;
  ForEach(t, walked, [&](const CG& x, llvm::BasicBlock*) {
    llvm::Value* i = b_.CreateLoad(i64_, k);
    Store(elem, Persist(elem, x), SlotDyn(dest, b_.CreateMul(i, I64(stride))));
    b_.CreateStore(b_.CreateAdd(i, I64(1)), k);
  });
  out.a = dest;
  return out;
}

CG Generator::FinishMade(const Made& out) {
  CG v;
  if (IsBitset(out.type, types_)) {
    v.a = b_.CreateLoad(i64_, out.len);
    return v;
  }
  v.a = out.base;
  v.b = b_.CreateLoad(i64_, out.len);
  return v;
}

llvm::Value* Generator::Contains(const Type* ct, const CG& coll, const Type* xt, const CG& x, const Expr* at) {
  llvm::AllocaInst* found = Local(i1_, 1, "found");
  b_.CreateStore(False(), found);
  ForEach(ct, coll, [&](const CG& el, llvm::BasicBlock* exit) {
    llvm::BasicBlock* yes = Block("contains.yes");
    llvm::BasicBlock* next = Block("contains.next");
    b_.CreateCondBr(Equal(xt, x, ct->elem, el, at), yes, next);
    b_.SetInsertPoint(yes);
    b_.CreateStore(True(), found);
    b_.CreateBr(exit);
    b_.SetInsertPoint(next);
  });
  return b_.CreateLoad(i1_, found);
}

// `a union b`, `a intersect b`, `a minus b`: bit operations on small enum sets, else loops that
// keep a's order and then b's. Strict: an unknown part of either side makes it unknown.
CG Generator::SetOp(const Expr& e) {
  CG a = Emit(*e.args[0]);
  CG b = Emit(*e.args[1]);
  llvm::Value* m = MaskOr(DeepMask(e.args[0]->type, a), DeepMask(e.args[1]->type, b));
  // Both as the result's type (`{}`, a set of nothing, becomes an empty bitset where one is made).
  a = Coerce(a, e.args[0]->type, e.type);
  b = Coerce(b, e.args[1]->type, e.type);
  a.m = b.m = nullptr;
  const Type* at = e.type;
  const Type* bt = e.type;
  auto op = static_cast<ast::SetOp>(e.index);
  CG v = WhereKnown(m ? IsKnown(m) : nullptr, [&] {
    if (IsBitset(e.type, types_)) {
      CG out;
      out.a = op == ast::SetOp::kUnion       ? b_.CreateOr(a.a, b.a)
              : op == ast::SetOp::kIntersect ? b_.CreateAnd(a.a, b.a)
                                             : b_.CreateAnd(a.a, b_.CreateNot(b.a));
      return out;
    }
    Made out = StartMade(e.type, op == ast::SetOp::kUnion ? b_.CreateAdd(a.b, b.b) : a.b);
    ForEach(at, a, [&](const CG& x, llvm::BasicBlock*) {
      if (op == ast::SetOp::kUnion) return Append(out, x, &e, false);
      llvm::Value* in_b = Contains(bt, b, at->elem, x, &e);  // both of e.type
      llvm::BasicBlock* take = Block("setop.take");
      llvm::BasicBlock* next = Block("setop.next");
      b_.CreateCondBr(op == ast::SetOp::kIntersect ? in_b : b_.CreateNot(in_b), take, next);
      b_.SetInsertPoint(take);
      Append(out, x, &e, false);
      b_.CreateBr(next);
      b_.SetInsertPoint(next);
    });
    if (op == ast::SetOp::kUnion) {
      ForEach(bt, b, [&](const CG& x, llvm::BasicBlock*) { Append(out, x, &e); });
    }
    return FinishMade(out);
  });
  v.m = m;
  return v;
}

CG Generator::MakeCollection(const Expr& e) {
  const Type* elem = e.type->elem;
  int n = static_cast<int>(e.args.size());
  CG out;
  if (IsBitset(e.type, types_)) {
    llvm::Value* bits = I64(0);
    for (int k = 0; k < n; ++k) {
      CG v = Coerce(Emit(*e.args[k]), e.args[k]->type, elem);
      bits = b_.CreateOr(bits, b_.CreateShl(I64(1), b_.CreateAnd(v.a, I64(63))));
      out.m = MaskOr(out.m, v.m);  // an unknown element: the whole set is unknown
    }
    out.a = bits;
    return out;
  }
  int stride = Slots(elem, types_);
  int region = Alloc(std::max(1, n * stride));
  llvm::Value* base = CtxSlot(region);
  out.a = base;
  if (e.op == Op::kMakeList) {
    for (int k = 0; k < n; ++k) {
      CG v = Coerce(Emit(*e.args[k]), e.args[k]->type, elem);
      Store(elem, v, Slot(base, k * stride));
      out.m = MaskOr(out.m, v.m);  // an unknown element: the whole list is unknown
    }
    out.b = I64(n);
    return out;
  }
  // A set keeps one copy of each value: append an element only if no earlier one equals it.
  std::vector<CG> values;
  for (int k = 0; k < n; ++k) {
    values.push_back(Coerce(Emit(*e.args[k]), e.args[k]->type, elem));
    out.m = MaskOr(out.m, values.back().m);
  }
  llvm::AllocaInst* len = Local(i64_, 1, "set.len");
  b_.CreateStore(I64(0), len);
  for (int k = 0; k < n; ++k) {
    llvm::Value* dup = False();
    for (int j = 0; j < k; ++j) dup = b_.CreateOr(dup, Equal(elem, values[j], elem, values[k], &e));
    llvm::BasicBlock* add = Block("set.add");
    llvm::BasicBlock* next = Block("set.next");
    b_.CreateCondBr(dup, next, add);
    b_.SetInsertPoint(add);
    llvm::Value* at = b_.CreateLoad(i64_, len);
    Store(elem, values[k], SlotDyn(base, b_.CreateMul(at, I64(stride))));
    b_.CreateStore(b_.CreateAdd(at, I64(1)), len);
    b_.CreateBr(next);
    b_.SetInsertPoint(next);
  }
  out.b = b_.CreateLoad(i64_, len);
  return out;
}

void Generator::CountStep(llvm::BasicBlock* exit) {
  if (budget_slot_ < 0) budget_slot_ = Alloc(1);
  llvm::Value* slot = CtxSlot(budget_slot_);
  llvm::Value* left = b_.CreateSub(b_.CreateLoad(i64_, slot), I64(1));
  b_.CreateStore(left, slot);
  llvm::BasicBlock* over = Block("budget.over");
  llvm::BasicBlock* go = Block("budget.ok");
  llvm::MDBuilder md(c_);
  b_.CreateCondBr(b_.CreateICmpSLT(left, I64(0)), over, go, md.createUnlikelyBranchWeights());
  b_.SetInsertPoint(over);
  b_.CreateCall(over_budget_);
  b_.CreateStore(True(), err_);  // whatever the path's predicate: the row as a whole failed
  b_.CreateBr(exit);
  b_.SetInsertPoint(go);
}

void Generator::StartBudget(llvm::Function* row, llvm::Instruction* scratch) {
  if (budget_slot_ < 0) return;  // no loop counts: nothing to start (and no call in the batch loop)
  layout_.budget = true;
  llvm::BasicBlock& entry = row->getEntryBlock();
  llvm::IRBuilder<> at(&entry, scratch ? std::next(scratch->getIterator()) : entry.getFirstInsertionPt());
  llvm::Value* slot = budget_slot_ == 0 ? ctx_ : at.CreateConstGEP1_64(i64_, ctx_, budget_slot_);
  at.CreateStore(at.CreateCall(budget_), slot);
}

}  // namespace proviso::codegen::internal
