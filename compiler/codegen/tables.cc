// Decision tables: cells, tables decided at compile time (an array lookup), and the general
// form under each hit policy and aggregator.
#include "compiler/codegen/generator.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/GlobalVariable.h>

namespace proviso::codegen::internal {

// i1: does cell `c` accept the column value `x`? Cells are tried left to right by the caller.
llvm::Value* Generator::Cell(const Expr& at, const ir::Cell& c, const Type* xt, const CG& x) {
  switch (c.kind) {
    case ast::Cell::Kind::kAny: return True();
    case ast::Cell::Kind::kEqual: return Equal(xt, x, c.values[0]->type, Emit(*c.values[0]), &at);
    case ast::Cell::Kind::kOneOf: {
      // Stop at the first equal value, as the interpreter does.
      llvm::AllocaInst* hit = Local(i1_, 1, "oneof");
      b_.CreateStore(False(), hit);
      llvm::BasicBlock* done = Block("oneof.end");
      for (const auto& v : c.values) {
        llvm::Value* eq = Equal(xt, x, v->type, Emit(*v), &at);
        llvm::BasicBlock* yes = Block("oneof.yes");
        llvm::BasicBlock* next = Block("oneof.next");
        b_.CreateCondBr(eq, yes, next);
        b_.SetInsertPoint(yes);
        b_.CreateStore(True(), hit);
        b_.CreateBr(done);
        b_.SetInsertPoint(next);
      }
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
      return b_.CreateLoad(i1_, hit);
    }
    case ast::Cell::Kind::kCompare: return Compare(c.op, xt, x, c.values[0]->type, Emit(*c.values[0]), &at);
    case ast::Cell::Kind::kRange: {
      llvm::Value* lo = Compare(BinOp::kGe, xt, x, c.values[0]->type, Emit(*c.values[0]), &at);
      return AndThen(lo, "range.hi", [&] { return Compare(BinOp::kLe, xt, x, c.values[1]->type, Emit(*c.values[1]), &at); });
    }
  }
  return False();
}

std::optional<Generator::Dense> Generator::DenseForm(const ir::Table& t) {
  if (t.hit == ast::HitPolicy::kCollect || t.hit == ast::HitPolicy::kRuleOrder || t.hit == ast::HitPolicy::kOutputOrder) {
    return std::nullopt;
  }
  if (Slots(t.result, types_) != 1 || t.result->kind == TypeKind::kOptional) return std::nullopt;
  Dense d;
  int64_t total = 1;
  for (const Type* c : t.params) {
    int64_t n = c->kind == TypeKind::kEnum ? static_cast<int64_t>(types_.enum_info(c->index).variants.size())
                : c->kind == TypeKind::kBool ? 2 : 0;
    if (n == 0) return std::nullopt;
    d.sizes.push_back(n);
    total *= n;
    if (total > 4096) return std::nullopt;
  }
  auto constant = [](const ir::ExprPtr& x) { return x && x->op == Op::kConst; };
  for (const ir::TableRow& r : t.rows) {
    if (!constant(r.result)) return std::nullopt;
    for (const ir::Cell& c : r.cells) {
      if (c.kind == ast::Cell::Kind::kRange) return std::nullopt;
      if (c.kind == ast::Cell::Kind::kCompare && c.op != BinOp::kNe && c.op != BinOp::kEq) return std::nullopt;
      for (const auto& v : c.values) if (!constant(v)) return std::nullopt;
    }
  }
  if (t.default_result && !constant(t.default_result)) return std::nullopt;
  auto key = [&](const Value& v) { return v.i; };  // enum variant or bool
  for (int64_t combo = 0; combo < total; ++combo) {
    std::vector<int64_t> x(t.params.size());
    int64_t rest = combo;
    for (size_t c = t.params.size(); c-- > 0;) {
      x[c] = rest % d.sizes[c];
      rest /= d.sizes[c];
    }
    std::vector<size_t> matches;
    for (size_t r = 0; r < t.rows.size(); ++r) {
      bool all = true;
      for (size_t c = 0; c < t.rows[r].cells.size() && all; ++c) {
        const ir::Cell& cell = t.rows[r].cells[c];
        switch (cell.kind) {
          case ast::Cell::Kind::kAny: break;
          case ast::Cell::Kind::kEqual: all = key(cell.values[0]->constant) == x[c]; break;
          case ast::Cell::Kind::kOneOf: {
            bool any = false;
            for (const auto& v : cell.values) any |= key(v->constant) == x[c];
            all = any;
            break;
          }
          case ast::Cell::Kind::kCompare:
            all = (key(cell.values[0]->constant) == x[c]) == (cell.op == BinOp::kEq);
            break;
          default: return std::nullopt;
        }
      }
      if (all) matches.push_back(r);
    }
    int64_t value = 0;
    bool fail = false;
    if (matches.empty()) {
      if (t.default_result) value = t.default_result->constant.i;
      else fail = true;
    } else if (t.hit == ast::HitPolicy::kUnique) {
      fail = matches.size() > 1;
      value = t.rows[matches[0]].result->constant.i;
    } else if (t.hit == ast::HitPolicy::kFirst) {
      value = t.rows[matches[0]].result->constant.i;
    } else if (t.hit == ast::HitPolicy::kAny) {
      value = t.rows[matches[0]].result->constant.i;
      for (size_t m : matches) fail |= t.rows[m].result->constant != t.rows[matches[0]].result->constant;
    } else {  // priority: the earliest enum value
      value = t.rows[matches[0]].result->constant.i;
      for (size_t m : matches) value = std::min(value, t.rows[m].result->constant.i);
    }
    if (t.result->kind == TypeKind::kText || t.result->kind == TypeKind::kDuration) return std::nullopt;
    d.values.push_back(fail ? 0 : value);
    d.fails.push_back(fail);
  }
  return d;
}

CG Generator::DenseTable(const Dense& d, const std::vector<CG>& args) {
  llvm::Value* index = I64(0);
  for (size_t c = 0; c < args.size(); ++c) index = b_.CreateAdd(b_.CreateMul(index, I64(d.sizes[c])), args[c].a);
  auto global = [&](llvm::Type* ty, std::vector<llvm::Constant*> items, const char* name) {
    auto* aty = llvm::ArrayType::get(ty, items.size());
    auto* g = new llvm::GlobalVariable(*m_, aty, true, llvm::GlobalValue::PrivateLinkage,
                                       llvm::ConstantArray::get(aty, items), name);
    g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    return g;
  };
  bool any_fail = std::find(d.fails.begin(), d.fails.end(), 1) != d.fails.end();
  if (any_fail) {
    std::vector<llvm::Constant*> fails;
    for (int8_t f : d.fails) fails.push_back(llvm::ConstantInt::get(i8_, f));
    llvm::Value* g = global(i8_, fails, "table.fails");
    FailIf(b_.CreateICmpNE(b_.CreateLoad(i8_, b_.CreateGEP(i8_, g, index)), llvm::ConstantInt::get(i8_, 0)));
  }
  std::vector<llvm::Constant*> values;
  for (int64_t v : d.values) values.push_back(I64(v));
  CG out;
  out.a = b_.CreateLoad(i64_, b_.CreateGEP(i64_, global(i64_, values, "table.values"), index));
  return out;
}

CG Generator::Table(const Expr& e) {
  const ir::Table& t = p_.tables[e.index];
  std::vector<CG> args;
  for (size_t i = 0; i < e.args.size(); ++i) args.push_back(Coerce(Emit(*e.args[i]), e.args[i]->type, t.params[i]));
  if (track_) return TableTracked(e, args);
  if (auto dense = DenseForm(t)) return DenseTable(*dense, args);
  std::vector<CG> saved = locals_;
  locals_.assign(std::max<size_t>(p_.max_locals, 1), CG{});
  for (size_t i = 0; i < args.size(); ++i) locals_[i] = args[i];

  // Which rows match (cells left to right, stopping at the first that fails).
  size_t rows = t.rows.size();
  std::vector<llvm::AllocaInst*> matched(rows, nullptr);
  llvm::BasicBlock* after_rows = Block("table.matched");
  for (size_t r = 0; r < rows; ++r) {
    llvm::AllocaInst* m = Local(i1_, 1, "row");
    b_.CreateStore(False(), m);
    llvm::BasicBlock* row_end = Block("row.end");
    for (size_t c = 0; c < t.rows[r].cells.size(); ++c) {
      llvm::Value* ok = Cell(e, t.rows[r].cells[c], t.params[c], locals_[c]);
      llvm::BasicBlock* next = Block("cell.next");
      b_.CreateCondBr(ok, next, row_end);
      b_.SetInsertPoint(next);
    }
    b_.CreateStore(True(), m);
    if (t.hit == ast::HitPolicy::kFirst) {  // the first match ends the search
      b_.CreateBr(after_rows);
    } else {
      b_.CreateBr(row_end);
    }
    b_.SetInsertPoint(row_end);
    matched[r] = m;
  }
  b_.CreateBr(after_rows);
  b_.SetInsertPoint(after_rows);
  CG result = TableResults(e, matched);
  locals_ = saved;
  return result;
}

// The result of a table once `matched` says which rows match (at most one under `first`), under
// its hit policy and aggregator. Following unknown facts, the results of matched rows may be
// unknown: `unique` and `first` pass their row's on; the others take every result, and are unknown
// (computing nothing from them) when one is.
CG Generator::TableResults(const Expr& e, const std::vector<llvm::AllocaInst*>& matched) {
  const ir::Table& t = p_.tables[e.index];
  size_t rows = t.rows.size();
  const Type* rt = t.result;
  CG result;
  auto eval_row = [&](size_t r) { return Coerce(Emit(*t.rows[r].result), t.rows[r].result->type, rt); };
  auto count_matches = [&]() {
    llvm::Value* n = I64(0);
    for (size_t r = 0; r < rows; ++r) n = b_.CreateAdd(n, ToI64(b_.CreateLoad(i1_, matched[r])));
    return n;
  };
  auto no_match_default = [&](llvm::Value* none_matched, Acc& acc, llvm::AllocaInst* mask) {
    // No row: the default row, else a failure.
    llvm::BasicBlock* dflt = Block("table.default");
    llvm::BasicBlock* done = Block("table.result");
    b_.CreateCondBr(none_matched, dflt, done);
    b_.SetInsertPoint(dflt);
    if (t.default_result) {
      CG d = Coerce(Emit(*t.default_result), t.default_result->type, rt);
      Store(rt, d, acc.slots);
      if (mask) b_.CreateStore(MaskOf(d), mask);
    } else {
      Fail();
      Store(rt, Zero(rt), acc.slots);
    }
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
  };
  // Results of matched rows, in row order, through `each(value)`.
  auto for_matched = [&](auto each) {
    for (size_t r = 0; r < rows; ++r) {
      llvm::BasicBlock* take = Block("row.take");
      llvm::BasicBlock* skip = Block("row.skip");
      b_.CreateCondBr(b_.CreateLoad(i1_, matched[r]), take, skip);
      b_.SetInsertPoint(take);
      each(eval_row(r));
      b_.CreateBr(skip);
      b_.SetInsertPoint(skip);
    }
  };
  // Following unknown facts: the matched results in a list first (and their facts), then the
  // aggregate of the list only when every one is known.
  llvm::AllocaInst* taken_m = track_ ? Local(mask_ty_, 1, "table.unknown") : nullptr;
  if (taken_m) b_.CreateStore(NoMask(), taken_m);
  auto gather = [&]() {
    int stride = Slots(rt, types_);
    int region = Alloc(std::max<int>(1, static_cast<int>(rows)) * stride);  // room for a default row too
    llvm::Value* base = CtxSlot(region);
    llvm::AllocaInst* len = Local(i64_, 1, "collect.len");
    b_.CreateStore(I64(0), len);
    for_matched([&](CG v) {
      llvm::Value* at = b_.CreateLoad(i64_, len);
      Store(rt, v, SlotDyn(base, b_.CreateMul(at, I64(stride))));
      b_.CreateStore(b_.CreateAdd(at, I64(1)), len);
      if (taken_m && v.m) b_.CreateStore(b_.CreateOr(b_.CreateLoad(mask_ty_, taken_m), v.m), taken_m);
    });
    CG list;
    list.a = base;
    list.b = b_.CreateLoad(i64_, len);
    return list;
  };
  auto taken = [&]() -> llvm::Value* { return taken_m ? b_.CreateLoad(mask_ty_, taken_m) : nullptr; };
  // `each(value)` over the matched results: directly, or from the gathered list where they are all known.
  auto for_results = [&](auto each) {
    if (!track_) return for_matched(each);
    CG list = gather();
    llvm::BasicBlock* go = Block("table.known");
    llvm::BasicBlock* skip = Block("table.unknown");
    b_.CreateCondBr(IsKnown(taken()), go, skip);
    b_.SetInsertPoint(go);
    int stride = Slots(rt, types_);
    llvm::AllocaInst* k = Local(i64_, 1, "table.k");
    b_.CreateStore(I64(0), k);
    llvm::BasicBlock* head = Block("table.each");
    llvm::BasicBlock* body = Block("table.item");
    b_.CreateBr(head);
    b_.SetInsertPoint(head);
    llvm::Value* at = b_.CreateLoad(i64_, k);
    b_.CreateCondBr(b_.CreateICmpSLT(at, list.b), body, skip);
    b_.SetInsertPoint(body);
    each(Load(rt, SlotDyn(list.a, b_.CreateMul(at, I64(stride)))));
    b_.CreateStore(b_.CreateAdd(at, I64(1)), k);
    b_.CreateBr(head);
    b_.SetInsertPoint(skip);
  };

  if (t.hit == ast::HitPolicy::kCollect || t.hit == ast::HitPolicy::kRuleOrder || t.hit == ast::HitPolicy::kOutputOrder) {
    switch (t.aggregator) {
      case ast::Aggregator::kNone: {  // in row order, or by rank; no row: the default row's result, if any
        result = gather();
        if (t.default_result) {
          llvm::AllocaInst* n = Local(i64_, 1, "collect.n");
          b_.CreateStore(result.b, n);
          llvm::BasicBlock* dflt = Block("collect.default");
          llvm::BasicBlock* done = Block("collect.done");
          b_.CreateCondBr(b_.CreateICmpEQ(result.b, I64(0)), dflt, done);
          b_.SetInsertPoint(dflt);
          CG d = Coerce(Emit(*t.default_result), t.default_result->type, rt);
          Store(rt, d, result.a);
          b_.CreateStore(I64(1), n);
          if (taken_m && d.m) b_.CreateStore(b_.CreateOr(b_.CreateLoad(mask_ty_, taken_m), d.m), taken_m);
          b_.CreateBr(done);
          b_.SetInsertPoint(done);
          result.b = b_.CreateLoad(i64_, n);
        }
        if (t.hit == ast::HitPolicy::kOutputOrder) SortByRank(rt, result);
        result.m = taken();  // an unknown result: the list is unknown
        break;
      }
      case ast::Aggregator::kCount: {
        if (track_) gather();
        else for_matched([&](CG) {});  // results are still evaluated, as the interpreter does
        result.a = count_matches();
        result.m = taken();
        break;
      }
      case ast::Aggregator::kSum: {
        Acc acc = NewAcc(rt);
        for_results([&](CG v) { Accumulate(e, acc, v, 0); });
        llvm::Value* m = taken();
        llvm::Value* none = b_.CreateNot(b_.CreateLoad(i1_, acc.have));
        if (m) none = b_.CreateAnd(none, IsKnown(m));
        if (t.default_result) {  // it replaces the 0 of no matching row
          no_match_default(none, acc, nullptr);
          result = Load(rt, acc.slots);
        } else {
          result = Finish(e, acc, true);
        }
        result.m = m;
        break;
      }
      default: {
        Acc acc = NewAcc(rt);
        int kind = t.aggregator == ast::Aggregator::kMin ? 1 : 2;
        for_results([&](CG v) { Accumulate(e, acc, v, kind); });
        llvm::Value* m = taken();
        llvm::Value* none = b_.CreateNot(b_.CreateLoad(i1_, acc.have));
        if (m) none = b_.CreateAnd(none, IsKnown(m));
        no_match_default(none, acc, nullptr);
        result = Load(rt, acc.slots);
        result.m = m;
        break;
      }
    }
    return result;
  }

  Acc acc = NewAcc(rt);
  llvm::AllocaInst* picked_m = track_ ? Local(mask_ty_, 1, "table.result.unknown") : nullptr;
  if (picked_m) b_.CreateStore(NoMask(), picked_m);
  switch (t.hit) {
    case ast::HitPolicy::kUnique:
      FailIf(b_.CreateICmpSGT(count_matches(), I64(1)));
      [[fallthrough]];
    case ast::HitPolicy::kFirst: {
      // At most one row counts: the first matched one.
      llvm::BasicBlock* done = Block("table.picked");
      for (size_t r = 0; r < rows; ++r) {
        llvm::BasicBlock* take = Block("row.take");
        llvm::BasicBlock* skip = Block("row.skip");
        b_.CreateCondBr(b_.CreateLoad(i1_, matched[r]), take, skip);
        b_.SetInsertPoint(take);
        CG v = eval_row(r);
        Store(rt, v, acc.slots);
        if (picked_m) b_.CreateStore(MaskOf(v), picked_m);
        b_.CreateStore(True(), acc.have);
        b_.CreateBr(done);
        b_.SetInsertPoint(skip);
      }
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
      break;
    }
    case ast::HitPolicy::kAny:
      for_results([&](CG v) { Accumulate(e, acc, v, 3); });  // every match must agree
      break;
    case ast::HitPolicy::kPriority:
      // The first in rank among the matched results wins (ties: the earlier row).
      for_results([&](CG v) { Accumulate(e, acc, v, 4); });
      break;
    default: Unsupport("this hit policy", &e);
  }
  llvm::Value* m = taken();
  llvm::Value* none = b_.CreateNot(b_.CreateLoad(i1_, acc.have));
  if (m) none = b_.CreateAnd(none, IsKnown(m));
  no_match_default(none, acc, picked_m);
  result = Load(rt, acc.slots);
  if (track_) result.m = b_.CreateOr(b_.CreateLoad(mask_ty_, picked_m), m);
  return result;
}

// i1: `a` ranks before `b` (ir::CompareRank): enums, numbers, dates and instants by their value,
// records field by field; an optional (a table's result) ranks a present value before none.
llvm::Value* Generator::RankLess(const Type* t, const CG& a, const CG& b) {
  switch (t->kind) {
    case TypeKind::kEnum: case TypeKind::kInt: case TypeKind::kDecimal: case TypeKind::kDate: case TypeKind::kDateTime:
      return b_.CreateICmpSLT(a.a, b.a);
    case TypeKind::kOptional: {
      CG x = a, y = b;
      x.present = y.present = nullptr;
      llvm::Value* pa = a.present ? a.present : True();
      llvm::Value* pb = b.present ? b.present : True();
      llvm::Value* both = b_.CreateAnd(pa, pb);
      return b_.CreateOr(b_.CreateAnd(pa, b_.CreateNot(pb)), b_.CreateAnd(both, RankLess(t->elem, x, y)));
    }
    case TypeKind::kRecord: {
      llvm::Value* less = False();
      llvm::Value* decided = False();
      const auto& fields = types_.record_info(t->index).fields;
      for (size_t f = 0; f < fields.size(); ++f) {
        if (!Ranks(fields[f].type, types_)) continue;
        int off = FieldOffset(t->index, static_cast<int>(f), types_);
        CG fa = Load(fields[f].type, Slot(a.a, off));
        CG fb = Load(fields[f].type, Slot(b.a, off));
        llvm::Value* lt = RankLess(fields[f].type, fa, fb);
        llvm::Value* gt = RankLess(fields[f].type, fb, fa);
        less = b_.CreateSelect(decided, less, lt);
        decided = b_.CreateOr(decided, b_.CreateOr(lt, gt));
      }
      return less;
    }
    default: return False();
  }
}

// Sorts `list` (of `t`) in place by rank, stably: an insertion sort that swaps slots (a table's
// results: as many as its rows).
void Generator::SortByRank(const Type* t, const CG& list) {
  int stride = Slots(t, types_);
  llvm::Value* bytes = I64(static_cast<int64_t>(stride) * 8);
  llvm::AllocaInst* tmp = Local(i64_, stride, "sort.tmp");
  llvm::AllocaInst* i = Local(i64_, 1, "sort.i");
  llvm::AllocaInst* j = Local(i64_, 1, "sort.j");
  auto at = [&](llvm::Value* k) { return SlotDyn(list.a, b_.CreateMul(k, I64(stride))); };
  b_.CreateStore(I64(1), i);
  llvm::BasicBlock* outer = Block("sort.outer");
  llvm::BasicBlock* start = Block("sort.start");
  llvm::BasicBlock* inner = Block("sort.inner");
  llvm::BasicBlock* test = Block("sort.test");
  llvm::BasicBlock* swap = Block("sort.swap");
  llvm::BasicBlock* next = Block("sort.next");
  llvm::BasicBlock* done = Block("sort.done");
  b_.CreateBr(outer);
  b_.SetInsertPoint(outer);
  llvm::Value* iv = b_.CreateLoad(i64_, i);
  b_.CreateCondBr(b_.CreateICmpSLT(iv, list.b), start, done);
  b_.SetInsertPoint(start);
  b_.CreateStore(iv, j);
  b_.CreateBr(inner);
  b_.SetInsertPoint(inner);
  llvm::Value* jv = b_.CreateLoad(i64_, j);
  b_.CreateCondBr(b_.CreateICmpSGT(jv, I64(0)), test, next);
  b_.SetInsertPoint(test);
  llvm::Value* here = at(jv);
  llvm::Value* before = at(b_.CreateSub(jv, I64(1)));
  b_.CreateCondBr(RankLess(t, Load(t, here), Load(t, before)), swap, next);
  b_.SetInsertPoint(swap);
  b_.CreateMemCpy(tmp, llvm::MaybeAlign(8), here, llvm::MaybeAlign(8), bytes);
  b_.CreateMemCpy(here, llvm::MaybeAlign(8), before, llvm::MaybeAlign(8), bytes);
  b_.CreateMemCpy(before, llvm::MaybeAlign(8), tmp, llvm::MaybeAlign(8), bytes);
  b_.CreateStore(b_.CreateSub(jv, I64(1)), j);
  b_.CreateBr(inner);
  b_.SetInsertPoint(next);
  b_.CreateStore(b_.CreateAdd(iv, I64(1)), i);
  b_.CreateBr(outer);
  b_.SetInsertPoint(done);
}

}  // namespace proviso::codegen::internal

namespace proviso::codegen::internal {

// Whether `x` fits one cell when values may be unknown: a bool with a mask (Kleene). The cell's own
// values are strict, as the interpreter's CellMatches.
CG Generator::CellTracked(const Expr& at, const ir::Cell& c, const Type* xt, const CG& x) {
  CG out;
  if (c.kind == ast::Cell::Kind::kAny) {
    out.a = I64(1);
    return out;
  }
  llvm::Value* xm = DeepMask(xt, x);
  CG xk = x;
  xk.m = nullptr;
  auto strict = [&](const std::vector<CG>& values, auto test) {
    llvm::Value* m = xm;
    for (const CG& v : values) m = MaskOr(m, v.m);
    CG r;
    r.a = ToI64(WhereKnown(m ? IsKnown(m) : nullptr, test));
    r.m = m;
    return r;
  };
  switch (c.kind) {
    case ast::Cell::Kind::kAny: break;
    case ast::Cell::Kind::kEqual: {
      CG v = Emit(*c.values[0]);
      return strict({v}, [&] { return Equal(xt, xk, c.values[0]->type, v, &at); });
    }
    case ast::Cell::Kind::kOneOf: {  // Kleene's `or` of the equalities, stopping at the first true one
      llvm::AllocaInst* hit = Local(i1_, 1, "oneof");
      llvm::AllocaInst* um = Local(mask_ty_, 1, "oneof.unknown");
      b_.CreateStore(False(), hit);
      b_.CreateStore(NoMask(), um);
      llvm::BasicBlock* done = Block("oneof.end");
      for (const auto& e : c.values) {
        CG v = Emit(*e);
        CG eq = strict({v}, [&] { return Equal(xt, xk, e->type, v, &at); });
        if (eq.m) b_.CreateStore(b_.CreateOr(b_.CreateLoad(mask_ty_, um), eq.m), um);
        llvm::BasicBlock* yes = Block("oneof.yes");
        llvm::BasicBlock* next = Block("oneof.next");
        b_.CreateCondBr(eq.m ? KnownTrue(eq) : Bool(eq.a), yes, next);
        b_.SetInsertPoint(yes);
        b_.CreateStore(True(), hit);
        b_.CreateBr(done);
        b_.SetInsertPoint(next);
      }
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
      llvm::Value* found = b_.CreateLoad(i1_, hit);
      out.a = ToI64(found);
      out.m = b_.CreateSelect(found, NoMask(), b_.CreateLoad(mask_ty_, um));
      return out;
    }
    case ast::Cell::Kind::kCompare: {
      CG v = Emit(*c.values[0]);
      return strict({v}, [&] { return Compare(c.op, xt, xk, c.values[0]->type, v, &at); });
    }
    case ast::Cell::Kind::kRange: {
      CG lo = Emit(*c.values[0]);
      CG hi = Emit(*c.values[1]);
      return strict({lo, hi}, [&] {
        llvm::Value* above = Compare(BinOp::kGe, xt, xk, c.values[0]->type, lo, &at);
        return AndThen(above, "range.hi", [&] { return Compare(BinOp::kLe, xt, xk, c.values[1]->type, hi, &at); });
      });
    }
  }
  return out;
}

// A table when values may be unknown, as the interpreter's Table: a row matches, does not, or may
// (Kleene's `and` of its cells, stopping at a cell known not to fit). Under `first`, the scan
// stops at the first row that matches or may; a row that may match makes the result unknown (no
// result is then evaluated). Otherwise the results are the known hit policy's, unknown when one
// of the results they take is.
CG Generator::TableTracked(const Expr& e, const std::vector<CG>& args) {
  const ir::Table& t = p_.tables[e.index];
  std::vector<CG> saved = locals_;
  locals_.assign(std::max<size_t>(p_.max_locals, 1), CG{});
  for (size_t i = 0; i < args.size(); ++i) locals_[i] = args[i];
  size_t rows = t.rows.size();
  bool first = t.hit == ast::HitPolicy::kFirst;
  llvm::AllocaInst* maybe = Local(mask_ty_, 1, "table.maybe");
  llvm::AllocaInst* stop = Local(i1_, 1, "table.stop");
  b_.CreateStore(NoMask(), maybe);
  b_.CreateStore(False(), stop);
  std::vector<llvm::AllocaInst*> matched(rows);
  for (size_t r = 0; r < rows; ++r) {
    matched[r] = Local(i1_, 1, "row");
    b_.CreateStore(False(), matched[r]);
    llvm::BasicBlock* scan = Block("row.scan");
    llvm::BasicBlock* row_end = Block("row.end");
    b_.CreateCondBr(b_.CreateLoad(i1_, stop), row_end, scan);
    b_.SetInsertPoint(scan);
    llvm::AllocaInst* fits = Local(i64_, 1, "row.fits");
    llvm::AllocaInst* fits_m = Local(mask_ty_, 1, "row.unknown");
    b_.CreateStore(I64(1), fits);
    b_.CreateStore(NoMask(), fits_m);
    llvm::BasicBlock* cells_end = Block("row.cells");
    for (size_t c = 0; c < t.rows[r].cells.size(); ++c) {
      CG cell = CellTracked(e, t.rows[r].cells[c], t.params[c], locals_[c]);
      CG row;
      row.a = b_.CreateLoad(i64_, fits);
      row.m = b_.CreateLoad(mask_ty_, fits_m);
      CG both = KleeneAnd(row, cell);
      b_.CreateStore(both.a, fits);
      b_.CreateStore(both.m, fits_m);
      llvm::BasicBlock* next = Block("cell.next");
      b_.CreateCondBr(KnownFalse(both), cells_end, next);  // a cell known not to fit ends the row
      b_.SetInsertPoint(next);
    }
    b_.CreateBr(cells_end);
    b_.SetInsertPoint(cells_end);
    llvm::Value* m = b_.CreateLoad(mask_ty_, fits_m);
    llvm::Value* unknown = b_.CreateNot(IsKnown(m));
    llvm::Value* yes = b_.CreateAnd(IsKnown(m), Bool(b_.CreateLoad(i64_, fits)));
    b_.CreateStore(b_.CreateOr(b_.CreateLoad(mask_ty_, maybe), m), maybe);
    b_.CreateStore(yes, matched[r]);
    if (first) b_.CreateStore(b_.CreateOr(unknown, yes), stop);
    b_.CreateBr(row_end);
    b_.SetInsertPoint(row_end);
  }
  llvm::Value* may = b_.CreateLoad(mask_ty_, maybe);
  // Known matches only: the results, as TableResults does, with the masks of the results taken.
  CG result = WhereKnown(IsKnown(may), [&] { return TableResults(e, matched); });
  result.m = b_.CreateSelect(IsKnown(may), MaskOf(result), may);
  locals_ = saved;
  return result;
}

}  // namespace proviso::codegen::internal
