// Lets and functions: memo functions of lets (inlined or not), code-size accounting, and
// functions called out of line.
#include "compiler/codegen/generator.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace proviso::codegen::internal {

// Lets and outputs are functions of their own. In a small policy they are inlined into the row
// (one straight-line function, scratch in registers); in a large one, or when a body is large,
// they stay separate, because the optimiser's cost grows faster than linearly with the size of
// one function.
llvm::Function* Generator::InternalFunction(llvm::FunctionType* ty, const std::string& name, bool inline_it) {
  llvm::Function* f = llvm::Function::Create(ty, llvm::Function::InternalLinkage, name, m_.get());
  f->addFnAttr(inline_it ? llvm::Attribute::AlwaysInline : llvm::Attribute::NoInline);
  f->addFnAttr(llvm::Attribute::NoUnwind);
  return f;
}

bool Generator::Large() const { return p_.lets.size() + p_.outputs.size() > kInlineLimit; }

// ---------------------------------------------------------------- code size
//
// Function and table bodies are emitted at every call, and inlined lets and outputs at every
// use. A chain of functions (or lets) that each use the previous one twice would double the code
// at every link, so a body that would be large stays out of line: lets and outputs as NoInline
// memo functions, functions as called functions (when their result fits in slots).

size_t Generator::SatAdd(size_t a, size_t b) { return std::min(a + b, kSaturated); }

// The expression nodes `e` emits, counting what is inlined into it at each use.
size_t Generator::Expanded(const Expr* e) {
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

size_t Generator::Memoized(const void* key, const std::function<size_t()>& compute) {
  auto it = size_.find(key);
  if (it != size_.end()) return it->second;
  size_t n = compute();
  size_[key] = n;
  return n;
}
size_t Generator::FunctionSize(int i) { return Memoized(&p_.functions[i], [&] { return Expanded(p_.functions[i].body.get()); }); }
size_t Generator::LetSize(int i) { return Memoized(&p_.lets[i], [&] { return Expanded(p_.lets[i].value.get()); }); }
size_t Generator::OutputSize(int o) {
  return Memoized(&p_.outputs[o], [&] {
    size_t n = 1;
    for (const ir::Rule& r : p_.rules) {
      if (r.output == o) n = SatAdd(n, SatAdd(Expanded(r.when.get()), Expanded(r.value.get())));
    }
    return n;
  });
}
size_t Generator::TableSize(int i) {
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
bool Generator::FunctionOutOfLine(int i) {
  const ir::Function& f = p_.functions[i];
  // A result with a list (or a set held as a list) would point into the callee's scratch,
  // which its next call overwrites: such functions are always inlined.
  // A called function is emitted once, outside any `for each`: with params read by version at each
  // element's law day, functions are inlined where called, each under its caller's law.
  return FunctionSize(i) > kBodyBudget && IsFlat(f.result, types_) && !versioned_params_;
}
bool Generator::LetInlined(int i) { return !Large() && LetSize(i) <= kBodyBudget; }
bool Generator::OutputInlined(int o) { return !Large() && OutputSize(o) <= kBodyBudget; }

// The module's expression nodes: every body emitted once, and inlined ones at each use. Over
// kMaxNodes (functions with lists in their results, or tables, that double at every level), the
// policy is for the interpreter.
void Generator::CheckCodeSize() {
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

size_t Generator::Work(const Expr* e) {
  if (!e) return 0;
  size_t n = 1;
  if (e->op == Op::kCall) n = SatAdd(n, FunctionWork(e->index));
  if (e->op == Op::kTable) n = SatAdd(n, TableSize(e->index));  // tables are emitted at each call
  for (const auto& a : e->args) n = SatAdd(n, Work(a.get()));
  return n;
}

size_t Generator::FunctionWork(int i) {
  auto it = function_work_.find(i);
  if (it != function_work_.end()) return it->second;
  size_t n = Work(p_.functions[i].body.get());
  function_work_[i] = n;
  return n;
}

void Generator::CheckWork() {
  auto check = [&](const Expr* e) {
    if (Work(e) <= kMaxWork) return;
    // Point at the function whose own calls double the work first, or at the body itself.
    Span at = e->span();
    for (size_t i = 0; i < p_.functions.size(); ++i) {
      if (FunctionWork(static_cast<int>(i)) > kMaxWork) {
        at = p_.functions[i].body->span();
        break;
      }
    }
    throw Unsupported{fmt::format("a policy whose evaluation would run over {} expression nodes per row natively (a "
                                  "function that calls another several times, at every level); the interpreter "
                                  "computes each call once", kMaxWork),
                      at};
  };
  for (const ir::Let& l : p_.lets) check(l.value.get());
  for (const ir::Rule& r : p_.rules) {
    check(r.when.get());
    check(r.value.get());
  }
  for (const ir::Obligation& o : p_.obligations) {
    for (const Expr* e : {o.when.get(), o.deadline.get(), o.violated.get(), o.done_at.get(), o.overdue.get()}) check(e);
  }
}

// ---------------------------------------------------------------- functions

void Generator::EmitLetFunction(int i) {
  Begin(let_fn_[i]);
  scope_ = p_.lets[i].scope;
  locals_.assign(std::max(p_.max_locals, 1), CG{});
  const ir::Let& l = p_.lets[i];
  CG v = Coerce(Emit(*l.value), l.value->type, l.type);
  Store(l.type, v, CtxSlot(let_value_[i]));
  if (track_) StoreMask(v.m, CtxSlot(let_value_[i] + Slots(l.type, types_)));
  b_.CreateStore(I64(1), CtxSlot(let_flag_[i]));
  b_.CreateStore(b_.CreateZExt(b_.CreateLoad(i1_, err_), i64_), CtxSlot(let_flag_[i] + 1));
  scope_ = -1;
  b_.CreateRet(Status());
}

// Arguments and result pass through regions of the scratch that belong to the call site, so
// nested calls (`f(f(x))`) do not overwrite each other; parameters are read in place.
std::vector<int> Generator::ParamOffsets(const ir::Function& f, int* slots) {
  std::vector<int> offsets;
  *slots = 0;
  for (const Type* t : f.params) {  // each value, then its mask when the code follows unknown facts
    offsets.push_back(*slots);
    *slots += std::max(Slots(t, types_), 1) + (track_ ? layout_.mask_words : 0);
  }
  return offsets;
}

CG Generator::Call(int i, const std::vector<CG>& args) {
  const ir::Function& f = p_.functions[i];
  int slots = 0;
  std::vector<int> offsets = ParamOffsets(f, &slots);
  int in = Alloc(slots);
  int result_slots = Slots(f.result, types_);
  int out = Alloc(result_slots + (track_ ? layout_.mask_words : 0));
  for (size_t k = 0; k < args.size(); ++k) {
    Store(f.params[k], args[k], CtxSlot(in + offsets[k]));
    if (track_) StoreMask(args[k].m, CtxSlot(in + offsets[k] + std::max(Slots(f.params[k], types_), 1)));
  }
  llvm::Value* status = b_.CreateCall(fn_callee_[i], {ctx_, facts_, params_, now_, CtxSlot(in), CtxSlot(out)});
  FailIf(b_.CreateICmpNE(status, llvm::ConstantInt::get(i32_, 0)));
  CG v = Load(f.result, CtxSlot(out));
  if (track_) v.m = LoadMask(CtxSlot(out + result_slots));
  return v;
}

void Generator::EmitCalledFunction(int i) {
  const ir::Function& f = p_.functions[i];
  Begin(fn_callee_[i]);
  llvm::Value* in = &*(fn_->arg_begin() + 4);
  llvm::Value* out = &*(fn_->arg_begin() + 5);
  int slots = 0;
  std::vector<int> offsets = ParamOffsets(f, &slots);
  locals_.assign(std::max(p_.max_locals, 1), CG{});
  for (size_t k = 0; k < f.params.size(); ++k) {
    locals_[k] = Load(f.params[k], Slot(in, offsets[k]));
    if (track_) locals_[k].m = LoadMask(Slot(in, offsets[k] + std::max(Slots(f.params[k], types_), 1)));
  }
  CG result = Coerce(Emit(*f.body), f.body->type, f.result);
  Store(f.result, result, out);
  if (track_) StoreMask(result.m, Slot(out, Slots(f.result, types_)));
  b_.CreateRet(Status());
}

}  // namespace proviso::codegen::internal
