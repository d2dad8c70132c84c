// Narrowing: after `x is present`, `x` has the type `T` of its optional `T?` wherever the
// condition is known to hold: the right side of `and` (`or` for `is not present`), the branches
// of `if`, the `then` of a rule and the clauses of an obligation after its `when`, and the arms of
// a `match` on an optional enum other than `none`. Paths (names and fields of them) are compared by
// their source text; a variable that shadows a path's first name forgets its narrowing.
#include "compiler/check/checker_impl.h"

#include <string>
#include <vector>

namespace proviso::check_internal {

bool Checker::IsPath(const Expr& e) {
  if (e.kind == ExprKind::kName) return e.ref != RefKind::kEnumValue;
  return e.kind == ExprKind::kField && IsPath(*e.args[0]);
}

void Checker::PresentWhen(const Expr& cond, bool value, std::vector<std::string>& out) {
  switch (cond.kind) {
    case ExprKind::kIsPresent:
      if (value != cond.negated && IsPath(*cond.args[0])) out.push_back(ast::ToSource(*cond.args[0]));
      break;
    case ExprKind::kNot: PresentWhen(*cond.args[0], !value, out); break;
    case ExprKind::kAnd:
      if (value) {
        PresentWhen(*cond.args[0], true, out);
        PresentWhen(*cond.args[1], true, out);
      }
      break;
    case ExprKind::kOr:
      if (!value) {
        PresentWhen(*cond.args[0], false, out);
        PresentWhen(*cond.args[1], false, out);
      }
      break;
    default: break;
  }
}

Checker::Assumed Checker::Assume(const Expr* cond, bool value) {
  Assumed guard{&present_, present_.size()};
  if (cond) PresentWhen(*cond, value, present_);
  return guard;
}

Checker::Assumed Checker::AssumePresent(const Expr& path) {
  Assumed guard{&present_, present_.size()};
  if (IsPath(path)) present_.push_back(ast::ToSource(path));
  return guard;
}

const Type* Checker::Narrow(Expr& e, const Type* t) {
  if (unnarrowed_ || present_.empty() || t->kind != TypeKind::kOptional || !IsPath(e)) return t;
  std::string key = ast::ToSource(e);
  for (const std::string& p : present_) {
    if (p != key) continue;
    e.narrowed_from = t;
    return t->elem;
  }
  return t;
}

const Type* Checker::CheckUnnarrowed(Expr& e, const Context& ctx, const Type* expected) {
  unnarrowed_ = true;
  return CheckExpr(e, ctx, expected);
}

std::vector<std::string> Checker::Shadow(const std::string& name) {
  std::vector<std::string> saved = present_;
  std::vector<std::string> kept;
  for (const std::string& p : present_) {
    if (p != name && p.rfind(name + ".", 0) != 0) kept.push_back(p);
  }
  present_ = std::move(kept);
  return saved;
}

}  // namespace proviso::check_internal
