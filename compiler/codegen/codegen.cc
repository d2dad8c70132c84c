#include "compiler/codegen/codegen.h"

#include <cstdlib>
#include <functional>
#include <map>

#include <fmt/format.h>
#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

namespace proviso::codegen {
namespace {

using ast::BinOp;
using ir::Expr;
using ir::Op;

// A value in generated code. Scalars: `a` (i64). Durations: `a` days, `b` months. Records: `a`
// points to their slots. Lists and sets: `a` points to the first element's slots, `b` is the length.
// Optional values: `present` (i1) and the payload in `a`/`b` (zeros when absent).
struct CG {
  llvm::Value* a = nullptr;
  llvm::Value* b = nullptr;
  llvm::Value* present = nullptr;
};

// Thrown inside the generator for a construct it cannot compile; turned into a diagnostic.
struct Unsupported {
  std::string what;
  Span span;
};

class Generator {
 public:
  Generator(const ir::Program& p, llvm::LLVMContext& c, Layout& layout, const Specialization* spec)
      : p_(p), types_(p.types()), c_(c), b_(c), layout_(layout), spec_(spec) {
    m_ = std::make_unique<llvm::Module>(p.name, c);
    i64_ = llvm::Type::getInt64Ty(c);
    i32_ = llvm::Type::getInt32Ty(c);
    i1_ = llvm::Type::getInt1Ty(c);
    i8_ = llvm::Type::getInt8Ty(c);
    ptr_ = llvm::PointerType::get(c, 0);
    i128_ = llvm::Type::getInt128Ty(c);
  }

  std::unique_ptr<llvm::Module> Run(bool batch, const std::vector<BatchLeaf>& leaves,
                                    const std::vector<BatchOutput>& outputs) {
    DeclareHelpers(batch);
    // Memo slots of lets and outputs come first in the ctx scratch.
    for (const ir::Let& l : p_.lets) {
      let_flag_.push_back(Alloc(2));  // computed, failed
      let_value_.push_back(Alloc(Slots(l.type, types_)));
    }
    for (const ir::Output& o : p_.outputs) {
      out_flag_.push_back(Alloc(2));  // computed, failed
      out_value_.push_back(Alloc(Slots(o.type, types_)));
    }
    llvm::FunctionType* memo_ty = llvm::FunctionType::get(i32_, {ptr_, ptr_, ptr_, i64_}, false);
    for (size_t i = 0; i < p_.lets.size(); ++i) {
      let_fn_.push_back(InternalFunction(memo_ty, "let." + p_.lets[i].name, LetInlined(static_cast<int>(i))));
    }
    for (size_t i = 0; i < p_.outputs.size(); ++i) {
      out_fn_.push_back(InternalFunction(memo_ty, "output." + p_.outputs[i].name, OutputInlined(static_cast<int>(i))));
    }
    CheckCodeSize();
    llvm::FunctionType* callee_ty = llvm::FunctionType::get(i32_, {ptr_, ptr_, ptr_, i64_, ptr_, ptr_}, false);
    fn_callee_.assign(p_.functions.size(), nullptr);
    for (size_t i = 0; i < p_.functions.size(); ++i) {
      if (!FunctionOutOfLine(static_cast<int>(i))) continue;
      fn_callee_[i] = llvm::Function::Create(callee_ty, llvm::Function::InternalLinkage, "function." + p_.functions[i].name, m_.get());
      fn_callee_[i]->addFnAttr(llvm::Attribute::NoInline);
      fn_callee_[i]->addFnAttr(llvm::Attribute::NoUnwind);
    }
    FindSharedExprs();
    for (size_t i = 0; i < p_.functions.size(); ++i) {
      if (fn_callee_[i]) EmitCalledFunction(static_cast<int>(i));
    }
    for (size_t i = 0; i < p_.lets.size(); ++i) EmitLetFunction(static_cast<int>(i));
    for (size_t i = 0; i < p_.outputs.size(); ++i) EmitOutputFunction(static_cast<int>(i));
    // A module with the batch entry is added next to the row module: its row is its own copy.
    llvm::Function* row = EmitRow(batch ? llvm::Function::InternalLinkage : llvm::Function::ExternalLinkage);
    if (batch) EmitBatch(row, leaves, outputs);
    layout_.ctx_slots = ctx_slots_;
    return std::move(m_);
  }

 private:
  // ---------------------------------------------------------------- plumbing

  int Alloc(int slots) {
    int at = ctx_slots_;
    ctx_slots_ += std::max(slots, 1);
    return at;
  }

  // Lets and outputs are functions of their own. In a small policy they are inlined into the row
  // (one straight-line function, scratch in registers); in a large one, or when a body is large,
  // they stay separate, because the optimiser's cost grows faster than linearly with the size of
  // one function.
  llvm::Function* InternalFunction(llvm::FunctionType* ty, const std::string& name, bool inline_it) {
    llvm::Function* f = llvm::Function::Create(ty, llvm::Function::InternalLinkage, name, m_.get());
    f->addFnAttr(inline_it ? llvm::Attribute::AlwaysInline : llvm::Attribute::NoInline);
    f->addFnAttr(llvm::Attribute::NoUnwind);
    return f;
  }

  bool Large() const { return p_.lets.size() + p_.outputs.size() > kInlineLimit; }
  static constexpr size_t kInlineLimit = 48;

  // ---------------------------------------------------------------- code size
  //
  // Function and table bodies are emitted at every call, and inlined lets and outputs at every
  // use. A chain of functions (or lets) that each use the previous one twice would double the code
  // at every link, so a body that would be large stays out of line: lets and outputs as NoInline
  // memo functions, functions as called functions (when their result fits in slots).

  static constexpr size_t kBodyBudget = 400;     // expression nodes of a body still inlined (policies/: < 150)
  static constexpr size_t kMaxNodes = 250'000;   // of the whole module: beyond, compiling takes minutes
  static constexpr size_t kSaturated = size_t{1} << 50;

  static size_t SatAdd(size_t a, size_t b) { return std::min(a + b, kSaturated); }

  // The expression nodes `e` emits, counting what is inlined into it at each use.
  size_t Expanded(const Expr* e) {
    if (!e) return 0;
    size_t n = 1;
    switch (e->op) {
      case Op::kCall: n = FunctionOutOfLine(e->index) ? 1 : SatAdd(n, FunctionSize(e->index)); break;
      case Op::kTable: n = SatAdd(n, TableSize(e->index)); break;
      case Op::kLet: if (LetInlined(e->index)) n = SatAdd(n, LetSize(e->index)); break;
      case Op::kOutput: if (OutputInlined(e->index)) n = SatAdd(n, OutputSize(e->index)); break;
      default: break;
    }
    for (const auto& a : e->args) n = SatAdd(n, Expanded(a.get()));
    return n;
  }

  size_t Memoized(const void* key, const std::function<size_t()>& compute) {
    auto it = size_.find(key);
    if (it != size_.end()) return it->second;
    size_t n = compute();
    size_[key] = n;
    return n;
  }
  size_t FunctionSize(int i) { return Memoized(&p_.functions[i], [&] { return Expanded(p_.functions[i].body.get()); }); }
  size_t LetSize(int i) { return Memoized(&p_.lets[i], [&] { return Expanded(p_.lets[i].value.get()); }); }
  size_t OutputSize(int o) {
    return Memoized(&p_.outputs[o], [&] {
      size_t n = 1;
      for (const ir::Rule& r : p_.rules) {
        if (r.output == o) n = SatAdd(n, SatAdd(Expanded(r.when.get()), Expanded(r.value.get())));
      }
      return n;
    });
  }
  size_t TableSize(int i) {
    const ir::Table& t = p_.tables[i];
    return Memoized(&t, [&] {
      size_t n = Expanded(t.default_result.get());
      for (const ir::TableRow& r : t.rows) {
        n = SatAdd(n, Expanded(r.result.get()));
        for (const ir::Cell& c : r.cells) for (const auto& v : c.values) n = SatAdd(n, Expanded(v.get()));
      }
      return n;
    });
  }
  bool FunctionOutOfLine(int i) {
    const ir::Function& f = p_.functions[i];
    // A result with a list (or a set held as a list) would point into the callee's scratch,
    // which its next call overwrites: such functions are always inlined.
    return FunctionSize(i) > kBodyBudget && IsFlat(f.result, types_);
  }
  bool LetInlined(int i) { return !Large() && LetSize(i) <= kBodyBudget; }
  bool OutputInlined(int o) { return !Large() && OutputSize(o) <= kBodyBudget; }

  // The module's expression nodes: every body emitted once, and inlined ones at each use. Over
  // kMaxNodes (functions with lists in their results, or tables, that double at every level), the
  // policy is for the interpreter.
  void CheckCodeSize() {
    size_t total = 0;
    for (size_t i = 0; i < p_.functions.size(); ++i) {
      if (FunctionOutOfLine(static_cast<int>(i))) total = SatAdd(total, FunctionSize(static_cast<int>(i)));
    }
    for (size_t i = 0; i < p_.lets.size(); ++i) total = SatAdd(total, LetSize(static_cast<int>(i)));
    for (size_t o = 0; o < p_.outputs.size(); ++o) total = SatAdd(total, OutputSize(static_cast<int>(o)));
    for (const ir::Obligation& o : p_.obligations) {
      total = SatAdd(total, SatAdd(Expanded(o.when.get()), SatAdd(Expanded(o.deadline.get()), Expanded(o.violated.get()))));
    }
    if (total <= kMaxNodes) return;
    // Point at the largest body: a function's, a table's or a let's.
    Span worst;
    size_t worst_size = 0;
    auto consider = [&](size_t n, Span span) {
      if (n > worst_size) {
        worst_size = n;
        worst = span;
      }
    };
    for (size_t i = 0; i < p_.functions.size(); ++i) consider(FunctionSize(static_cast<int>(i)), p_.functions[i].body->span());
    for (size_t i = 0; i < p_.tables.size(); ++i) consider(TableSize(static_cast<int>(i)), p_.tables[i].span);
    for (size_t i = 0; i < p_.lets.size(); ++i) consider(LetSize(static_cast<int>(i)), p_.lets[i].value->span());
    throw Unsupported{fmt::format("a policy whose functions and tables, emitted at each use, come to over {} expression "
                                  "nodes (a body that calls another several times, at every level)", kMaxNodes),
                      worst};
  }

  void DeclareHelpers(bool batch) {
    add_months_ = EmitAddMonths(batch);
    civil_ = llvm::Function::Create(llvm::FunctionType::get(i64_, {i64_, i64_}, false),
                                    llvm::Function::ExternalLinkage, "proviso_rt_civil", m_.get());
    slots_equal_ = llvm::Function::Create(llvm::FunctionType::get(i32_, {ptr_, ptr_, i64_}, false),
                                          llvm::Function::ExternalLinkage, "proviso_rt_slots_equal", m_.get());
    set_equal_ = llvm::Function::Create(llvm::FunctionType::get(i32_, {ptr_, i64_, ptr_, i64_, i64_}, false),
                                        llvm::Function::ExternalLinkage, "proviso_rt_set_equal", m_.get());
    for (llvm::Function* f : {civil_, slots_equal_, set_equal_}) {
      f->addFnAttr(llvm::Attribute::NoUnwind);
      f->setDoesNotThrow();
    }
    civil_->setDoesNotAccessMemory();
    slots_equal_->setOnlyReadsMemory();
    set_equal_->setOnlyReadsMemory();
  }

  // support/calendar.cc's AddMonths in IR, branch-free (no table, masked shifts), so that a
  // batch loop adding months to dates still vectorizes. For dates in the calendar (years 1 to
  // 9999) and months within the duration limit it computes exactly what AddMonths does; outside,
  // a harmless value that the caller's range check turns into a failure.
  // In the batch module it is inlined (the vectorizer needs straight-line code); in the row module
  // it stays a cold call, so that the common path (whole days) does not pay for its registers.
  llvm::Function* EmitAddMonths(bool inline_it) {
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

  llvm::Constant* I64(int64_t v) { return llvm::ConstantInt::get(i64_, v, true); }
  llvm::Constant* I32(int32_t v) { return llvm::ConstantInt::get(i32_, v, true); }
  llvm::Constant* True() { return llvm::ConstantInt::getTrue(c_); }
  llvm::Constant* False() { return llvm::ConstantInt::getFalse(c_); }

  llvm::BasicBlock* Block(const char* name) { return llvm::BasicBlock::Create(c_, name, fn_); }

  // Starts a function of the memo signature (ctx, facts, params, as_of) -> i32.
  void Begin(llvm::Function* f) {
    fn_ = f;
    auto it = f->arg_begin();
    ctx_ = &*it++;
    facts_ = &*it++;
    params_ = &*it++;
    as_of_ = &*it++;
    entry_ = llvm::BasicBlock::Create(c_, "entry", f);
    b_.SetInsertPoint(entry_);
    pred_ = nullptr;
    err_ = b_.CreateAlloca(i1_, nullptr, "failed");
    b_.CreateStore(False(), err_);
  }

  // Failure is data, not control flow: `cond` (i1) marks the evaluation as failed when the current
  // path predicate holds. Code after a failure goes on with harmless values (safe divisors, zero
  // payloads), which lets branches become selects without changing what fails.
  void FailIf(llvm::Value* cond) {
    if (auto* k = llvm::dyn_cast<llvm::ConstantInt>(cond); k && k->isZero()) return;
    llvm::Value* c = pred_ ? b_.CreateAnd(pred_, cond) : cond;
    b_.CreateStore(b_.CreateOr(b_.CreateLoad(i1_, err_), c), err_);
  }

  void Fail() { FailIf(True()); }

  llvm::Value* Status() { return b_.CreateZExt(b_.CreateLoad(i1_, err_), i32_); }

  llvm::Value* And(llvm::Value* a, llvm::Value* b) {
    if (!a) return b;
    if (auto* k = llvm::dyn_cast<llvm::ConstantInt>(a)) return k->isOne() ? b : False();
    if (auto* k = llvm::dyn_cast<llvm::ConstantInt>(b)) return k->isOne() ? a : False();
    return b_.CreateAnd(a, b);
  }

  // Evaluates `emit()` on the path where `cond` holds (failures count only there).
  template <typename F>
  auto Under(llvm::Value* cond, F emit) {
    llvm::Value* saved = pred_;
    pred_ = And(saved, cond);
    auto r = emit();
    pred_ = saved;
    return r;
  }

  CG Select(const Type* t, llvm::Value* c, const CG& x, const CG& y) {
    CG out;
    if (x.a) out.a = b_.CreateSelect(c, x.a, y.a);
    if (x.b) out.b = b_.CreateSelect(c, x.b, y.b);
    if (x.present || y.present) {
      out.present = b_.CreateSelect(c, x.present ? x.present : True(), y.present ? y.present : True());
    }
    (void)t;
    return out;
  }

  // Stores `v` at `p` when `c` holds, else keeps what is there.
  void StoreIf(const Type* t, llvm::Value* c, const CG& v, llvm::Value* p) {
    Store(t, Select(t, c, v, Load(t, p)), p);
  }

  // An i64 alloca in the entry block (promoted to registers by the optimiser).
  llvm::AllocaInst* Local(llvm::Type* t, int count = 1, const char* name = "") {
    llvm::IRBuilderBase::InsertPointGuard guard(b_);
    b_.SetInsertPoint(entry_, entry_->begin());
    return b_.CreateAlloca(t, I64(count), name);
  }

  llvm::Value* Slot(llvm::Value* base, int64_t k) { return k == 0 ? base : b_.CreateConstGEP1_64(i64_, base, k); }
  llvm::Value* SlotDyn(llvm::Value* base, llvm::Value* k) { return b_.CreateGEP(i64_, base, k); }
  llvm::Value* CtxSlot(int k) { return Slot(ctx_, k); }

  llvm::Value* Bool(llvm::Value* i64v) { return b_.CreateICmpNE(i64v, I64(0)); }
  llvm::Value* ToI64(llvm::Value* i1v) { return b_.CreateZExt(i1v, i64_); }

  [[noreturn]] void Unsupport(const std::string& what, const Expr* e) {
    throw Unsupported{what, e ? e->span() : Span{}};
  }

  // ---------------------------------------------------------------- slots <-> values

  CG Load(const Type* t, llvm::Value* p) {
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

  void Store(const Type* t, const CG& v, llvm::Value* p) {
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
      case TypeKind::kRecord: {
        const RecordInfo& r = types_.record_info(t->index);
        for (size_t f = 0; f < r.fields.size(); ++f) {
          int off = FieldOffset(t->index, static_cast<int>(f), types_);
          Store(r.fields[f].type, Load(r.fields[f].type, Slot(v.a, off)), Slot(p, off));
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
  CG Zero(const Type* t) {
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
  CG Coerce(CG v, const Type* from, const Type* to) {
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

  // if cond then a else b, with real branches (for sides too costly to evaluate off their path).
  template <typename Then, typename Else>
  CG Diamond(llvm::Value* cond, const Type* t, Then then_emit, Else else_emit) {
    llvm::BasicBlock* then_bb = Block("then");
    llvm::BasicBlock* else_bb = Block("else");
    llvm::BasicBlock* done = Block("endif");
    b_.CreateCondBr(cond, then_bb, else_bb);
    b_.SetInsertPoint(then_bb);
    CG x = then_emit();
    llvm::BasicBlock* then_end = b_.GetInsertBlock();
    b_.CreateBr(done);
    b_.SetInsertPoint(else_bb);
    CG y = else_emit();
    llvm::BasicBlock* else_end = b_.GetInsertBlock();
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    return Phi(t, {{x, then_end}, {y, else_end}});
  }

  // Merges values arriving from several blocks into the current block.
  CG Phi(const Type* t, const std::vector<std::pair<CG, llvm::BasicBlock*>>& in) {
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
    return out;
  }

  // ---------------------------------------------------------------- constants

  void FlattenConstant(const Value& v, const Type* t, std::vector<llvm::Constant*>& out) {
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
        for (size_t f = 0; f < r.fields.size(); ++f) FlattenConstant(v.elems()[f], r.fields[f].type, out);
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
  llvm::Constant* ConstantArray(const std::vector<Value>& items, const Type* elem) {
    std::vector<llvm::Constant*> slots;
    for (const Value& x : items) FlattenConstant(x, elem, slots);
    if (slots.empty()) slots.push_back(I64(0));
    auto* ty = llvm::ArrayType::get(i64_, slots.size());
    auto* g = new llvm::GlobalVariable(*m_, ty, true, llvm::GlobalValue::PrivateLinkage,
                                       llvm::ConstantArray::get(ty, slots), "const");
    g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    return g;
  }

  CG Constant(const Value& v, const Type* t) {
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

  // ---------------------------------------------------------------- comparisons

  // i1: a == b (language equality; optional absent equals only absent).
  llvm::Value* Equal(const Type* ta, CG a, const Type* tb, CG b, const Expr* at) {
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
        llvm::Value* all = True();
        const RecordInfo& r = types_.record_info(ta->index);
        for (size_t f = 0; f < r.fields.size(); ++f) {
          int off = FieldOffset(ta->index, static_cast<int>(f), types_);
          const Type* ft = r.fields[f].type;
          all = b_.CreateAnd(all, Equal(ft, Load(ft, Slot(a.a, off)), ft, Load(ft, Slot(b.a, off)), at));
        }
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
  llvm::Value* ListsEqual(const Type* t, const CG& a, const CG& b, const Expr* at) {
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

  llvm::Value* Bool32(llvm::Value* v) { return b_.CreateICmpNE(v, I32(0)); }

  // i1: `cond` and, only when it holds, `rest()` (emitted in a block of its own, `name`).
  template <typename Rest>
  llvm::Value* AndThen(llvm::Value* cond, const char* name, Rest rest) {
    llvm::BasicBlock* from = b_.GetInsertBlock();
    llvm::BasicBlock* then = Block(name);
    llvm::BasicBlock* done = Block("and.done");
    b_.CreateCondBr(cond, then, done);
    b_.SetInsertPoint(then);
    llvm::Value* v = rest();
    llvm::BasicBlock* end = b_.GetInsertBlock();
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    llvm::PHINode* phi = b_.CreatePHI(i1_, 2);
    phi->addIncoming(False(), from);
    phi->addIncoming(v, end);
    return phi;
  }

  // i1: the language's ordered comparison (and == / != through Equal).
  llvm::Value* Compare(BinOp op, const Type* ta, CG a, const Type* tb, CG b, const Expr* at) {
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

  llvm::Value* Checked(llvm::Intrinsic::ID id, llvm::Value* x, llvm::Value* y) {
    llvm::Function* f = llvm::Intrinsic::getDeclaration(m_.get(), id, {i64_});
    llvm::Value* r = b_.CreateCall(f, {x, y});
    FailIf(b_.CreateExtractValue(r, 1));
    return b_.CreateExtractValue(r, 0);
  }

  llvm::Value* Outside(llvm::Value* v, int64_t limit) {
    return b_.CreateOr(b_.CreateICmpSGT(v, I64(limit)), b_.CreateICmpSLT(v, I64(-limit)));
  }

  // date + sign * duration, within the calendar (years 1 to 9999), as the interpreter: a duration
  // beyond the limits (kMaxMonths, kMaxDays) fails, and so does a result outside the calendar.
  // Months are rare: only they take a branch, to add_months, which alone needs them in range (and
  // there the days are checked too, since months can carry a date beyond the calendar for days to
  // bring back). With no months, the days' limit needs no check of its own: from a date in the
  // calendar, a sum the 64-bit addition wraps lands outside it, and one that does not is outside
  // whenever the days are beyond the limit (more than the calendar's span).
  llvm::Value* Shift(llvm::Value* date, llvm::Value* days, llvm::Value* months, int sign) {
    if (sign < 0) {
      months = b_.CreateNeg(months);
      days = b_.CreateNeg(days);
    }
    llvm::Value* moved = date;
    llvm::Value* too_far = False();
    if (auto* k = llvm::dyn_cast<llvm::ConstantInt>(months); !k || !k->isZero()) {
      adds_months_ = true;
      llvm::BasicBlock* from = b_.GetInsertBlock();
      llvm::BasicBlock* call = Block("add_months");
      llvm::BasicBlock* done = Block("added");
      b_.CreateCondBr(b_.CreateICmpEQ(months, I64(0)), done, call);
      b_.SetInsertPoint(call);
      llvm::Value* beyond = b_.CreateOr(Outside(months, kMaxMonths), Outside(days, kMaxDays));
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
      moved = phi;
      too_far = bad;
    }
    llvm::Value* r = b_.CreateAdd(moved, days);
    llvm::Value* failed = b_.CreateOr(too_far, b_.CreateOr(b_.CreateICmpSLT(r, I64(kFirstDay)), b_.CreateICmpSGT(r, I64(kLastDay))));
    FailIf(failed);
    return b_.CreateSelect(failed, date, r);  // a harmless date after a failure
  }

  CG Arith(const Expr& e, const Type* ta, CG a, const Type* tb, CG b) {
    CG r;
    bool dur_a = ta->kind == TypeKind::kDuration, dur_b = tb->kind == TypeKind::kDuration;
    bool date_a = ta->kind == TypeKind::kDate, date_b = tb->kind == TypeKind::kDate;
    bool dec = ta->kind == TypeKind::kDecimal;
    using llvm::Intrinsic::sadd_with_overflow;
    using llvm::Intrinsic::smul_with_overflow;
    using llvm::Intrinsic::ssub_with_overflow;
    switch (e.bop) {
      case BinOp::kAdd:
        if (date_a && dur_b) { r.a = Shift(a.a, b.a, b.b, 1); return r; }
        if (dur_a && date_b) { r.a = Shift(b.a, a.a, a.b, 1); return r; }
        if (dur_a) { r.b = Checked(sadd_with_overflow, a.b, b.b); r.a = Checked(sadd_with_overflow, a.a, b.a); return r; }
        r.a = Checked(sadd_with_overflow, a.a, b.a);
        return r;
      case BinOp::kSub:
        if (date_a && dur_b) { r.a = Shift(a.a, b.a, b.b, -1); return r; }
        if (date_a && date_b) { r.a = b_.CreateSub(a.a, b.a); r.b = I64(0); return r; }
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

  llvm::Value* Narrow(llvm::Value* v128) {
    llvm::Value* too_big = b_.CreateICmpSGT(v128, llvm::ConstantInt::get(i128_, INT64_MAX));
    llvm::Value* too_small = b_.CreateICmpSLT(v128, llvm::ConstantInt::get(i128_, INT64_MIN, true));
    FailIf(b_.CreateOr(too_big, too_small));
    return b_.CreateTrunc(v128, i64_);
  }

  // ---------------------------------------------------------------- expressions

  CG Emit(const Expr& e) {
    switch (e.op) {
      case Op::kConst: return Constant(e.constant, e.type);
      case Op::kInput: {
        const Type* t = types_.record_info(p_.input_record).fields[e.index].type;
        return Load(t, Slot(facts_, FieldOffset(p_.input_record, e.index, types_)));
      }
      case Op::kParam: {
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
      case Op::kAsOf: { CG v; v.a = as_of_; return v; }
      case Op::kField: {
        const Type* bt = e.args[0]->type;
        CG base = Emit(*e.args[0]);
        if (bt->kind == TypeKind::kOptional) {
          FailIf(b_.CreateNot(base.present));
          bt = bt->elem;
        }
        const Type* ft = types_.record_info(bt->index).fields[e.index].type;
        return Load(ft, Slot(base.a, FieldOffset(bt->index, e.index, types_)));
      }
      case Op::kNeg: {
        CG v = Emit(*e.args[0]);
        if (e.type->kind == TypeKind::kInt) FailIf(b_.CreateICmpEQ(v.a, I64(INT64_MIN)));
        v.a = b_.CreateNeg(v.a);
        if (v.b) v.b = b_.CreateNeg(v.b);
        return v;
      }
      case Op::kNot: { CG v = Emit(*e.args[0]); v.a = b_.CreateXor(v.a, I64(1)); return v; }
      case Op::kAnd:
      case Op::kOr: return ShortCircuit(e);
      case Op::kArith: return Arith(e, e.args[0]->type, Emit(*e.args[0]), e.args[1]->type, Emit(*e.args[1]));
      case Op::kCompare: {
        if (CG v; Shared(e, v)) return v;
        CG a = Emit(*e.args[0]);
        CG b = Emit(*e.args[1]);
        CG v;
        v.a = ToI64(Compare(e.bop, e.args[0]->type, a, e.args[1]->type, b, &e));
        return v;
      }
      case Op::kIn: {
        if (CG v; Shared(e, v)) return v;
        return In(e);
      }
      case Op::kCoalesce: {
        const Type* at = e.args[0]->type;
        CG a = Emit(*e.args[0]);
        if (Cheap(*e.args[1])) {
          CG payload = a;
          payload.present = nullptr;
          payload = Coerce(payload, at->elem, e.type);
          CG d = Under(b_.CreateNot(a.present), [&] { return Coerce(Emit(*e.args[1]), e.args[1]->type, e.type); });
          return Select(e.type, a.present, payload, d);
        }
        CG payload = a;
        payload.present = nullptr;
        return Diamond(
            a.present, e.type, [&] { return Coerce(payload, at->elem, e.type); },
            [&] { return Coerce(Emit(*e.args[1]), e.args[1]->type, e.type); });
      }
      case Op::kIsPresent: {
        CG a = Emit(*e.args[0]);
        CG v;
        llvm::Value* p = a.present ? a.present : True();
        v.a = ToI64(e.negated ? b_.CreateNot(p) : p);
        return v;
      }
      case Op::kIf: {
        llvm::Value* cond = Bool(Emit(*e.args[0]).a);
        if (Cheap(*e.args[1]) && Cheap(*e.args[2])) {
          CG x = Under(cond, [&] { return Coerce(Emit(*e.args[1]), e.args[1]->type, e.type); });
          CG y = Under(b_.CreateNot(cond), [&] { return Coerce(Emit(*e.args[2]), e.args[2]->type, e.type); });
          return Select(e.type, cond, x, y);
        }
        return Diamond(
            cond, e.type, [&] { return Coerce(Emit(*e.args[1]), e.args[1]->type, e.type); },
            [&] { return Coerce(Emit(*e.args[2]), e.args[2]->type, e.type); });
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
        for (size_t f = 0; f < r.fields.size(); ++f) {
          CG v = Coerce(Emit(*e.args[f]), e.args[f]->type, r.fields[f].type);
          Store(r.fields[f].type, v, Slot(base, FieldOffset(rt->index, static_cast<int>(f), types_)));
        }
        CG out;
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

  CG Memo(llvm::Function* f, int flag, int value, const Type* t) {
    llvm::BasicBlock* compute = Block("memo.compute");
    llvm::BasicBlock* done = Block("memo.done");
    b_.CreateCondBr(Bool(b_.CreateLoad(i64_, CtxSlot(flag))), done, compute);
    b_.SetInsertPoint(compute);
    b_.CreateCall(f, {ctx_, facts_, params_, as_of_});
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    // The value failed to evaluate: that matters only where it is used.
    FailIf(b_.CreateICmpNE(b_.CreateLoad(i64_, CtxSlot(flag + 1)), I64(0)));
    return Load(t, CtxSlot(value));
  }

  // Cheap: no loop and nothing that fails often, so evaluating it off its path costs little.
  // Such expressions are evaluated speculatively (selects instead of branches).
  bool Cheap(const Expr& e) {
    switch (e.op) {
      case Op::kQuant: case Op::kMakeSet: return false;
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

  CG ShortCircuit(const Expr& e) {
    bool is_and = e.op == Op::kAnd;
    llvm::Value* l = Bool(Emit(*e.args[0]).a);
    if (Cheap(*e.args[1])) {
      // The right side is evaluated on the path where it matters; no branch.
      llvm::Value* r = Under(is_and ? l : b_.CreateNot(l), [&] { return Bool(Emit(*e.args[1]).a); });
      CG v;
      v.a = ToI64(is_and ? b_.CreateAnd(l, r) : b_.CreateOr(l, r));
      return v;
    }
    llvm::BasicBlock* from = b_.GetInsertBlock();
    llvm::BasicBlock* rhs = Block(is_and ? "and.rhs" : "or.rhs");
    llvm::BasicBlock* done = Block(is_and ? "and.end" : "or.end");
    if (is_and) b_.CreateCondBr(l, rhs, done);
    else b_.CreateCondBr(l, done, rhs);
    b_.SetInsertPoint(rhs);
    llvm::Value* r = Bool(Emit(*e.args[1]).a);
    llvm::BasicBlock* rhs_end = b_.GetInsertBlock();
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    llvm::PHINode* phi = b_.CreatePHI(i1_, 2);
    phi->addIncoming(is_and ? False() : True(), from);
    phi->addIncoming(r, rhs_end);
    CG v;
    v.a = ToI64(phi);
    return v;
  }

  // A loop over the elements of a list or set. `body(element)` emits the per-element code and
  // returns true to leave the loop early (to `exit`).
  template <typename Body>
  void ForEach(const Type* coll_type, const CG& coll, Body body) {
    if (IsBitset(coll_type, types_)) {
      // The codes of the set bits, lowest first (a set's order).
      llvm::AllocaInst* rest = Local(i64_, 1, "bits");
      b_.CreateStore(coll.a, rest);
      llvm::BasicBlock* head = Block("bits.head");
      llvm::BasicBlock* step = Block("bits.body");
      llvm::BasicBlock* exit = Block("bits.exit");
      b_.CreateBr(head);
      b_.SetInsertPoint(head);
      llvm::Value* r = b_.CreateLoad(i64_, rest);
      b_.CreateCondBr(b_.CreateICmpNE(r, I64(0)), step, exit);
      b_.SetInsertPoint(step);
      CG x;
      x.a = b_.CreateBinaryIntrinsic(llvm::Intrinsic::cttz, r, True());
      b_.CreateStore(b_.CreateAnd(r, b_.CreateSub(r, I64(1))), rest);
      body(x, exit);
      b_.CreateBr(head);
      b_.SetInsertPoint(exit);
      return;
    }
    const Type* elem = coll_type->elem;
    int stride = Slots(elem, types_);
    llvm::AllocaInst* idx = Local(i64_, 1, "i");
    b_.CreateStore(I64(0), idx);
    llvm::BasicBlock* head = Block("loop.head");
    llvm::BasicBlock* step = Block("loop.body");
    llvm::BasicBlock* exit = Block("loop.exit");
    b_.CreateBr(head);
    b_.SetInsertPoint(head);
    llvm::Value* i = b_.CreateLoad(i64_, idx);
    b_.CreateCondBr(b_.CreateICmpSLT(i, coll.b), step, exit);
    b_.SetInsertPoint(step);
    CG x = Load(elem, SlotDyn(coll.a, b_.CreateMul(i, I64(stride))));
    body(x, exit);
    b_.CreateStore(b_.CreateAdd(i, I64(1)), idx);
    b_.CreateBr(head);
    b_.SetInsertPoint(exit);
  }

  // A membership test `fact in set` that can be computed at the start of a row: its element reads
  // only facts and constants, its set is a constant or a param that always has a value, so it can
  // neither fail nor depend on anything else. Those made more than once share one computation.
  bool RowInvariant(const Expr& e) {
    switch (e.op) {
      case Op::kConst: case Op::kInput: return true;
      case Op::kField: return e.args[0]->type->kind != TypeKind::kOptional && RowInvariant(*e.args[0]);
      case Op::kParam:
        return std::any_of(p_.params[e.index].versions.begin(), p_.params[e.index].versions.end(),
                           [](const ir::ParamVersion& v) { return v.effective.from == INT64_MIN && v.effective.until == INT64_MAX; });
      default: return false;
    }
  }

  // What a row-invariant expression computes, from its IR (not its source text, which can print
  // the same for different expressions): its operation, type, operands and constants.
  std::string Key(const Expr& e) const {
    std::string k = fmt::format("({} {} {} {} {} {}", static_cast<int>(e.op), static_cast<const void*>(e.type), e.index,
                                static_cast<int>(e.bop), e.negated ? 1 : 0,
                                e.op == Op::kConst ? FormatValue(e.constant, e.type, types_) : "");
    for (const auto& a : e.args) k += Key(*a);
    return k + ")";
  }

  // Whether `e` is computed once per row (FindSharedExprs); if so `v` is its value, and its
  // failure, if it failed, counts here.
  bool Shared(const Expr& e, CG& v) {
    if (computing_shared_ || !RowInvariant(*e.args[0]) || !RowInvariant(*e.args[1])) return false;
    auto shared = shared_.find(Key(e));
    if (shared == shared_.end()) return false;
    if (shared->second.fail_slot >= 0) FailIf(Bool(b_.CreateLoad(i64_, CtxSlot(shared->second.fail_slot))));
    v.a = b_.CreateLoad(i64_, CtxSlot(shared->second.slot));
    return true;
  }

  // Candidates for sharing, by key: the first expression of that key, its count, its rank in
  // source order.
  struct Candidate {
    const Expr* expr;
    int count;
    size_t rank;
  };

  void CollectShared(const Expr* e, std::map<std::string, Candidate>& found) {
    if (!e) return;
    bool membership = e->op == Op::kIn && (e->args[1]->op == Op::kParam || e->args[1]->op == Op::kConst) &&
                      IsFlat(e->args[0]->type, types_);
    bool comparison = e->op == Op::kCompare && IsFlat(e->args[0]->type, types_) && IsFlat(e->args[1]->type, types_);
    if ((membership || comparison) && RowInvariant(*e->args[0]) && RowInvariant(*e->args[1])) {
      ++found.try_emplace(Key(*e), Candidate{e, 0, found.size()}).first->second.count;
    }
    for (const auto& a : e->args) CollectShared(a.get(), found);
  }

  void FindSharedExprs() {
    std::map<std::string, Candidate> found;
    for (const ir::Let& l : p_.lets) CollectShared(l.value.get(), found);
    for (const ir::Rule& r : p_.rules) {
      CollectShared(r.when.get(), found);
      CollectShared(r.value.get(), found);
    }
    for (const ir::Obligation& o : p_.obligations) {
      CollectShared(o.when.get(), found);
      CollectShared(o.deadline.get(), found);
      CollectShared(o.violated.get(), found);
    }
    std::vector<const std::pair<const std::string, Candidate>*> order;  // computed in source order
    for (const auto& entry : found)
      if (entry.second.count >= 2) order.push_back(&entry);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->second.rank < b->second.rank; });
    for (const auto* entry : order) {
      const Expr* e = entry->second.expr;
      int slot = Alloc(1);
      shared_order_.push_back(&(shared_[entry->first] = SharedExpr{e, slot, e->op == Op::kCompare ? Alloc(1) : -1}));
    }
  }

  // Membership. Equality cannot fail, so the loop has no early exit: its trip count is the
  // collection's size, the same on every row for a param or constant set (no misprediction).
  CG In(const Expr& e) {
    const Type* xt = e.args[0]->type;
    const Type* ct = e.args[1]->type;
    CG x = Emit(*e.args[0]);
    CG coll = Emit(*e.args[1]);
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
  llvm::Value* BitmapTest(llvm::Value* words, llvm::Value* bound, llvm::Value* x) {
    llvm::Value* inside = b_.CreateICmpULT(x, bound);
    llvm::Value* k = b_.CreateSelect(inside, x, I64(0));
    llvm::Value* word = b_.CreateLoad(i64_, SlotDyn(words, b_.CreateLShr(k, I64(6))));
    return b_.CreateAnd(inside, b_.CreateTrunc(b_.CreateLShr(word, b_.CreateAnd(k, I64(63))), i1_));
  }

  // i1: `x` (an enum code or a text id) is in `set`, a constant set of such values (a specialised
  // param): comparisons with a few members, else a constant bitmap.
  llvm::Value* ConstantSetTest(const Value& set, llvm::Value* x) {
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

  // Accumulators live in entry-block allocas so that loops and branches need no phis.
  struct Acc {
    const Type* type;
    llvm::AllocaInst* slots;
    llvm::AllocaInst* have;
  };

  // A zero-initialised accumulator: it may be read speculatively before anything is stored.
  Acc NewAcc(const Type* t) {
    Acc a{t, Local(i64_, Slots(t, types_), "acc"), Local(i1_, 1, "have")};
    b_.CreateStore(False(), a.have);
    Store(t, Zero(t), a.slots);
    return a;
  }

  CG Quant(const Expr& e) {
    const Type* ct = e.args[0]->type;
    CG coll = Emit(*e.args[0]);
    const Expr& body = *e.args[1];
    CG saved = locals_.at(e.index);
    CG result;
    switch (e.quant) {
      case ast::QuantKind::kAny:
      case ast::QuantKind::kAll: {
        bool any = e.quant == ast::QuantKind::kAny;
        llvm::AllocaInst* r = Local(i64_, 1, "quant");
        b_.CreateStore(I64(any ? 0 : 1), r);
        ForEach(ct, coll, [&](const CG& x, llvm::BasicBlock* exit) {
          locals_[e.index] = x;
          llvm::Value* c = Bool(Emit(body).a);
          llvm::BasicBlock* decided = Block("quant.decided");
          llvm::BasicBlock* next = Block("quant.next");
          b_.CreateCondBr(any ? c : b_.CreateNot(c), decided, next);
          b_.SetInsertPoint(decided);
          b_.CreateStore(I64(any ? 1 : 0), r);
          b_.CreateBr(exit);
          b_.SetInsertPoint(next);
        });
        result.a = b_.CreateLoad(i64_, r);
        break;
      }
      case ast::QuantKind::kCount: {
        llvm::AllocaInst* n = Local(i64_, 1, "count");
        b_.CreateStore(I64(0), n);
        ForEach(ct, coll, [&](const CG& x, llvm::BasicBlock*) {
          locals_[e.index] = x;
          llvm::Value* c = Emit(body).a;
          b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64_, n), c), n);
        });
        result.a = b_.CreateLoad(i64_, n);
        break;
      }
      case ast::QuantKind::kSum:
      case ast::QuantKind::kMin:
      case ast::QuantKind::kMax: {
        Acc acc = NewAcc(e.type);
        ForEach(ct, coll, [&](const CG& x, llvm::BasicBlock*) {
          locals_[e.index] = x;
          CG v = Emit(body);
          Accumulate(e, acc, v, e.quant == ast::QuantKind::kSum ? 0 : e.quant == ast::QuantKind::kMin ? 1 : 2);
        });
        result = Finish(e, acc, e.quant == ast::QuantKind::kSum);
        break;
      }
    }
    locals_[e.index] = saved;
    return result;
  }

  // kind: 0 sum, 1 min, 2 max, 3 all equal (`hit any`: a different value fails).
  void Accumulate(const Expr& at, Acc& acc, const CG& v, int kind) {
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
      llvm::Value* better = Compare(kind == 1 ? BinOp::kLt : BinOp::kGt, acc.type, v, acc.type, cur, &at);
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
  void ZeroIfEmpty(Acc& acc) {
    llvm::BasicBlock* empty = Block("acc.empty");
    llvm::BasicBlock* done = Block("acc.result");
    b_.CreateCondBr(b_.CreateLoad(i1_, acc.have), done, empty);
    b_.SetInsertPoint(empty);
    Store(acc.type, Zero(acc.type), acc.slots);
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
  }

  // The accumulated value; a sum of nothing is zero, a min/max of nothing is a failure.
  CG Finish(const Expr&, Acc& acc, bool zero_if_empty) {
    if (zero_if_empty) ZeroIfEmpty(acc);
    else FailIf(b_.CreateNot(b_.CreateLoad(i1_, acc.have)));
    return Load(acc.type, acc.slots);
  }

  CG MakeCollection(const Expr& e) {
    const Type* elem = e.type->elem;
    int n = static_cast<int>(e.args.size());
    CG out;
    if (IsBitset(e.type, types_)) {
      llvm::Value* bits = I64(0);
      for (int k = 0; k < n; ++k) {
        CG v = Coerce(Emit(*e.args[k]), e.args[k]->type, elem);
        bits = b_.CreateOr(bits, b_.CreateShl(I64(1), b_.CreateAnd(v.a, I64(63))));
      }
      out.a = bits;
      return out;
    }
    int stride = Slots(elem, types_);
    int region = Alloc(std::max(1, n * stride));
    llvm::Value* base = CtxSlot(region);
    out.a = base;
    if (e.op == Op::kMakeList) {
      for (int k = 0; k < n; ++k) Store(elem, Coerce(Emit(*e.args[k]), e.args[k]->type, elem), Slot(base, k * stride));
      out.b = I64(n);
      return out;
    }
    // A set keeps one copy of each value: append an element only if no earlier one equals it.
    std::vector<CG> values;
    for (int k = 0; k < n; ++k) values.push_back(Coerce(Emit(*e.args[k]), e.args[k]->type, elem));
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

  CG Match(const Expr& e) {
    CG s = Emit(*e.args[0]);
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

  // i1: does cell `c` accept the column value `x`? Cells are tried left to right by the caller.
  llvm::Value* Cell(const Expr& at, const ir::Cell& c, const Type* xt, const CG& x) {
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

  // A table whose columns are all enums or bools and whose cells and results are constants is
  // decided at compile time for every combination of inputs: the call becomes an array lookup.
  struct Dense {
    std::vector<int64_t> sizes;      // domain size of each column
    std::vector<int64_t> values;     // result of each combination (scalar slot)
    std::vector<int8_t> fails;       // 1: no decision for this combination
  };

  std::optional<Dense> DenseForm(const ir::Table& t) {
    if (t.hit == ast::HitPolicy::kCollect) return std::nullopt;
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

  CG DenseTable(const Dense& d, const std::vector<CG>& args) {
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

  CG Table(const Expr& e) {
    const ir::Table& t = p_.tables[e.index];
    std::vector<CG> args;
    for (size_t i = 0; i < e.args.size(); ++i) args.push_back(Coerce(Emit(*e.args[i]), e.args[i]->type, t.params[i]));
    if (auto dense = DenseForm(t)) return DenseTable(*dense, args);
    std::vector<CG> saved = locals_;
    locals_.assign(std::max<size_t>(p_.max_locals, 1), CG{});
    for (size_t i = 0; i < args.size(); ++i) locals_[i] = args[i];

    // Which rows match (cells left to right, stopping at the first that fails).
    size_t rows = t.rows.size();
    std::vector<llvm::Value*> matched(rows, nullptr);
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

    const Type* rt = t.result;
    CG result;
    auto eval_row = [&](size_t r) { return Coerce(Emit(*t.rows[r].result), t.rows[r].result->type, rt); };
    auto count_matches = [&]() {
      llvm::Value* n = I64(0);
      for (size_t r = 0; r < rows; ++r) n = b_.CreateAdd(n, ToI64(b_.CreateLoad(i1_, matched[r])));
      return n;
    };
    auto no_match_default = [&](llvm::Value* none_matched, Acc& acc) {
      // No row: the default row, else a failure.
      llvm::BasicBlock* dflt = Block("table.default");
      llvm::BasicBlock* done = Block("table.result");
      b_.CreateCondBr(none_matched, dflt, done);
      b_.SetInsertPoint(dflt);
      if (t.default_result) {
        Store(rt, Coerce(Emit(*t.default_result), t.default_result->type, rt), acc.slots);
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

    if (t.hit == ast::HitPolicy::kCollect) {
      switch (t.aggregator) {
        case ast::Aggregator::kNone: {
          int stride = Slots(rt, types_);
          int region = Alloc(std::max<int>(1, static_cast<int>(rows) * stride));
          llvm::Value* base = CtxSlot(region);
          llvm::AllocaInst* len = Local(i64_, 1, "collect.len");
          b_.CreateStore(I64(0), len);
          for_matched([&](CG v) {
            llvm::Value* at = b_.CreateLoad(i64_, len);
            Store(rt, v, SlotDyn(base, b_.CreateMul(at, I64(stride))));
            b_.CreateStore(b_.CreateAdd(at, I64(1)), len);
          });
          result.a = base;
          result.b = b_.CreateLoad(i64_, len);
          break;
        }
        case ast::Aggregator::kCount: {
          for_matched([&](CG) {});  // results are still evaluated, as the interpreter does
          result.a = count_matches();
          break;
        }
        case ast::Aggregator::kSum: {
          Acc acc = NewAcc(rt);
          for_matched([&](CG v) { Accumulate(e, acc, v, 0); });
          if (t.default_result) {  // it replaces the 0 of no matching row
            no_match_default(b_.CreateNot(b_.CreateLoad(i1_, acc.have)), acc);
            result = Load(rt, acc.slots);
          } else {
            result = Finish(e, acc, true);
          }
          break;
        }
        default: {
          Acc acc = NewAcc(rt);
          int kind = t.aggregator == ast::Aggregator::kMin ? 1 : 2;
          for_matched([&](CG v) { Accumulate(e, acc, v, kind); });
          no_match_default(b_.CreateNot(b_.CreateLoad(i1_, acc.have)), acc);
          result = Load(rt, acc.slots);
          break;
        }
      }
      locals_ = saved;
      return result;
    }

    Acc acc = NewAcc(rt);
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
          Store(rt, eval_row(r), acc.slots);
          b_.CreateStore(True(), acc.have);
          b_.CreateBr(done);
          b_.SetInsertPoint(skip);
        }
        b_.CreateBr(done);
        b_.SetInsertPoint(done);
        break;
      }
      case ast::HitPolicy::kAny:
        for_matched([&](CG v) { Accumulate(e, acc, v, 3); });  // every match must agree
        break;
      case ast::HitPolicy::kPriority:
        // The earliest enum value among the matched results wins.
        for_matched([&](CG v) { Accumulate(e, acc, v, 1); });
        break;
      default: Unsupport("this hit policy", &e);
    }
    no_match_default(b_.CreateNot(b_.CreateLoad(i1_, acc.have)), acc);
    locals_ = saved;
    return Load(rt, acc.slots);
  }

  CG Builtin(const Expr& e) {
    CG out;
    switch (e.builtin) {
      case ast::Builtin::kMin:
      case ast::Builtin::kMax: {
        int kind = e.builtin == ast::Builtin::kMin ? 1 : 2;
        Acc acc = NewAcc(e.type);
        if (e.args.size() == 1) {
          CG coll = Emit(*e.args[0]);
          ForEach(e.args[0]->type, coll, [&](const CG& x, llvm::BasicBlock*) { Accumulate(e, acc, x, kind); });
        } else {
          for (const auto& a : e.args) Accumulate(e, acc, Coerce(Emit(*a), a->type, e.type), kind);
        }
        return Finish(e, acc, false);
      }
      case ast::Builtin::kCount: {
        CG coll = Emit(*e.args[0]);
        out.a = IsBitset(e.args[0]->type, types_) ? b_.CreateUnaryIntrinsic(llvm::Intrinsic::ctpop, coll.a) : coll.b;
        return out;
      }
      case ast::Builtin::kSum: {
        Acc acc = NewAcc(e.type);
        CG coll = Emit(*e.args[0]);
        ForEach(e.args[0]->type, coll, [&](const CG& x, llvm::BasicBlock*) { Accumulate(e, acc, x, 0); });
        return Finish(e, acc, true);
      }
      case ast::Builtin::kYear:
      case ast::Builtin::kMonth:
      case ast::Builtin::kDay: {
        int which = e.builtin == ast::Builtin::kYear ? 0 : e.builtin == ast::Builtin::kMonth ? 1 : 2;
        out.a = b_.CreateCall(civil_, {Emit(*e.args[0]).a, I64(which)});
        return out;
      }
      case ast::Builtin::kDays: {
        CG d = Emit(*e.args[0]);
        FailIf(b_.CreateICmpNE(d.b, I64(0)));
        out.a = d.a;
        return out;
      }
    }
    Unsupport("this builtin", &e);
  }

  // ---------------------------------------------------------------- default logic

  bool InForceAlways(const ir::Effective& eff) { return eff.from == INT64_MIN && eff.until == INT64_MAX; }

  llvm::Value* InForce(const ir::Effective& eff) {
    if (InForceAlways(eff)) return True();
    llvm::Value* ok = True();
    if (eff.from != INT64_MIN) ok = b_.CreateAnd(ok, b_.CreateICmpSGE(as_of_, I64(eff.from)));
    if (eff.until != INT64_MAX) ok = b_.CreateAnd(ok, b_.CreateICmpSLT(as_of_, I64(eff.until)));
    return ok;
  }

  // Evaluates every rule of a sibling group, then keeps the highest priority applicable value; two
  // applicable at that priority fail. Result in `acc` (have = yielded; empty on entry).
  // Straight-line: levels from the lowest priority up, each one that yields overriding the value
  // so far; a conflict within a level fails only if no higher level yields.
  void Choose(const std::vector<int>& group, const Type* t, Acc& acc) {
    std::vector<Acc> yields;
    for (int r : group) {
      Acc y = NewAcc(t);
      RuleValue(r, t, y);
      yields.push_back(y);
    }
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
        conflict[l] = conflict[l] ? b_.CreateOr(conflict[l], both) : both;
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

  void RuleValue(int r, const Type* t, Acc& out) {
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

  // ---------------------------------------------------------------- functions

  void EmitLetFunction(int i) {
    Begin(let_fn_[i]);
    locals_.assign(std::max(p_.max_locals, 1), CG{});
    const ir::Let& l = p_.lets[i];
    CG v = Coerce(Emit(*l.value), l.value->type, l.type);
    Store(l.type, v, CtxSlot(let_value_[i]));
    b_.CreateStore(I64(1), CtxSlot(let_flag_[i]));
    b_.CreateStore(b_.CreateZExt(b_.CreateLoad(i1_, err_), i64_), CtxSlot(let_flag_[i] + 1));
    b_.CreateRet(Status());
  }

  // Arguments and result pass through regions of the scratch that belong to the call site, so
  // nested calls (`f(f(x))`) do not overwrite each other; parameters are read in place.
  std::vector<int> ParamOffsets(const ir::Function& f, int* slots) {
    std::vector<int> offsets;
    *slots = 0;
    for (const Type* t : f.params) {
      offsets.push_back(*slots);
      *slots += std::max(Slots(t, types_), 1);
    }
    return offsets;
  }

  CG Call(int i, const std::vector<CG>& args) {
    const ir::Function& f = p_.functions[i];
    int slots = 0;
    std::vector<int> offsets = ParamOffsets(f, &slots);
    int in = Alloc(slots);
    int out = Alloc(Slots(f.result, types_));
    for (size_t k = 0; k < args.size(); ++k) Store(f.params[k], args[k], CtxSlot(in + offsets[k]));
    llvm::Value* status = b_.CreateCall(fn_callee_[i], {ctx_, facts_, params_, as_of_, CtxSlot(in), CtxSlot(out)});
    FailIf(b_.CreateICmpNE(status, llvm::ConstantInt::get(i32_, 0)));
    return Load(f.result, CtxSlot(out));
  }

  void EmitCalledFunction(int i) {
    const ir::Function& f = p_.functions[i];
    Begin(fn_callee_[i]);
    llvm::Value* in = &*(fn_->arg_begin() + 4);
    llvm::Value* out = &*(fn_->arg_begin() + 5);
    int slots = 0;
    std::vector<int> offsets = ParamOffsets(f, &slots);
    locals_.assign(std::max(p_.max_locals, 1), CG{});
    for (size_t k = 0; k < f.params.size(); ++k) locals_[k] = Load(f.params[k], Slot(in, offsets[k]));
    Store(f.result, Coerce(Emit(*f.body), f.body->type, f.result), out);
    b_.CreateRet(Status());
  }

  void EmitOutputFunction(int o) {
    Begin(out_fn_[o]);
    locals_.assign(std::max(p_.max_locals, 1), CG{});
    const ir::Output& out = p_.outputs[o];
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
    b_.CreateRet(Status());
  }

  llvm::Function* EmitRow(llvm::GlobalValue::LinkageTypes linkage) {
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
    // Membership tests and comparisons that several rules make of the same facts and params: once
    // per row, a comparison's failure (days against months) kept for where it is used.
    computing_shared_ = true;
    for (const SharedExpr* s : shared_order_) {
      const SharedExpr& shared = *s;
      llvm::AllocaInst* err = err_;
      if (shared.fail_slot >= 0) {
        err_ = Local(i1_, 1, "shared.failed");
        b_.CreateStore(False(), err_);
      }
      b_.CreateStore(Emit(*shared.expr).a, CtxSlot(shared.slot));
      if (shared.fail_slot >= 0) b_.CreateStore(b_.CreateZExt(b_.CreateLoad(i1_, err_), i64_), CtxSlot(shared.fail_slot));
      err_ = err;
    }
    computing_shared_ = false;
    // Outputs in declaration order, as the interpreter.
    for (size_t o = 0; o < p_.outputs.size(); ++o) {
      const Type* t = p_.outputs[o].type;
      CG v = Memo(out_fn_[o], out_flag_[o], out_value_[o], t);
      Store(t, v, Slot(out, layout_.output_offset[o]));
    }
    // Obligations: which apply; an applicable exception replaces its general obligation.
    size_t n = p_.obligations.size();
    std::vector<llvm::Value*> applies(n);
    for (size_t i = 0; i < n; ++i) {
      const ir::Obligation& o = p_.obligations[i];
      llvm::AllocaInst* a = Local(i1_, 1, "applies");
      b_.CreateStore(False(), a);
      llvm::BasicBlock* check = Block("ob.check");
      llvm::BasicBlock* done = Block("ob.applies");
      b_.CreateCondBr(InForce(o.effective), check, done);
      b_.SetInsertPoint(check);
      llvm::Value* holds = o.when ? Bool(Emit(*o.when).a) : True();
      b_.CreateStore(holds, a);
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
      applies[i] = b_.CreateLoad(i1_, a);
    }
    // Replaced: some exception below it applies. Deepest first, each exception passes to its parent
    // whether it or one below it applies (one `or` per obligation, not one per ancestor).
    std::vector<int> depth(n, 0), deepest_first(n);
    for (size_t i = 0; i < n; ++i) {
      deepest_first[i] = static_cast<int>(i);
      for (int anc = p_.obligations[i].parent; anc >= 0; anc = p_.obligations[anc].parent) ++depth[i];
    }
    std::stable_sort(deepest_first.begin(), deepest_first.end(), [&](int a, int b) { return depth[a] > depth[b]; });
    std::vector<llvm::Value*> replaced(n, False());
    for (int i : deepest_first) {
      int parent = p_.obligations[i].parent;
      if (parent >= 0) replaced[parent] = b_.CreateOr(replaced[parent], b_.CreateOr(applies[i], replaced[i]));
    }
    for (size_t i = 0; i < n; ++i) {
      const ir::Obligation& o = p_.obligations[i];
      int off = layout_.obligation_offset[i];
      llvm::Value* emitted = b_.CreateAnd(applies[i], b_.CreateNot(replaced[i]));
      b_.CreateStore(ToI64(emitted), Slot(out, off));
      b_.CreateStore(I64(0), Slot(out, off + 1));
      b_.CreateStore(I64(0), Slot(out, off + 2));
      b_.CreateStore(I64(0), Slot(out, off + 3));
      llvm::BasicBlock* yes = Block("ob.emit");
      llvm::BasicBlock* done = Block("ob.done");
      b_.CreateCondBr(emitted, yes, done);
      b_.SetInsertPoint(yes);
      if (o.deadline) {
        CG d = Emit(*o.deadline);
        llvm::Value* present = d.present ? d.present : True();
        b_.CreateStore(ToI64(present), Slot(out, off + 2));
        b_.CreateStore(b_.CreateSelect(present, d.a, I64(0)), Slot(out, off + 3));
      }
      if (o.violated) b_.CreateStore(Emit(*o.violated).a, Slot(out, off + 1));
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
    }
    b_.CreateRet(Status());
    if (scratch) scratch->setOperand(0, I64(std::max(ctx_slots_, 1)));  // every region is known now
    return f;
  }

  void EmitBatch(llvm::Function* row, const std::vector<BatchLeaf>& leaves, const std::vector<BatchOutput>& outputs) {
    llvm::FunctionType* ty = llvm::FunctionType::get(
        i32_, {ptr_, ptr_, ptr_, ptr_, ptr_, i64_, ptr_, ptr_, i64_, ptr_}, false);
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
    entry_ = llvm::BasicBlock::Create(c_, "entry", f);
    b_.SetInsertPoint(entry_);
    // The scratch lives in this frame so that the optimiser can keep it in registers.
    llvm::AllocaInst* ctx = b_.CreateAlloca(i64_, I64(std::max(ctx_slots_, 1)), "ctx");
    llvm::AllocaInst* facts = b_.CreateAlloca(i64_, I64(std::max(layout_.facts_slots, 1)), "facts");
    llvm::AllocaInst* out = b_.CreateAlloca(i64_, I64(std::max(layout_.out_slots, 1)), "out");
    // Column pointers are loop invariant: load them once.
    auto load_ptr = [&](llvm::Value* table, size_t k) {
      return b_.CreateLoad(ptr_, b_.CreateConstGEP1_64(ptr_, table, k));
    };
    std::vector<llvm::Value*> in_col, in_pres, in_map, out_col, out_pres;
    for (size_t k = 0; k < leaves.size(); ++k) {
      in_col.push_back(load_ptr(columns, k));
      in_pres.push_back(leaves[k].optional || leaves[k].has_default ? load_ptr(present, k) : nullptr);
      in_map.push_back(leaves[k].text ? load_ptr(maps, k) : nullptr);
    }
    for (size_t k = 0; k < outputs.size(); ++k) {
      out_col.push_back(load_ptr(out_columns, k));
      out_pres.push_back(outputs[k].optional ? load_ptr(out_present, k) : nullptr);
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
    // Lays out row `i` in `facts` as the row entry expects it.
    auto load_row = [&](llvm::Value* i) {
      for (size_t k = 0; k < leaves.size(); ++k) {
        const BatchLeaf& l = leaves[k];
        llvm::Type* elem = l.width == 1 ? i8_ : l.width == 4 ? i32_ : i64_;
        llvm::Value* v = b_.CreateLoad(elem, b_.CreateGEP(elem, in_col[k], i));
        if (l.width != 8) v = b_.CreateZExt(v, i64_);  // codes are checked non-negative before the call
        int slot = l.slot;
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
        if (o.width != 8) value = b_.CreateTrunc(value, elem);
        mark_write(b_.CreateStore(value, b_.CreateGEP(elem, out_col[k], i)), 2 * k);
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

  const ir::Program& p_;
  const TypeTable& types_;
  llvm::LLVMContext& c_;
  llvm::IRBuilder<> b_;
  Layout& layout_;
  std::unique_ptr<llvm::Module> m_;
  llvm::Type *i64_, *i32_, *i1_, *i8_, *i128_;
  llvm::PointerType* ptr_;
  llvm::Function *add_months_ = nullptr, *civil_ = nullptr, *slots_equal_ = nullptr, *set_equal_ = nullptr;
  int ctx_slots_ = 0;
  bool adds_months_ = false;  // some code adds a number of months not known at compile time
  std::vector<int> let_flag_, let_value_, out_flag_, out_value_;
  std::vector<llvm::Function*> let_fn_, out_fn_;
  std::vector<llvm::Function*> fn_callee_;  // per function: called, or null (inlined at each call)
  std::map<const void*, size_t> size_;      // expanded sizes of functions, tables, lets, outputs
  // The function being emitted.
  llvm::Function* fn_ = nullptr;
  llvm::BasicBlock* entry_ = nullptr;
  llvm::AllocaInst* err_ = nullptr;  // the function's "failed" flag
  llvm::Value* pred_ = nullptr;       // the path predicate (null: always)
  std::map<const void*, bool> cheap_;
  struct SharedExpr {
    const Expr* expr;
    int slot;       // the value, in the scratch
    int fail_slot;  // whether computing it failed (a comparison), or -1
  };
  std::map<std::string, SharedExpr> shared_;
  std::vector<const SharedExpr*> shared_order_;  // the order a row computes them in: source order
  bool computing_shared_ = false;
  const Specialization* spec_;  // params as constants (a specialised row), or null
  llvm::Value *ctx_ = nullptr, *facts_ = nullptr, *params_ = nullptr, *as_of_ = nullptr;
  std::vector<CG> locals_;
  Expr add_expr_;
};

}  // namespace

void MarkBatchReads(llvm::Function& f) {
  if (f.getName() != kBatchEntry) return;
  llvm::NamedMDNode* named = f.getParent()->getNamedMetadata(kBatchReadScope);
  if (!named || named->getNumOperands() == 0) return;
  llvm::MDNode* reads = named->getOperand(0);
  for (llvm::BasicBlock& block : f) {
    for (llvm::Instruction& inst : block) {
      if (!llvm::isa<llvm::LoadInst>(inst)) continue;
      std::vector<llvm::Metadata*> scopes{reads};
      if (llvm::MDNode* old = inst.getMetadata(llvm::LLVMContext::MD_alias_scope)) {
        for (const llvm::MDOperand& op : old->operands()) if (op.get() != reads) scopes.push_back(op.get());
      }
      inst.setMetadata(llvm::LLVMContext::MD_alias_scope, llvm::MDNode::get(f.getContext(), scopes));
    }
  }
}

Generated Generate(const ir::Program& p, llvm::LLVMContext& context, bool batch_ok,
                   const std::vector<BatchLeaf>& leaves, const std::vector<BatchOutput>& outputs,
                   DiagnosticSink& diags, const Specialization* spec) {
  Generated g;
  g.layout = Layout::For(p);
  if (spec) {
    if (batch_ok || spec->params.size() != p.params.size()) throw std::logic_error("bad specialisation");
    for (const std::string& text : spec->texts) {
      g.layout.text_ids.emplace(text, static_cast<int64_t>(g.layout.texts.size()));
      g.layout.texts.push_back(text);
    }
  }
  try {
    Generator gen(p, context, g.layout, spec);
    g.module = gen.Run(batch_ok, leaves, outputs);
    g.batch = batch_ok;
  } catch (const Unsupported& u) {
    diags.Error("E0601", u.span, fmt::format("the JIT cannot compile {}", u.what))
        .help = "evaluate this policy with `--engine=interp`";
    return Generated{};
  }
  std::string err;
  llvm::raw_string_ostream os(err);
  if (llvm::verifyModule(*g.module, &os)) {
    diags.Error("E0602", Span{}, fmt::format("internal error: generated code for `{}` is invalid: {}", p.name, os.str()));
    return Generated{};
  }
  return g;
}

}  // namespace proviso::codegen
