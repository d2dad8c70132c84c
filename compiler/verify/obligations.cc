// Obligations in the translation to Z3 (Evaluator::Obligations and Deadline for facts that are all
// given): which apply, which an applicable exception replaces, deadlines, statuses and violations.
#include <map>

#include <fmt/format.h>

#include "compiler/support/calendar.h"
#include "compiler/verify/symbolic.h"

namespace proviso::verify::internal {

using S = ir::DeadlineStatus;

std::vector<SymObligation> Translator::Obligations(const std::vector<int>& which) {
  size_t n = p_.obligations.size();
  std::vector<z3::expr> applies(n, c_.bool_val(false));
  for (int i : which) {
    const ir::Obligation& o = p_.obligations[i];
    z3::expr in_force = InForce(o.effective);
    z3::expr when = o.when ? Under(in_force, [&] { return Eval(*o.when).v; }) : c_.bool_val(true);
    applies[i] = in_force && when;
  }
  // Replaced: some exception below applies (exceptions come with their obligation: a DAG).
  std::map<size_t, z3::expr> replaced;
  std::function<z3::expr(size_t, int)> below = [&](size_t i, int depth) -> z3::expr {
    if (depth > 1000) throw Unsupported("exception chains deeper than 1000", p_.obligations[i].span);
    auto known = replaced.find(i);
    if (known != replaced.end()) return known->second;
    z3::expr any = c_.bool_val(false);
    for (int ch : p_.obligations[i].children) any = any || applies[ch] || below(static_cast<size_t>(ch), depth + 1);
    replaced.emplace(i, any);
    return any;
  };
  std::vector<SymObligation> out;
  for (int i : which) {
    const ir::Obligation& o = p_.obligations[i];
    SymObligation res(c_);
    res.applies = applies[i] && !below(static_cast<size_t>(i), 0);
    Under(res.applies, [&] {
      std::optional<Sym> stated;
      if (o.violated) stated = Eval(*o.violated);
      z3::expr derived = c_.bool_val(false);
      Deadline(o, stated, res, derived);
      res.violated = res.applies && (stated ? stated->v : derived);
      return 0;
    });
    out.push_back(res);
  }
  return out;
}

void Translator::Deadline(const ir::Obligation& o, const std::optional<Sym>& stated, SymObligation& res,
                          z3::expr& derived) {
  auto st = [&](S s) { return c_.int_val(static_cast<int>(s)); };
  auto breach = [&](const z3::expr& status) {
    return status == st(S::kOverdue) || status == st(S::kEarly) || status == st(S::kBreached);
  };
  z3::expr now = facts_.as_of * c_.int_val(kSecondsPerDay);
  auto passed = [&](const z3::expr& d) { return o.instant ? now > d : facts_.as_of > d; };
  auto in_kind = [&](const Sym& v) {
    return !o.instant && v.kind == TypeKind::kDateTime ? v.v / c_.int_val(kSecondsPerDay) : v.v;
  };
  // A date/instant that may be optional: (present, value).
  auto split = [&](const Sym& s) -> std::pair<z3::expr, Sym> {
    if (s.kind == TypeKind::kOptional) return {s.present, s.parts[0]};
    return {c_.bool_val(true), s};
  };
  res.has_deadline = c_.bool_val(false);
  res.deadline = c_.int_val(0);
  res.status = st(S::kNone);
  switch (o.deadline_kind) {
    case ir::DeadlineKind::kNone: return;
    case ir::DeadlineKind::kBy: {
      auto [present, d] = split(Eval(*o.deadline));
      res.has_deadline = present;
      res.deadline = d.v;
      z3::expr status = st(S::kNone);
      Under(present, [&] {
        if (o.done_at) {
          auto [done, x] = split(Eval(*o.done_at));
          z3::expr on_time = z3::ite(in_kind(x) <= d.v, st(S::kMet), st(S::kOverdue));
          if (o.not_before) {
            Sym start = Under(done, [&] { return split(Eval(*o.not_before)).second; });
            on_time = z3::ite(in_kind(x) < start.v, st(S::kEarly), on_time);
          }
          status = z3::ite(done, on_time, z3::ite(passed(d.v), st(S::kOverdue), st(S::kPending)));
          derived = present && breach(status);
        } else {
          z3::expr after = stated ? z3::ite(stated->v, st(S::kOverdue), st(S::kMet)) : st(S::kNone);
          status = z3::ite(passed(d.v), after, st(S::kPending));
        }
        return 0;
      });
      res.status = z3::ite(present, status, st(S::kNone));
      return;
    }
    case ir::DeadlineKind::kRetention: {
      auto [present, k] = split(Eval(*o.deadline));
      res.has_deadline = present;
      res.deadline = k.v;
      z3::expr reached = passed(k.v - 1);
      z3::expr status = st(S::kNone);
      Under(present, [&] {
        if (o.deleted_at) {
          auto [gone, z] = split(Eval(*o.deleted_at));
          status = z3::ite(gone, z3::ite(in_kind(z) < k.v, st(S::kBreached), st(S::kMet)),
                           z3::ite(reached, st(S::kMet), st(S::kPending)));
          derived = present && breach(status);
        } else {
          z3::expr plain = z3::ite(reached, st(S::kMet), st(S::kPending));
          status = stated ? z3::ite(stated->v, st(S::kBreached), plain) : plain;
        }
        return 0;
      });
      res.status = z3::ite(present, status, st(S::kNone));
      return;
    }
    case ir::DeadlineKind::kOpen: {
      z3::expr status = st(S::kPending);
      z3::expr late = c_.bool_val(false);
      if (o.overdue) late = Eval(*o.overdue).v;
      if (o.done_at) {
        auto [done, x] = Under(!late, [&] { return split(Eval(*o.done_at)); });
        status = z3::ite(done, st(S::kMet), status);
      }
      res.status = z3::ite(late, st(S::kOverdue), status);
      derived = breach(res.status);
      return;
    }
    case ir::DeadlineKind::kRecurring: throw Unsupported("recurring deadlines", o.span);
  }
}

}  // namespace proviso::verify::internal
