// Obligations of a row: which apply, which an applicable exception replaces, their deadlines
// and whether they are violated.
#include "compiler/codegen/generator.h"

#include <algorithm>
#include <vector>

namespace proviso::codegen::internal {

// The policy's obligations (not those of a `for each`), into the row's `out`.
void Generator::EmitObligations(llvm::Value* out) {
  std::vector<int> which, offsets;
  for (size_t i = 0; i < p_.obligations.size(); ++i) {
    if (p_.obligations[i].scope >= 0) continue;
    which.push_back(static_cast<int>(i));
    offsets.push_back(layout_.obligation_offset[i]);
  }
  EmitObligationGroup(which, out, offsets);
}

// Obligations `which` (all of the policy, or all of one `for each`), each into `base` at its offset:
// which apply; an applicable exception replaces its general obligation (exceptions are in the same
// group).
void Generator::EmitObligationGroup(const std::vector<int>& which, llvm::Value* base, const std::vector<int>& offsets) {
  size_t n = p_.obligations.size();
  std::vector<llvm::Value*> applies(n, False());
  for (int i : which) {
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
  // Replaced: some exception below it applies. Deepest first (an exception is deeper than each
  // obligation it is an exception to), each exception passes to its parents whether it or one
  // below it applies (one `or` per edge, not one per ancestor).
  std::vector<int> depth(n, -1), deepest_first = which;
  for (int start : which) {
    std::vector<int> stack{start};
    while (!stack.empty()) {
      int i = stack.back();
      if (depth[i] >= 0) {
        stack.pop_back();
        continue;
      }
      bool ready = true;
      for (int up : p_.obligations[i].parents) {
        if (depth[up] < 0) {
          stack.push_back(up);
          ready = false;
        }
      }
      if (!ready) continue;
      depth[i] = 0;
      for (int up : p_.obligations[i].parents) depth[i] = std::max(depth[i], depth[up] + 1);
      stack.pop_back();
    }
  }
  std::stable_sort(deepest_first.begin(), deepest_first.end(), [&](int a, int b) { return depth[a] > depth[b]; });
  std::vector<llvm::Value*> replaced(n, False());
  for (int i : deepest_first) {
    for (int parent : p_.obligations[i].parents) {
      replaced[parent] = b_.CreateOr(replaced[parent], b_.CreateOr(applies[i], replaced[i]));
    }
  }
  for (size_t k = 0; k < which.size(); ++k) {
    int i = which[k];
    const ir::Obligation& o = p_.obligations[i];
    int off = offsets[k];
    llvm::Value* emitted = b_.CreateAnd(applies[i], b_.CreateNot(replaced[i]));
    b_.CreateStore(ToI64(emitted), Slot(base, off));
    for (int s = 1; s < Layout::kObligationSlots; ++s) b_.CreateStore(I64(0), Slot(base, off + s));
    llvm::BasicBlock* yes = Block("ob.emit");
    llvm::BasicBlock* done = Block("ob.done");
    b_.CreateCondBr(emitted, yes, done);
    b_.SetInsertPoint(yes);
    EmitDeadline(o, base, off);
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
  }
}

// The deadline of an obligation that applies, its status on the evaluation date and whether it is
// violated (its `violated when`, else what the status establishes): the interpreter's Deadline
// (compiler/interp/interp.cc), whose order of evaluation it keeps (what the interpreter does not
// evaluate is emitted under the path where it would).
void Generator::EmitDeadline(const ir::Obligation& o, llvm::Value* out, int off) {
  using S = ir::DeadlineStatus;
  auto code = [&](S st) { return I64(static_cast<int64_t>(st)); };
  auto breach = [&](llvm::Value* st) {
    return b_.CreateOr(b_.CreateICmpEQ(st, code(S::kOverdue)),
                       b_.CreateOr(b_.CreateICmpEQ(st, code(S::kEarly)), b_.CreateICmpEQ(st, code(S::kBreached))));
  };
  auto sel = [&](llvm::Value* c, llvm::Value* x, llvm::Value* y) { return b_.CreateSelect(c, x, y); };
  // The evaluation date in the deadline's kind (a day, or the instant), and a done/deleted date in it.
  llvm::Value* when = o.instant ? now_ : Today();
  auto in_kind = [&](const Expr& e, const CG& v) { return o.instant ? v.a : DayOf(e.type, v.a); };
  llvm::Value* stated = o.violated ? Bool(Emit(*o.violated).a) : nullptr;  // evaluated first, as there
  llvm::Value* status = code(S::kNone);
  llvm::Value* deadline = nullptr;          // the value written, when `has_deadline`
  llvm::Value* has_deadline = False();
  llvm::Value* derived = False();           // a breach the status establishes
  switch (o.deadline_kind) {
    case ir::DeadlineKind::kNone: break;
    case ir::DeadlineKind::kBy:
    case ir::DeadlineKind::kRetention: {
      CG d = Emit(*o.deadline);
      has_deadline = d.present ? d.present : True();
      deadline = d.a;
      llvm::Value* passed = b_.CreateICmpSGT(when, d.a);
      if (o.deadline_kind == ir::DeadlineKind::kBy) {
        if (o.done_at) {
          CG x = Under(has_deadline, [&] { return Emit(*o.done_at); });
          llvm::Value* done = x.present ? x.present : True();
          llvm::Value* at = in_kind(*o.done_at, x);
          llvm::Value* on_time = sel(b_.CreateICmpSLE(at, d.a), code(S::kMet), code(S::kOverdue));
          if (o.not_before) {
            CG nb = Under(b_.CreateAnd(has_deadline, done), [&] { return Emit(*o.not_before); });
            on_time = sel(b_.CreateICmpSLT(at, nb.a), code(S::kEarly), on_time);
          }
          status = sel(done, on_time, sel(passed, code(S::kOverdue), code(S::kPending)));
          derived = breach(status);
        } else if (stated) {
          status = sel(passed, sel(stated, code(S::kOverdue), code(S::kMet)), code(S::kPending));
        } else {
          status = sel(passed, code(S::kNone), code(S::kPending));
        }
      } else {  // retention: kept until the deadline; deleting before it breaches
        llvm::Value* reached = b_.CreateICmpSGE(when, d.a);
        llvm::Value* kept = sel(reached, code(S::kMet), code(S::kPending));
        if (o.deleted_at) {
          CG z = Under(has_deadline, [&] { return Emit(*o.deleted_at); });
          llvm::Value* deleted = z.present ? z.present : True();
          llvm::Value* early = b_.CreateICmpSLT(in_kind(*o.deleted_at, z), d.a);
          status = sel(deleted, sel(early, code(S::kBreached), code(S::kMet)), kept);
          derived = breach(status);
        } else if (stated) {
          status = sel(stated, code(S::kBreached), kept);
          derived = stated;
        } else {
          status = kept;
        }
      }
      status = sel(has_deadline, status, code(S::kNone));
      derived = b_.CreateAnd(has_deadline, derived);
      break;
    }
    case ir::DeadlineKind::kRecurring: {
      CG period = Emit(*o.every);
      llvm::Value* first = Emit(*o.every_from).a;
      // [current, has previous, previous, has the one before, the one before]
      llvm::AllocaInst* due = Local(i64_, 5, "due");
      for (int k = 0; k < 5; ++k) b_.CreateStore(I64(0), Slot(due, k));
      llvm::Value* error = b_.CreateCall(recurring_, {first, period.b, period.a, Today(), due});
      FailIf(b_.CreateICmpNE(error, I32(0)));
      has_deadline = True();
      deadline = b_.CreateLoad(i64_, Slot(due, 0));
      llvm::Value* has_previous = Bool(b_.CreateLoad(i64_, Slot(due, 1)));
      llvm::Value* previous = b_.CreateLoad(i64_, Slot(due, 2));
      llvm::Value* has_before = Bool(b_.CreateLoad(i64_, Slot(due, 3)));
      llvm::Value* before = b_.CreateLoad(i64_, Slot(due, 4));
      if (o.done_at) {
        CG x = Emit(*o.done_at);
        llvm::Value* done = x.present ? x.present : True();
        llvm::Value* at = in_kind(*o.done_at, x);
        llvm::Value* met = b_.CreateAnd(done, b_.CreateOr(b_.CreateNot(has_previous), b_.CreateICmpSGT(at, previous)));
        llvm::Value* previous_done =
            b_.CreateAnd(b_.CreateAnd(done, has_previous), b_.CreateOr(b_.CreateNot(has_before), b_.CreateICmpSGT(at, before)));
        llvm::Value* overdue = b_.CreateAnd(has_previous, b_.CreateNot(previous_done));
        status = sel(met, code(S::kMet), sel(overdue, code(S::kOverdue), code(S::kPending)));
        derived = breach(status);
      } else if (stated) {
        status = sel(stated, code(S::kOverdue), code(S::kPending));
      } else {
        status = code(S::kPending);
      }
      break;
    }
    case ir::DeadlineKind::kOpen: {
      llvm::Value* overdue = o.overdue ? Bool(Emit(*o.overdue).a) : False();
      llvm::Value* done = False();
      if (o.done_at) {
        CG x = Under(b_.CreateNot(overdue), [&] { return Emit(*o.done_at); });
        done = x.present ? x.present : True();
      }
      status = sel(overdue, code(S::kOverdue), sel(done, code(S::kMet), code(S::kPending)));
      derived = overdue;
      break;
    }
  }
  if (deadline) {
    b_.CreateStore(ToI64(has_deadline), Slot(out, off + 2));
    b_.CreateStore(sel(has_deadline, deadline, I64(0)), Slot(out, off + 3));
  }
  b_.CreateStore(status, Slot(out, off + 4));
  b_.CreateStore(ToI64(stated ? stated : derived), Slot(out, off + 1));
}

}  // namespace proviso::codegen::internal
