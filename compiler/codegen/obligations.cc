// Obligations of a row: which apply (or may), which an applicable exception replaces, their
// deadlines, statuses and whether they are violated; following unknown facts, what is undetermined
// and the facts that would decide it. The interpreter's compiler/interp/obligations.cc in LLVM IR.
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

// Obligations `which` (all of the policy, or all of one `for each`), each into `base` at its offset
// (Layout: applies, violated, deadline present, deadline, status, applies undetermined, violation
// undetermined, mask): which apply or may; an applicable exception replaces its general obligation
// (exceptions are in the same group).
void Generator::EmitObligationGroup(const std::vector<int>& which, llvm::Value* base, const std::vector<int>& offsets) {
  size_t n = p_.obligations.size();
  std::vector<CG> applies(n, CG{I64(0), nullptr, nullptr, nullptr});
  for (int i : which) {
    const ir::Obligation& o = p_.obligations[i];
    llvm::AllocaInst* a = Local(i64_, 1, "applies");
    llvm::AllocaInst* am = track_ ? Local(mask_ty_, 1, "applies.unknown") : nullptr;
    b_.CreateStore(I64(0), a);
    if (am) b_.CreateStore(NoMask(), am);
    llvm::BasicBlock* check = Block("ob.check");
    llvm::BasicBlock* done = Block("ob.applies");
    b_.CreateCondBr(InForce(o.effective), check, done);
    b_.SetInsertPoint(check);
    CG holds = o.when ? Emit(*o.when) : CG{I64(1), nullptr, nullptr, nullptr};
    b_.CreateStore(holds.a, a);
    if (am) b_.CreateStore(MaskOf(holds), am);
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    applies[i].a = b_.CreateLoad(i64_, a);
    if (am) applies[i].m = b_.CreateLoad(mask_ty_, am);
  }
  // Replaced: some exception below it applies (Kleene's `or`). Deepest first (an exception is
  // deeper than each obligation it is an exception to), each exception passes to its parents
  // whether it or one below it applies (one `or` per edge, not one per ancestor).
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
  std::vector<CG> replaced(n, CG{I64(0), nullptr, nullptr, nullptr});
  for (int i : deepest_first) {
    for (int parent : p_.obligations[i].parents) {
      replaced[parent] = KleeneOr(replaced[parent], KleeneOr(applies[i], replaced[i]));
    }
  }
  for (size_t k = 0; k < which.size(); ++k) {
    int i = which[k];
    const ir::Obligation& o = p_.obligations[i];
    int off = offsets[k];
    // It applies, and no exception below it does.
    CG not_replaced = replaced[i];
    not_replaced.a = b_.CreateXor(not_replaced.a, I64(1));
    CG in = KleeneAnd(applies[i], not_replaced);
    llvm::Value* undetermined = in.m ? b_.CreateNot(IsKnown(in.m)) : False();
    llvm::Value* listed = b_.CreateOr(Bool(in.a), undetermined);
    b_.CreateStore(ToI64(listed), Slot(base, off));
    // Code that does not follow unknown facts leaves the undetermined flags and the mask alone (the
    // host reads them only from the code that does): fewer stores keep a batch loop vectorizable.
    int slots = track_ ? layout_.obligation_slots() : Layout::kObligationDecidedSlots;
    for (int s = 1; s < slots; ++s) b_.CreateStore(I64(0), Slot(base, off + s));
    llvm::BasicBlock* yes = Block("ob.emit");
    llvm::BasicBlock* done = Block("ob.done");
    b_.CreateCondBr(listed, yes, done);
    b_.SetInsertPoint(yes);
    EmitDeadline(o, base, off, in);
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
  }
}

// The deadline of an obligation that applies (or may: `in` is unknown), its status on the
// evaluation date and whether it is violated (its `violated when`, else what the status
// establishes): the interpreter's Evaluator::Deadline, whose order of evaluation it keeps (what the
// interpreter does not evaluate is emitted under the path where it would). A status that depends on
// facts not given is undetermined, and so is whether it is a breach.
void Generator::EmitDeadline(const ir::Obligation& o, llvm::Value* out, int off, const CG& in) {
  using S = ir::DeadlineStatus;
  auto code = [&](S st) { return I64(static_cast<int64_t>(st)); };
  auto breach = [&](llvm::Value* st) {
    return b_.CreateOr(b_.CreateICmpEQ(st, code(S::kOverdue)),
                       b_.CreateOr(b_.CreateICmpEQ(st, code(S::kEarly)), b_.CreateICmpEQ(st, code(S::kBreached))));
  };
  auto sel = [&](llvm::Value* c, llvm::Value* x, llvm::Value* y) { return b_.CreateSelect(c, x, y); };
  auto known = [&](const CG& v) { return IsKnown(v.m); };
  llvm::Value* zero_m = track_ ? NoMask() : nullptr;
  // sel on masks (null: none)
  auto msel = [&](llvm::Value* c, llvm::Value* x, llvm::Value* y) -> llvm::Value* {
    if (!track_) return nullptr;
    return sel(c, x ? x : zero_m, y ? y : zero_m);
  };
  // The evaluation date in the deadline's kind (a day, or the instant), and a done/deleted date in it.
  llvm::Value* when = o.instant ? now_ : Today();
  auto in_kind = [&](const Expr& e, const CG& v) { return o.instant ? v.a : DayOf(e.type, v.a); };
  CG stated;  // the policy's own `violated when`, evaluated first, as there
  if (o.violated) stated = Emit(*o.violated);
  llvm::Value* status = code(S::kNone);
  llvm::Value* status_m = nullptr;          // the facts an undetermined status waits for
  llvm::Value* deadline = nullptr;          // the value written, when `has_deadline`
  llvm::Value* has_deadline = False();
  CG derived{False(), nullptr, nullptr, nullptr};  // a breach the status establishes (an i1 here)
  switch (o.deadline_kind) {
    case ir::DeadlineKind::kNone: break;
    case ir::DeadlineKind::kBy:
    case ir::DeadlineKind::kRetention: {
      CG d = Emit(*o.deadline);
      llvm::Value* d_known = known(d);
      has_deadline = b_.CreateAnd(d.present ? d.present : True(), d_known);
      deadline = d.a;
      llvm::Value* passed = b_.CreateICmpSGT(when, d.a);
      llvm::Value* m = nullptr;  // facts of the clauses after the deadline, where they are evaluated
      if (o.deadline_kind == ir::DeadlineKind::kBy) {
        if (o.done_at) {
          CG x = Under(has_deadline, [&] { return Emit(*o.done_at); });
          llvm::Value* x_known = known(x);
          llvm::Value* done = x.present ? x.present : True();
          llvm::Value* at = in_kind(*o.done_at, x);
          llvm::Value* on_time = sel(b_.CreateICmpSLE(at, d.a), code(S::kMet), code(S::kOverdue));
          llvm::Value* nb_m = nullptr;
          if (o.not_before) {
            CG nb = Under(b_.CreateAnd(b_.CreateAnd(has_deadline, x_known), done), [&] { return Emit(*o.not_before); });
            on_time = sel(b_.CreateICmpSLT(at, nb.a), code(S::kEarly), on_time);
            nb_m = msel(done, nb.m, nullptr);
          }
          status = sel(done, on_time, sel(passed, code(S::kOverdue), code(S::kPending)));
          derived.a = breach(status);
          m = msel(x_known, nb_m, x.m);
        } else if (o.violated) {
          status = sel(passed, sel(Bool(stated.a), code(S::kOverdue), code(S::kMet)), code(S::kPending));
          if (track_) {
            // The status waits for `violated when` after the deadline; what the status derives is no breach.
            llvm::Value* sm = msel(passed, stated.m, nullptr);
            status = sel(IsKnown(sm), status, code(S::kUndetermined));
            status_m = sel(has_deadline, sm, zero_m);
          }
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
          derived.a = breach(status);
          m = z.m;
        } else if (o.violated) {
          status = sel(Bool(stated.a), code(S::kBreached), kept);
          derived.a = Bool(stated.a);
          m = stated.m;
        } else {
          status = kept;
        }
      }
      status = sel(has_deadline, status, code(S::kNone));
      derived.a = b_.CreateAnd(has_deadline, derived.a);
      if (track_) {
        // Undetermined: the deadline itself, else (with a deadline) a clause after it.
        llvm::Value* um = sel(d_known, sel(has_deadline, m ? m : zero_m, zero_m), MaskOf(d));
        llvm::Value* undetermined = b_.CreateNot(IsKnown(um));
        status = sel(undetermined, code(S::kUndetermined), status);
        derived.m = um;
        status_m = status_m ? sel(undetermined, um, status_m) : um;
      }
      break;
    }
    case ir::DeadlineKind::kRecurring: {
      CG period = Emit(*o.every);
      CG first = Emit(*o.every_from);
      llvm::Value* pk = AllKnown({&period, &first});
      // [current, has previous, previous, has the one before, the one before]
      llvm::AllocaInst* due = Local(i64_, 5, "due");
      for (int k = 0; k < 5; ++k) b_.CreateStore(I64(0), Slot(due, k));
      llvm::Value* error = b_.CreateCall(recurring_, {first.a, period.b, period.a, Today(), due});
      WhereKnown(pk, [&] { FailIf(b_.CreateICmpNE(error, I32(0))); return 0; });
      has_deadline = pk ? pk : True();
      deadline = b_.CreateLoad(i64_, Slot(due, 0));
      llvm::Value* has_previous = Bool(b_.CreateLoad(i64_, Slot(due, 1)));
      llvm::Value* previous = b_.CreateLoad(i64_, Slot(due, 2));
      llvm::Value* has_before = Bool(b_.CreateLoad(i64_, Slot(due, 3)));
      llvm::Value* before = b_.CreateLoad(i64_, Slot(due, 4));
      llvm::Value* m = nullptr;
      if (o.done_at) {
        CG x = WhereKnown(pk, [&] { return Emit(*o.done_at); });
        llvm::Value* done = x.present ? x.present : True();
        llvm::Value* at = in_kind(*o.done_at, x);
        llvm::Value* met = b_.CreateAnd(done, b_.CreateOr(b_.CreateNot(has_previous), b_.CreateICmpSGT(at, previous)));
        llvm::Value* previous_done =
            b_.CreateAnd(b_.CreateAnd(done, has_previous), b_.CreateOr(b_.CreateNot(has_before), b_.CreateICmpSGT(at, before)));
        llvm::Value* overdue = b_.CreateAnd(has_previous, b_.CreateNot(previous_done));
        status = sel(met, code(S::kMet), sel(overdue, code(S::kOverdue), code(S::kPending)));
        derived.a = breach(status);
        if (track_) {
          m = x.m;
          derived.m = MaskOr(period.m, MaskOr(first.m, x.m));  // undetermined: whether it is a breach too
        }
      } else if (o.violated) {
        status = sel(Bool(stated.a), code(S::kOverdue), code(S::kPending));
        m = stated.m;  // the status only; what it derives is no breach
      } else {
        status = code(S::kPending);
      }
      if (track_) {
        llvm::Value* um = pk ? sel(pk, m ? m : zero_m, MaskOr(MaskOf(period), MaskOf(first))) : (m ? m : zero_m);
        status = sel(IsKnown(um), status, code(S::kUndetermined));
        status_m = um;
        if (!o.done_at) derived.m = pk ? sel(pk, zero_m, um) : nullptr;
        else derived.m = pk ? sel(pk, MaskOf(derived), um) : derived.m;
      }
      break;
    }
    case ir::DeadlineKind::kOpen: {
      CG late = o.overdue ? Emit(*o.overdue) : CG{I64(0), nullptr, nullptr, nullptr};
      llvm::Value* overdue = late.m ? KnownTrue(late) : Bool(late.a);
      llvm::Value* go_on = late.m ? b_.CreateAnd(known(late), b_.CreateNot(overdue)) : b_.CreateNot(overdue);
      llvm::Value* done = False();
      llvm::Value* x_m = nullptr;
      if (o.done_at) {
        CG x = Under(go_on, [&] { return Emit(*o.done_at); });
        done = x.present ? x.present : True();
        x_m = x.m;
      }
      status = sel(overdue, code(S::kOverdue), sel(done, code(S::kMet), code(S::kPending)));
      derived.a = overdue;
      if (track_) {
        llvm::Value* um = sel(known(late), msel(overdue, nullptr, x_m), MaskOf(late));
        status = sel(IsKnown(um), status, code(S::kUndetermined));
        status_m = um;
        derived.m = um;
      }
      break;
    }
  }
  if (deadline) {
    b_.CreateStore(ToI64(has_deadline), Slot(out, off + 2));
    b_.CreateStore(sel(has_deadline, deadline, I64(0)), Slot(out, off + 3));
  }
  b_.CreateStore(status, Slot(out, off + 4));
  CG violated = o.violated ? stated : CG{ToI64(derived.a), nullptr, nullptr, derived.m};
  if (!track_) {
    b_.CreateStore(ToI64(Bool(violated.a)), Slot(out, off + 1));
    return;
  }
  // Violated, if it applies: while that is undetermined, so is the violation.
  llvm::Value* v_known = IsKnown(violated.m);
  llvm::Value* applies_unknown = b_.CreateNot(IsKnown(in.m));
  llvm::Value* v_true = b_.CreateAnd(v_known, Bool(violated.a));
  llvm::Value* v_m = sel(b_.CreateAnd(v_true, applies_unknown), MaskOf(in), MaskOf(violated));
  llvm::Value* v_unknown = b_.CreateNot(IsKnown(v_m));
  b_.CreateStore(ToI64(b_.CreateAnd(v_true, b_.CreateNot(applies_unknown))), Slot(out, off + 1));
  b_.CreateStore(ToI64(applies_unknown), Slot(out, off + 5));
  b_.CreateStore(ToI64(v_unknown), Slot(out, off + 6));
  llvm::Value* missing = b_.CreateOr(MaskOf(in), b_.CreateOr(status_m ? status_m : zero_m, v_m));
  StoreMask(missing, Slot(out, off + Layout::kObligationFixedSlots));
}

}  // namespace proviso::codegen::internal
