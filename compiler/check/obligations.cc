// Checker pass for obligations: conditions, deadlines, citations and exceptions.
#include "compiler/check/checker_impl.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace proviso::check_internal {

void Checker::CheckObligations() {
  Context ctx{true, "an obligation"};
  std::map<std::string, int> index;
  for (size_t i = 0; i < p_.obligations.size(); ++i) index[p_.obligations[i]->name] = static_cast<int>(i);
  p_.obligation_parents.assign(p_.obligations.size(), {});
  for (size_t i = 0; i < p_.obligations.size(); ++i) {
    const ast::ObligationDecl& o = *p_.obligations[i];
    scope_ = o.scope;
    if (o.when) ExpectType(*o.when, ctx, types_.Bool(), fmt::format("the condition of obligation `{}`", o.name));
    Assumed when_holds = Assume(o.when.get(), true);  // the other clauses matter only when it does
    if (o.violated) ExpectType(*o.violated, ctx, types_.Bool(), fmt::format("the `violated when` condition of `{}`", o.name));
    CheckDeadline(o, ctx);
    // In a file with `law`, W0107 asks for a citation or an interpretation instead (law.cc).
    bool law_backed = std::any_of(p_.modules.begin(), p_.modules.end(),
                                  [&](const auto& m) { return m->file == o.span.file && !m->laws.empty(); });
    if (o.citations.empty() && !law_backed) {
      diags_.Warning("W0103", o.span, fmt::format("obligation `{}` cites no provision", o.name))
          .help = "add `cite \"Art. N\"` so that every decision carries its legal basis";
    }
    for (const ast::NameRef& to : o.exception_to) {
      auto it = index.find(to.name);
      if (it == index.end() || it->second == static_cast<int>(i)) {
        std::vector<std::string> names;
        for (auto& [n, _] : index) names.push_back(n);
        auto& d = diags_.Error(it == index.end() ? "E0405" : "E0407", to.span,
                               it == index.end()
                                   ? fmt::format("obligation `{}` is an exception to `{}`, which is not an obligation", o.name, to.name)
                                   : fmt::format("obligation `{}` is an exception to itself", o.name));
        if (it == index.end()) d.help = Suggest(to.name, names);
        continue;
      }
      std::vector<int>& parents = p_.obligation_parents[i];
      if (std::find(parents.begin(), parents.end(), it->second) != parents.end()) {
        diags_.Error("E0414", to.span, fmt::format("obligation `{}` names `{}` twice after `exception to`", o.name, to.name));
        continue;
      }
      if (p_.obligations[it->second]->scope != o.scope) {
        diags_.Error("E0126", to.span,
                     fmt::format("obligation `{}` is an exception to `{}`, which is decided {}", o.name, to.name,
                                 o.scope >= 0 ? "outside its `for each`" : "in a `for each`"))
            .help = "an exception and its general obligation are decided for the same elements";
        continue;
      }
      parents.push_back(it->second);
    }
  }
  scope_ = -1;
  ReportExceptionCycles(p_.obligation_parents, [&](int i) { return p_.obligations[i]->span; },
                        [&](int i) { return p_.obligations[i]->name; }, "obligation");
  ReportDeepExceptions(p_.obligation_parents, [&](int i) { return p_.obligations[i]->span; },
                       [&](int i) { return p_.obligations[i]->name; }, "obligation");
}

// The deadline clauses of an obligation (docs/language.md §13): one kind of deadline, and the
// facts of performance that fit it.
void Checker::CheckDeadline(const ast::ObligationDecl& o, const Context& ctx) {
  auto clause_error = [&](const Expr& at, const std::string& message, const std::string& help) {
    diags_.Error("E0413", at.span, message).help = help;
  };
  // The kind (date or instant) of the deadline, or null when there is none or it is not known.
  const Type* when = nullptr;
  auto point = [&](Expr& e, const std::string& what, bool optional) -> const Type* {
    const Type* t = CheckExpr(e, ctx);
    const Type* base = t->kind == TypeKind::kOptional && optional ? t->elem : t;
    if (base->kind == TypeKind::kDate || base->kind == TypeKind::kDateTime) return base;
    if (t->kind != TypeKind::kError) Mismatch(e, types_.Date(), t, what);
    return nullptr;
  };
  int kinds = (o.deadline ? 1 : 0) + (o.every ? 1 : 0) + (o.retain_until ? 1 : 0);
  if (kinds > 1) {
    const Expr& second = *(o.retain_until ? o.retain_until : o.every);
    clause_error(second, fmt::format("obligation `{}` has more than one kind of deadline", o.name),
                 "an obligation has one of: `deadline`, `deadline every`, `retain`");
  }
  bool open = false;
  if (o.deadline && o.deadline->kind == ExprKind::kText && !o.deadline_after) {
    open = true;  // an open standard: "without undue delay"
    CheckExpr(*o.deadline, ctx);
  } else if (o.deadline && o.deadline_after) {
    ExpectType(*o.deadline, ctx, types_.Duration(), fmt::format("the period before `after` in the deadline of `{}`", o.name));
    when = point(*o.deadline_after, fmt::format("the event after `after` in the deadline of `{}`", o.name), false);
    if (when && when->kind == TypeKind::kDate) CheckWholeDays(*o.deadline_after, *o.deadline, when);
  } else if (o.deadline) {
    when = point(*o.deadline, fmt::format("the deadline of `{}`", o.name), true);
  }
  if (o.every) {
    ExpectType(*o.every, ctx, types_.Duration(), fmt::format("the period of the recurring deadline of `{}`", o.name));
    std::optional<Duration> period = ConstDuration(*o.every);
    if (period && ((period->months != 0) == (period->seconds != 0) || period->months < 0 || period->seconds < 0 ||
                   !period->WholeDays())) {
      clause_error(*o.every, fmt::format("the recurring deadline of `{}` comes every `{}`", o.name, ast::ToSource(*o.every)),
                   "a recurring period is a positive number of whole days or of whole months (`1 year`, `3 months`, `7 days`)");
    }
    ExpectType(*o.every_from, ctx, types_.Date(), fmt::format("the first due date of `{}`", o.name));
    when = types_.Date();
  }
  if (o.retain_until) {
    if (o.retain_after) {
      ExpectType(*o.retain_until, ctx, types_.Duration(), fmt::format("the retention period of `{}`", o.name));
      when = point(*o.retain_after, fmt::format("the event the retention of `{}` runs from", o.name), false);
      if (when && when->kind == TypeKind::kDate) CheckWholeDays(*o.retain_after, *o.retain_until, when);
    } else {
      when = point(*o.retain_until, fmt::format("the date `{}` keeps until", o.name), true);
    }
  }
  if (o.not_before) {
    const Type* t = point(*o.not_before, fmt::format("the `not before` date of `{}`", o.name), false);
    if (!o.deadline || open) {
      clause_error(*o.not_before, fmt::format("`not before` of `{}` opens a window that no deadline closes", o.name),
                   "a window is `not before X` with `deadline Y`");
    } else if (t && when && t != when) {
      clause_error(*o.not_before, fmt::format("the window of `{}` mixes a `{}` and a `{}`", o.name, types_.Name(t),
                                              types_.Name(when)),
                   "give both ends as dates, or both as date-times");
    }
  }
  if (o.done_at) {
    const Type* t = point(*o.done_at, fmt::format("when `{}` was done (`done at`)", o.name), true);
    if (o.retain_until) {
      clause_error(*o.done_at, fmt::format("`done at` has no meaning for the retention of `{}`", o.name),
                   "say when what is kept was deleted: `deleted at ...`");
    } else if (kinds == 0) {
      clause_error(*o.done_at, fmt::format("`done at` of `{}` has no deadline to be judged by", o.name),
                   "add a `deadline`");
    } else if (t && when && t->kind == TypeKind::kDate && when->kind == TypeKind::kDateTime) {
      clause_error(*o.done_at, fmt::format("the deadline of `{}` is an instant, but `done at` gives only a date", o.name),
                   "give the date-time it was done (a `datetime`)");
    }
  }
  if (o.deleted_at) {
    const Type* t = point(*o.deleted_at, fmt::format("when what `{}` keeps was deleted (`deleted at`)", o.name), true);
    if (!o.retain_until) {
      clause_error(*o.deleted_at, fmt::format("`deleted at` of `{}` needs a retention period", o.name),
                   "add `retain for PERIOD after EVENT` or `retain until DATE`");
    } else if (t && when && t->kind == TypeKind::kDate && when->kind == TypeKind::kDateTime) {
      clause_error(*o.deleted_at, fmt::format("`{}` keeps until an instant, but `deleted at` gives only a date", o.name),
                   "give the date-time it was deleted (a `datetime`)");
    }
  }
  if (o.overdue) {
    ExpectType(*o.overdue, ctx, types_.Bool(), fmt::format("the `overdue when` condition of `{}`", o.name));
    if (!open) {
      clause_error(*o.overdue, fmt::format("`overdue when` of `{}` is for an open standard", o.name),
                   "with a date, the deadline decides when it is overdue; for a standard write "
                   "`deadline \"without undue delay\"`");
    }
  } else if (open) {
    clause_error(*o.deadline, fmt::format("the standard \"{}\" of `{}` needs a fact that says when it is not met",
                                          o.deadline->text, o.name),
                 "add `overdue when CONDITION` (e.g. a fact `delay_undue: bool`): the policy never invents it");
  }
}

// The type of `o`'s deadline value in a decision: date, datetime, or null (none).
const Type* Checker::DeadlineType(const ast::ObligationDecl& o) {
  const Expr* e = o.every ? o.every_from.get()
                  : o.deadline_after ? o.deadline_after.get()
                  : o.retain_after  ? o.retain_after.get()
                  : o.deadline      ? o.deadline.get()
                                    : o.retain_until.get();
  if (!e || !e->type || (e->kind == ExprKind::kText && !o.deadline_after)) return nullptr;
  const Type* t = e->type->kind == TypeKind::kOptional ? e->type->elem : e->type;
  return t->kind == TypeKind::kDate || t->kind == TypeKind::kDateTime ? t : nullptr;
}

}  // namespace proviso::check_internal
