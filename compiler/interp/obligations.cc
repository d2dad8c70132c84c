// Obligations in the reference interpreter: which apply (or may), which an applicable exception
// replaces, their deadlines, statuses and violations; what depends on facts not given is
// undetermined, with the facts that would decide it.
#include <fmt/format.h>

#include "compiler/interp/evaluator.h"

namespace proviso::interp::internal {

// The obligations `which` (of the current element, or of the policy) that apply or may apply, with
// their deadlines and violations; those replaced by an applicable exception in `suppressed`.
void Evaluator::Obligations(const std::vector<int>& which, std::vector<ObligationResult>& out,
                            std::vector<int>& suppressed, std::vector<NotApplied>& not_applied) {
  std::vector<Value> applies(p_.obligations.size(), Value::Bool(false));
  for (int i : which) {
    const ir::Obligation& o = p_.obligations[i];
    if (o.effective.InForce(frame_.law)) applies[i] = o.when ? Eval(*o.when) : Value::Bool(true);
  }
  std::map<int, Value> replaced;
  for (int i : which) {
    // It applies, and no exception below it does.
    Value in = KleeneAnd(applies[i], KleeneNot(Replaced(i, applies, replaced)));
    if (IsFalse(in)) {
      if (!IsFalse(applies[i])) {  // it applies, or may, but an exception that applies replaces it
        suppressed.push_back(i);
      } else if (explain_) {
        const ir::Obligation& o = p_.obligations[i];
        NotApplied n{i, !o.effective.InForce(frame_.law), {}};
        if (o.when && !n.not_in_force) n.bindings = Bindings(*o.when);
        not_applied.push_back(std::move(n));
      }
      continue;
    }
    const ir::Obligation& o = p_.obligations[i];
    ObligationResult res;
    res.obligation = i;
    if (in.is_unknown()) {
      res.applies_undetermined = true;
      AddMissing(res.missing, in);
    }
    std::optional<Value> stated;  // the policy's own `violated when`
    if (o.violated) stated = Eval(*o.violated);
    Value derived = Deadline(o, stated, res);
    Value violated = stated ? *stated : derived;
    // Violated, if it applies: while that is undetermined, so is the violation.
    if (IsTrue(violated) && res.applies_undetermined) violated = in;
    if (violated.is_unknown()) {
      res.violation_undetermined = true;
      AddMissing(res.missing, violated);
    } else {
      res.violated = violated.b();
    }
    if (explain_) {
      if (o.when) res.bindings = Bindings(*o.when);
      if (o.violated) res.violation_bindings = Bindings(*o.violated);
      for (int parent : o.parents) if (IsTrue(applies[parent])) res.replaces.push_back(parent);
    }
    out.push_back(std::move(res));
  }
}

// Whether some exception below obligation `i` applies: Kleene's `or` over its exceptions and
// theirs (exceptions are in the same block as their obligation; chains are at most 1000 deep).
Value Evaluator::Replaced(int i, const std::vector<Value>& applies, std::map<int, Value>& memo) {
  auto known = memo.find(i);
  if (known != memo.end()) return known->second;
  Value any = Value::Bool(false);
  for (int c : p_.obligations[i].children) {
    any = KleeneOr(any, KleeneOr(applies[c], Replaced(c, applies, memo)));
    if (IsTrue(any)) break;
  }
  memo[i] = any;
  return any;
}

// The deadline of an obligation that applies and its status on the evaluation date; returns whether
// the status is a breach (overdue, early, breached). `stated` is the obligation's own `violated
// when`, which gives the status when no fact says whether (or when) the act was done. A status that
// depends on facts not given is undetermined (and so is whether it is a breach).
Value Evaluator::Deadline(const ir::Obligation& o, const std::optional<Value>& stated, ObligationResult& res) {
  using S = ir::DeadlineStatus;
  auto set = [&](S status) {
    res.status = status;
    return Value::Bool(status == S::kOverdue || status == S::kEarly || status == S::kBreached);
  };
  auto undetermined = [&](const Value& why) {
    res.status = S::kUndetermined;
    AddMissing(res.missing, why);
    return why;
  };
  // A date or instant compared in the deadline's kind (an instant done by a date deadline counts
  // on its UTC day).
  auto in_kind = [&](const Value& v) { return !o.instant && v.kind == Value::Kind::kDateTime ? DayOf(v.i) : v.i; };
  auto passed = [&](int64_t d) { return o.instant ? opts_.now() > d : opts_.as_of > d; };
  switch (o.deadline_kind) {
    case ir::DeadlineKind::kNone: return Value::Bool(false);
    case ir::DeadlineKind::kBy: {
      Value d = Eval(*o.deadline);
      if (d.is_unknown()) return undetermined(d);
      if (d.is_none()) return Value::Bool(false);
      res.deadline = d.i;
      if (o.done_at) {
        Value x = Eval(*o.done_at);
        if (x.is_unknown()) return undetermined(x);
        if (x.is_none()) return set(passed(d.i) ? S::kOverdue : S::kPending);
        if (o.not_before) {
          Value start = Eval(*o.not_before);
          if (start.is_unknown()) return undetermined(start);
          if (in_kind(x) < start.i) return set(S::kEarly);
        }
        return set(in_kind(x) <= d.i ? S::kMet : S::kOverdue);
      }
      // Without a fact of performance, the policy's own `violated when` tells after the deadline.
      if (!passed(d.i)) {
        set(S::kPending);
      } else if (stated) {
        if (stated->is_unknown()) undetermined(*stated);
        else set(stated->b() ? S::kOverdue : S::kMet);
      }
      return Value::Bool(false);
    }
    case ir::DeadlineKind::kRetention: {
      Value k = Eval(*o.deadline);
      if (k.is_unknown()) return undetermined(k);
      if (k.is_none()) return Value::Bool(false);
      res.deadline = k.i;
      bool reached = passed(k.i - 1);  // the evaluation date is on or after the keep-until date
      if (o.deleted_at) {
        Value z = Eval(*o.deleted_at);
        if (z.is_unknown()) return undetermined(z);
        if (!z.is_none()) return set(in_kind(z) < k.i ? S::kBreached : S::kMet);
        return set(reached ? S::kMet : S::kPending);
      }
      if (stated && stated->is_unknown()) return undetermined(*stated);
      if (stated && stated->b()) return set(S::kBreached);
      set(reached ? S::kMet : S::kPending);
      return Value::Bool(false);
    }
    case ir::DeadlineKind::kRecurring: {
      Value period = Eval(*o.every);
      Value first = Eval(*o.every_from);
      if (period.is_unknown() || first.is_unknown()) return undetermined(UnknownOf({&period, &first}));
      RecurringDue ps = RecurringPeriods(*o.every, period.duration(), first.i, opts_.as_of);
      res.deadline = ps.current;
      if (o.done_at) {
        Value x = Eval(*o.done_at);
        if (x.is_unknown()) return undetermined(x);
        int64_t when = x.is_none() ? INT64_MIN : in_kind(x);
        if (!x.is_none() && (!ps.has_previous || when > ps.previous)) return set(S::kMet);
        bool previous_done = !x.is_none() && ps.has_previous && (!ps.has_before_previous || when > ps.before_previous);
        if (ps.has_previous && !previous_done) return set(S::kOverdue);
        return set(S::kPending);
      }
      if (stated && stated->is_unknown()) undetermined(*stated);
      else if (stated) set(stated->b() ? S::kOverdue : S::kPending);
      else set(S::kPending);
      return Value::Bool(false);
    }
    case ir::DeadlineKind::kOpen: {
      if (o.overdue) {
        Value late = Eval(*o.overdue);
        if (late.is_unknown()) return undetermined(late);
        if (late.b()) return set(S::kOverdue);
      }
      if (o.done_at) {
        Value x = Eval(*o.done_at);
        if (x.is_unknown()) return undetermined(x);
        if (!x.is_none()) return set(S::kMet);
      }
      return set(S::kPending);
    }
  }
  return Value::Bool(false);
}

// The due dates of a recurring deadline around `as_of` (support/calendar.h).
RecurringDue Evaluator::RecurringPeriods(const Expr& at, Duration period, int64_t first, int64_t as_of) {
  RecurringDue due;
  switch (RecurringDueDates(first, period, as_of, &due)) {
    case RecurringError::kNone: return due;
    case RecurringError::kBadPeriod:
      Fail(at, fmt::format("a recurring period must be a positive number of whole days or of whole months, found `{}`",
                           FormatDuration(period)));
    case RecurringError::kOutside: break;
  }
  Fail(at, fmt::format("the recurring deadline every `{}` from {} leaves the calendar (years 1 to 9999)",
                       FormatDuration(period), FormatDate(first)));
}

}  // namespace proviso::interp::internal
