// The code generator's private header, included only by compiler/codegen/*.cc: how a value looks
// in generated code (`CG`), the error for what cannot be compiled, and the `Generator` that turns
// the typed IR into LLVM IR. Each group of members names the file that defines it; the templates
// that several files use are defined here.
#ifndef PROVISO_COMPILER_CODEGEN_GENERATOR_H_
#define PROVISO_COMPILER_CODEGEN_GENERATOR_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalValue.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include "compiler/codegen/codegen.h"
#include "compiler/codegen/layout.h"
#include "compiler/ir/ir.h"

namespace proviso::codegen::internal {

using ast::BinOp;
using ir::Expr;
using ir::Op;

// A value in generated code. Scalars: `a` (i64; a datetime in seconds). Durations: `a` seconds, `b` months. Records: `a`
// points to their slots. Lists and sets: `a` points to the first element's slots, `b` is the length.
// Optional values: `present` (i1) and the payload in `a`/`b` (zeros when absent).
// `m`: the facts not given the value depends on (a mask of Layout::mask_words * 64 bits; the value
// is unknown when it is not 0, and `a`/`b`/`present` then mean nothing), or null when it depends
// on none: always so in code that does not follow unknown facts (Generator::track_ false).
struct CG {
  llvm::Value* a = nullptr;
  llvm::Value* b = nullptr;
  llvm::Value* present = nullptr;
  llvm::Value* m = nullptr;
};

// Thrown inside the generator for a construct it cannot compile; turned into a diagnostic.
struct Unsupported {
  std::string what;
  Span span;
};

// Turns one ir::Program into one LLVM module. Not reusable: Run moves the module out.
class Generator {
 public:
  // ------------------------------------------------ entry (codegen.cc)

  // With `track`, the code follows unknown facts (docs/architecture.md, "Unknown facts"): the row
  // entry of facts that leave some out, which writes masks after outputs and obligations.
  Generator(const ir::Program& p, llvm::LLVMContext& c, Layout& layout, const Specialization* spec,
            bool track = false);
  // The module: helpers, memo functions, the row entry and, with `batch`, the batch entry.
  std::unique_ptr<llvm::Module> Run(bool batch, const std::vector<BatchLeaf>& leaves,
                                    const std::vector<BatchOutput>& outputs);

 private:
  // ------------------------------------------------ plumbing (values.cc)

  int Alloc(int slots);
  llvm::Constant* I64(int64_t v);
  llvm::Constant* I32(int32_t v);
  llvm::Constant* True();
  llvm::Constant* False();
  llvm::BasicBlock* Block(const char* name);
  void Begin(llvm::Function* f);
  void FailIf(llvm::Value* cond);
  void Fail();
  llvm::Value* Status();
  llvm::Value* And(llvm::Value* a, llvm::Value* b);

  // Evaluates `emit()` on the path where `cond` holds (failures count only there).
  template <typename F>
  auto Under(llvm::Value* cond, F emit) {
    llvm::Value* saved = pred_;
    pred_ = And(saved, cond);
    auto r = emit();
    pred_ = saved;
    return r;
  }

  CG Select(const Type* t, llvm::Value* c, const CG& x, const CG& y);
  void StoreIf(const Type* t, llvm::Value* c, const CG& v, llvm::Value* p);
  llvm::AllocaInst* Local(llvm::Type* t, int count = 1, const char* name = "");
  llvm::Value* Slot(llvm::Value* base, int64_t k);
  llvm::Value* SlotDyn(llvm::Value* base, llvm::Value* k);
  llvm::Value* CtxSlot(int k);
  llvm::Value* Bool(llvm::Value* i64v);
  llvm::Value* ToI64(llvm::Value* i1v);
  [[noreturn]] void Unsupport(const std::string& what, const Expr* e);

  // ------------------------------------------------ unknown facts (unknowns.cc)

  llvm::Value* NoMask();
  llvm::Value* MaskOr(llvm::Value* a, llvm::Value* b);
  llvm::Value* MaskOf(const CG& v) { return v.m ? v.m : NoMask(); }
  // i1: the mask is 0 (true when null).
  llvm::Value* IsKnown(llvm::Value* m);
  // i1: every value is known, or null when none can be unknown (nothing to test).
  llvm::Value* AllKnown(std::initializer_list<const CG*> values);
  // The mask of a fact slot's content (0, or 1 + a fact id).
  llvm::Value* FactMask(llvm::Value* fact_slot);
  llvm::Value* LoadMask(llvm::Value* p);
  void StoreMask(llvm::Value* m, llvm::Value* p);
  // The facts any part of `v` waits for: its own mask, and the fact slots of records in it (a
  // comparison of whole values, an output's value: interp::HasUnknownPart).
  llvm::Value* DeepMask(const Type* t, const CG& v);
  // Emits `emit()` where `known` holds (failures count only there): operands that are unknown
  // compute nothing. `known` null: always.
  template <typename F>
  auto WhereKnown(llvm::Value* known, F emit) {
    if (!known) return emit();
    return Under(known, emit);
  }
  // Kleene's `and` / `or` of two bools with masks (the right side already emitted).
  CG KleeneAnd(const CG& l, const CG& r);
  CG KleeneOr(const CG& l, const CG& r);
  // i1: a bool known to be true / false.
  llvm::Value* KnownTrue(const CG& v);
  llvm::Value* KnownFalse(const CG& v);

  // ------------------------------------------------ slots <-> values (values.cc)

  CG Load(const Type* t, llvm::Value* p);
  void Store(const Type* t, const CG& v, llvm::Value* p);
  CG Zero(const Type* t);
  CG Coerce(CG v, const Type* from, const Type* to);

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

  CG Phi(const Type* t, const std::vector<std::pair<CG, llvm::BasicBlock*>>& in);

  // ------------------------------------------------ constants (values.cc)

  void FlattenConstant(const Value& v, const Type* t, std::vector<llvm::Constant*>& out);
  llvm::Constant* ConstantArray(const std::vector<Value>& items, const Type* elem);
  CG Constant(const Value& v, const Type* t);

  // ------------------------------------------------ comparisons (expressions.cc)

  llvm::Value* Equal(const Type* ta, CG a, const Type* tb, CG b, const Expr* at);
  std::vector<int> comparing_;  // the record types whose `==` is being emitted (Equal), innermost last
  llvm::Value* ListsEqual(const Type* t, const CG& a, const CG& b, const Expr* at);
  llvm::Value* Bool32(llvm::Value* v);

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

  llvm::Value* Compare(BinOp op, const Type* ta, CG a, const Type* tb, CG b, const Expr* at);

  // ------------------------------------------------ arithmetic (expressions.cc)

  llvm::Value* Checked(llvm::Intrinsic::ID id, llvm::Value* x, llvm::Value* y);
  llvm::Value* Outside(llvm::Value* v, int64_t limit);
  llvm::Value* Shift(llvm::Value* date, llvm::Value* days, llvm::Value* months, int sign);
  llvm::Value* MonthsLater(llvm::Value* date, llvm::Value* months, llvm::Value* other_beyond, llvm::Value** too_far);
  llvm::Value* ShiftDate(llvm::Value* date, llvm::Value* seconds, llvm::Value* months, int sign);
  llvm::Value* ShiftInstant(llvm::Value* t, llvm::Value* seconds, llvm::Value* months, int sign);
  llvm::Value* FloorDiv(llvm::Value* x, int64_t d);
  llvm::Value* DayOf(const Type* t, llvm::Value* v);  // a date's day, an instant's UTC day
  llvm::Value* Today();                              // the evaluation date (a day number)
  llvm::Value* LawDay();                             // the day whose law decides
  CG Arith(const Expr& e, const Type* ta, CG a, const Type* tb, CG b);
  llvm::Value* Narrow(llvm::Value* v128);

  // ------------------------------------------------ expressions (expressions.cc)

  CG Emit(const Expr& e);
  CG Memo(llvm::Function* f, int flag, int value, const Type* t);
  bool Cheap(const Expr& e);
  CG ShortCircuit(const Expr& e);
  CG Match(const Expr& e);
  CG MatchArms(const Expr& e, CG s);
  CG Builtin(const Expr& e);
  CG BuiltinOf(const Expr& e, const std::vector<CG>& args);
  CG WorkingDays(const Expr& e);
  CG WorkingDaysOf(const WorkingCalendar& cal, bool backwards, llvm::Value* n, llvm::Value* day);
  const std::vector<llvm::GlobalVariable*>& CalendarArrays(const WorkingCalendar& cal);
  llvm::Value* CalendarCovers(const WorkingCalendar& cal, llvm::Value* k);
  llvm::Value* TableEntry(const WorkingCalendar& cal, int table, llvm::Value* index);

  // ------------------------------------------------ collections (collections.cc)

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
    CountStep(exit);
    CG x = Load(elem, SlotDyn(coll.a, b_.CreateMul(i, I64(stride))));
    body(x, exit);
    b_.CreateStore(b_.CreateAdd(i, I64(1)), idx);
    b_.CreateBr(head);
    b_.SetInsertPoint(exit);
  }

  // One element visited by a loop over a list: counts it against the evaluation's budget (a scratch
  // slot the row takes from proviso_rt_budget at its start); past the budget, says so
  // (proviso_rt_over_budget), fails and leaves the loop to `exit`, and so does every enclosing loop at
  // its next element. Loops over enum bitsets are not counted: they visit at most 64 elements.
  void CountStep(llvm::BasicBlock* exit);
  // In the row entry, once every loop is generated: the budget slot's start value.
  void StartBudget(llvm::Function* row, llvm::Instruction* scratch);

  CG In(const Expr& e);
  CG Member(const Expr& e, const CG& x, const CG& coll);
  llvm::Value* BitmapTest(llvm::Value* words, llvm::Value* bound, llvm::Value* x);
  llvm::Value* ConstantSetTest(const Value& set, llvm::Value* x);

  // Accumulators live in entry-block allocas so that loops and branches need no phis.
  struct Acc {
    const Type* type;
    llvm::AllocaInst* slots;
    llvm::AllocaInst* have;
  };

  Acc NewAcc(const Type* t);
  CG Quant(const Expr& e);
  CG QuantOver(const Expr& e, const CG& coll);
  void Accumulate(const Expr& at, Acc& acc, const CG& v, int kind);
  void ZeroIfEmpty(Acc& acc);
  CG Finish(const Expr&, Acc& acc, bool zero_if_empty);
  CG MakeCollection(const Expr& e);
  // Collections made at run time (`filter`, `map`, set operations), in the evaluation's arena
  // (proviso_rt_alloc, reset at the start of each row): room for `bound` elements, appended one
  // by one; a set keeps one copy of each value (a bitset: one bit).
  struct Made {
    const Type* type;
    llvm::Value* base = nullptr;       // slots of the elements (not for a bitset)
    llvm::AllocaInst* len = nullptr;   // the element count, or the bits of a bitset
  };
  Made StartMade(const Type* t, llvm::Value* bound);
  // `check_repeats`: v may equal an element already there (a set then skips it).
  void Append(Made& out, const CG& v, const Expr* at, bool check_repeats = true);
  CG FinishMade(const Made& out);
  CG Persist(const Type* t, const CG& v);
  // Table results by rank (tables.cc): `a` before `b`; a list sorted in place.
  llvm::Value* RankLess(const Type* t, const CG& a, const CG& b);
  void SortByRank(const Type* t, const CG& list);
  // i1: `x` equals an element of `coll` (a loop; `Member` without an expression).
  llvm::Value* Contains(const Type* ct, const CG& coll, const Type* xt, const CG& x, const Expr* at);
  CG SetOp(const Expr& e);
  CG ItemOf(const Expr& e);  // scopes.cc

  // ------------------------------------------------ shared subexpressions (shared_exprs.cc)

  bool RowInvariant(const Expr& e);
  std::string Key(const Expr& e) const;
  bool Shared(const Expr& e, CG& v);

  // Candidates for sharing, by key: the first expression of that key, its count, its rank in
  // source order.
  struct Candidate {
    const Expr* expr;
    int count;
    size_t rank;
  };

  void CollectShared(const Expr* e, std::map<std::string, Candidate>& found);
  void FindSharedExprs();
  void EmitSharedExprs();

  // ------------------------------------------------ tables (tables.cc)

  llvm::Value* Cell(const Expr& at, const ir::Cell& c, const Type* xt, const CG& x);

  // A table whose columns are all enums or bools and whose cells and results are constants is
  // decided at compile time for every combination of inputs: the call becomes an array lookup.
  struct Dense {
    std::vector<int64_t> sizes;      // domain size of each column
    std::vector<int64_t> values;     // result of each combination (scalar slot)
    std::vector<int8_t> fails;       // 1: no decision for this combination
  };

  std::optional<Dense> DenseForm(const ir::Table& t);
  CG DenseTable(const Dense& d, const std::vector<CG>& args);
  CG Table(const Expr& e);
  CG TableResults(const Expr& e, const std::vector<llvm::AllocaInst*>& matched);
  CG TableTracked(const Expr& e, const std::vector<CG>& args);
  CG CellTracked(const Expr& at, const ir::Cell& c, const Type* xt, const CG& x);

  // ------------------------------------------------ default logic (default_logic.cc)

  // What a rule or a group of sibling rules yields (the interpreter's Evaluator::Outcome), in
  // registers: nothing (!have), a value, a value it may give (`cond`: the facts that decide
  // whether it applies; null or 0: it does), or a conflict. `v.m` is the value's own mask.
  struct Yield {
    llvm::Value* have = nullptr;
    llvm::Value* conflict = nullptr;
    llvm::Value* cond = nullptr;
    CG v;
  };
  // The same in allocas of the entry block (rules are emitted with branches).
  struct YieldSlot {
    const Type* type;
    llvm::AllocaInst* slots;
    llvm::AllocaInst* have;
    llvm::AllocaInst* conflict;
    llvm::AllocaInst* cond = nullptr;  // track_ only
    llvm::AllocaInst* vm = nullptr;    // track_ only
  };
  YieldSlot NewYield(const Type* t);
  Yield LoadYield(const YieldSlot& s);
  void StoreYield(const YieldSlot& s, const Yield& y);

  bool InForceAlways(const ir::Effective& eff);
  llvm::Value* InForce(const ir::Effective& eff);
  // `a` where it applies, else `b`; two siblings of one priority (alternatives, or a conflict).
  // Values of type `t`.
  Yield Else(const Type* t, const Yield& a, const Yield& b);
  Yield Join(const Type* t, const Yield& a, const Yield& b);
  llvm::Value* Definite(const Yield& y);  // i1: it gives something, whatever the facts not given
  // i1: values known as a whole (deep masks `da`, `db` 0) and equal; compared only where `when`
  // holds (values of collections may be anything elsewhere).
  llvm::Value* SameKnown(const Type* t, const CG& a, const CG& b, llvm::Value* da, llvm::Value* db,
                         llvm::Value* when);
  Yield Choose(const std::vector<int>& group, const Type* t);
  void RuleValue(int r, const Type* t, const YieldSlot& out);
  const YieldSlot& RuleYield(int r, const Type* t);
  std::map<int, YieldSlot> rule_yield_;  // per output function: what each rule yields (RuleYield)
  void EmitOutputFunction(int o);

  // ------------------------------------------------ lets and functions (functions.cc)

  llvm::Function* InternalFunction(llvm::FunctionType* ty, const std::string& name, bool inline_it);
  bool Large() const;
  static constexpr size_t kInlineLimit = 48;

  // Code size, in expression nodes (functions.cc says what counts).
  static constexpr size_t kBodyBudget = 400;     // expression nodes of a body still inlined (policies/: < 150)
  static constexpr size_t kMaxNodes = 250'000;   // of the whole module: beyond, compiling takes minutes
  static constexpr size_t kSaturated = size_t{1} << 50;

  static size_t SatAdd(size_t a, size_t b);
  size_t Expanded(const Expr* e);
  size_t Memoized(const void* key, const std::function<size_t()>& compute);
  size_t FunctionSize(int i);
  size_t LetSize(int i);
  size_t OutputSize(int o);
  size_t TableSize(int i);
  bool FunctionOutOfLine(int i);
  bool LetInlined(int i);
  bool OutputInlined(int o);
  void CheckCodeSize();
  // The expression nodes one evaluation of `e` runs at most: every call at its callee's whole work
  // (a function out of line still runs at each call), lets and outputs once (memoised per row).
  size_t Work(const Expr* e);
  size_t FunctionWork(int i);
  // Over kMaxWork in one body (a function that calls another several times, at every level: 2^34, ~10 s), a row
  // would take exponential time natively: the policy is for the interpreter, which computes each
  // call once (Unsupported, E0601).
  void CheckWork();
  static constexpr size_t kMaxWork = size_t{1} << 34;

  void EmitLetFunction(int i);
  std::vector<int> ParamOffsets(const ir::Function& f, int* slots);
  CG Call(int i, const std::vector<CG>& args);
  void EmitCalledFunction(int i);

  // ------------------------------------------------ the row (row.cc)

  void DeclareHelpers(bool batch);
  llvm::Function* EmitAddMonths(bool inline_it);
  llvm::Function* EmitRow(llvm::GlobalValue::LinkageTypes linkage);
  void EmitObligations(llvm::Value* out);  // obligations.cc
  void EmitObligationGroup(const std::vector<int>& which, llvm::Value* base, const std::vector<int>& offsets);
  void EmitScopes(llvm::Value* out);        // scopes.cc
  // obligations.cc: the deadline, status and derived violation of an obligation that applies.
  // `in`: whether it applies (a bool that may be unknown).
  void EmitDeadline(const ir::Obligation& o, llvm::Value* out, int off, const CG& in);

  // ------------------------------------------------ the batch (batch.cc)

  void EmitBatch(llvm::Function* row, const std::vector<BatchLeaf>& leaves,
                 const std::vector<BatchOutput>& outputs);

  // ------------------------------------------------ state

  const ir::Program& p_;
  const TypeTable& types_;
  llvm::LLVMContext& c_;
  llvm::IRBuilder<> b_;
  Layout& layout_;
  std::unique_ptr<llvm::Module> m_;
  llvm::Type *i64_, *i32_, *i1_, *i8_, *i128_;
  llvm::PointerType* ptr_;
  llvm::Function *add_months_ = nullptr, *civil_ = nullptr, *slots_equal_ = nullptr, *set_equal_ = nullptr;
  llvm::Function *date_ = nullptr, *months_between_ = nullptr, *recurring_ = nullptr;
  llvm::Function *alloc_ = nullptr, *arena_reset_ = nullptr;  // the arena of made collections
  bool uses_arena_ = false;                                     // some code calls alloc_
  llvm::Function *budget_ = nullptr, *over_budget_ = nullptr;   // the evaluation budget (CountStep)
  int budget_slot_ = -1;                                        // its scratch slot, once a loop counts
  llvm::GlobalVariable* ctx_slots_global_ = nullptr;  // the scratch's size, known once all is emitted
  std::vector<llvm::AllocaInst*> ctx_copies_;         // `late of t`'s copies of the scratch, sized then
  std::map<const WorkingCalendar*, std::vector<llvm::GlobalVariable*>> calendar_arrays_;
  int law_slot_ = -1;  // `law as of`: the law day, computed at the start of a row, in the scratch
  // `for each` (scopes.cc): the scope whose code is being emitted (-1: the policy's), and for each
  // scope the scratch regions of its current element and of its law day.
  int scope_ = -1;
  std::vector<int> item_region_, item_law_slot_;
  bool versioned_params_ = false;  // VersionedParams(): params read by version at a law day
  int ctx_slots_ = 0;
  bool adds_months_ = false;  // some code adds a number of months not known at compile time
  std::vector<int> let_flag_, let_value_, out_flag_, out_value_;
  std::vector<llvm::Function*> let_fn_, out_fn_;
  std::vector<llvm::Function*> fn_callee_;  // per function: called, or null (inlined at each call)
  std::map<const void*, size_t> size_;      // expanded sizes of functions, tables, lets, outputs
  std::map<int, size_t> function_work_;     // Work of each function's body
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
  bool track_ = false;          // follow unknown facts (masks in CG::m)
  llvm::IntegerType* mask_ty_ = nullptr;  // Layout::mask_words * 64 bits
  // The current function's arguments; `now_` is the evaluation instant (seconds since 1970, UTC).
  llvm::Value *ctx_ = nullptr, *facts_ = nullptr, *params_ = nullptr, *now_ = nullptr;
  std::vector<CG> locals_;
  Expr add_expr_;
};

}  // namespace proviso::codegen::internal

#endif  // PROVISO_COMPILER_CODEGEN_GENERATOR_H_
