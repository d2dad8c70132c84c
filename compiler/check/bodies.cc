// Checker pass for the bodies of declarations: field defaults, param values, lets and functions
// (tables are in tables.cc); what counts as a constant.
#include "compiler/check/checker_impl.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace proviso::check_internal {

const Type* Checker::LetType(int i) {
  LetSymbol& l = p_.lets[i];
  if (l.type && let_state_[i] != 1) {
    if (let_state_[i] == 0) CheckLet(i);
    return l.type;
  }
  if (let_state_[i] == 1) return l.type ? l.type : Err();  // cycle: reported by CheckDependencyCycles
  CheckLet(i);
  return l.type ? l.type : Err();
}

void Checker::CheckLet(int i) {
  if (let_state_[i] != 0) return;
  let_state_[i] = 1;
  LetSymbol& l = p_.lets[i];
  auto saved = std::move(locals_);
  locals_.clear();
  auto saved_present = std::move(present_);  // what is known where the let is used does not hold in it
  present_.clear();
  int saved_scope = scope_;
  scope_ = l.scope;
  Context ctx{true, "a let"};
  const Type* t = CheckExpr(*l.decl->value, ctx, l.type);
  if (l.type) {
    if (!IsAssignable(t, l.type)) Mismatch(*l.decl->value, l.type, t, fmt::format("the value of `{}`", l.decl->name));
  } else {
    if (t->kind == TypeKind::kAny || (t->elem && t->elem->kind == TypeKind::kAny)) {
      diags_.Error("E0214", l.decl->value->span,
                   fmt::format("the type of `{}` cannot be inferred", l.decl->name))
          .help = fmt::format("annotate it: `let {}: set<text> = ...`", l.decl->name);
      t = Err();
    }
    l.type = t;
  }
  locals_ = std::move(saved);
  present_ = std::move(saved_present);
  scope_ = saved_scope;
  let_state_[i] = 2;
}

// A constant expression, computed when the policy is compiled: literals, enum values, and the
// operators, `if`, `match`, quantifiers and builtins over constants (collections and records of
// them too); not params, functions or tables (whose values depend on the law's date).
bool Checker::IsConstant(const Expr& e) {
  auto all = [&] {
    return std::all_of(e.args.begin(), e.args.end(), [&](const ast::ExprPtr& a) { return IsConstant(*a); }) &&
           std::all_of(e.arms.begin(), e.arms.end(), [&](const ast::MatchArm& a) { return IsConstant(*a.body); });
  };
  switch (e.kind) {
    case ExprKind::kInt: case ExprKind::kDecimal: case ExprKind::kText: case ExprKind::kDate:
    case ExprKind::kDateTime: case ExprKind::kDuration: case ExprKind::kBool: case ExprKind::kNone:
      return true;
    case ExprKind::kName: return e.ref == RefKind::kEnumValue || e.ref == RefKind::kLocal;  // a quantifier's variable
    case ExprKind::kCall: return e.ref == RefKind::kBuiltin && all();
    case ExprKind::kNeg: case ExprKind::kNot: case ExprKind::kBinary: case ExprKind::kAnd: case ExprKind::kOr:
    case ExprKind::kIn: case ExprKind::kCoalesce: case ExprKind::kIsPresent: case ExprKind::kIf: case ExprKind::kQuant:
    case ExprKind::kSetOp: case ExprKind::kIsEmpty:
    case ExprKind::kList: case ExprKind::kSet: case ExprKind::kRecord: case ExprKind::kMatch:
    case ExprKind::kWorkingDays: case ExprKind::kField:
      return all();
    default: return false;
  }
}

// The constraints of a fact (`in 0..1439`, `>= 0`, `!= ""`): constant bounds of the field's type
// (of its elements for a list or set); an order only for numbers, dates, date-times and durations.
void Checker::CheckFieldChecks(ast::FieldDecl& f, const Type* type) {
  if (f.checks.empty() || type->kind == TypeKind::kError) return;
  Context constant{false, "a constraint"};
  const Type* t = type->kind == TypeKind::kOptional ? type->elem : type;
  if (t->kind == TypeKind::kList || t->kind == TypeKind::kSet) t = t->elem;
  bool ordered = IsOrdered(t);
  bool equatable = ordered || t->kind == TypeKind::kText || t->kind == TypeKind::kEnum || t->kind == TypeKind::kBool;
  for (ast::FieldCheck& c : f.checks) {
    bool ok = c.range || c.op != ast::BinOp::kNe ? ordered : equatable;
    if (!ok) {
      diags_.Error("E0227", c.span,
                   fmt::format("field `{}` is `{}`, which `{}` does not apply to", f.name, types_.Name(type),
                               c.range ? "in lo..hi" : ast::OpText(c.op)))
          .help = ordered || !equatable ? "constraints apply to numbers, dates, date-times, durations, texts and enums"
                                        : "only numbers, dates, date-times and durations have an order: use `!=`";
      continue;
    }
    for (ast::Expr* bound : {c.lo.get(), c.hi.get()}) {
      if (!bound) continue;
      const Type* bt = ExpectType(*bound, constant, t, fmt::format("the bound of `{}`", f.name));
      if (bt->kind == TypeKind::kError) continue;
      if (!IsConstant(*bound)) {
        diags_.Error("E0116", bound->span, fmt::format("the bound of `{}` must be a constant", f.name))
            .help = "facts are checked before any law applies: a bound is a literal or a constant expression";
        continue;
      }
      if (t->kind == TypeKind::kDuration) {
        std::optional<Duration> d = ConstDuration(*bound);
        if (d && d->months != 0) {
          diags_.Error("E0227", bound->span,
                       fmt::format("a bound on duration `{}` in months or years has no fixed length", f.name))
              .help = "give the bound in weeks, days, hours, minutes or seconds";
        }
      }
    }
  }
}

void Checker::CheckBodies() {
  Context constant{false, "a constant"};
  for (auto& [f, type] : field_defaults_) CheckFieldChecks(*f, type);
  for (auto& [f, type] : field_defaults_) {
    if (!f->dflt) continue;
    ExpectType(*f->dflt, constant, type, fmt::format("the default of `{}`", f->name));
    if (!IsConstant(*f->dflt)) {
      diags_.Error("E0116", f->dflt->span, fmt::format("the default of `{}` must be a constant", f->name));
    }
  }
  for (ParamSymbol& ps : p_.params) {
    for (const ast::ParamDecl* v : ps.versions) {
      Context ctx{false, "a param value"};
      ExpectType(*v->value, ctx, ps.type, fmt::format("the value of param `{}`", ps.name));
      if (!IsConstant(*v->value)) {
        diags_.Error("E0116", v->value->span, fmt::format("the value of param `{}` must be a constant", ps.name))
            .help = "params are the numbers and lists written in the law; derive values with `let`";
      }
    }
  }
  for (size_t i = 0; i < p_.lets.size(); ++i) CheckLet(static_cast<int>(i));
  for (FunctionSymbol& f : p_.functions) {
    locals_.clear();
    for (size_t i = 0; i < f.params.size(); ++i) {
      locals_.push_back(Local{f.decl->params[i].name, f.params[i], static_cast<int>(i)});
    }
    p_.max_locals = std::max(p_.max_locals, static_cast<int>(locals_.size()));
    Context ctx{false, "a function body"};
    ExpectType(*f.decl->body, ctx, f.result, fmt::format("the result of `{}`", f.decl->name));
    locals_.clear();
  }
  for (size_t i = 0; i < p_.tables.size(); ++i) CheckTable(p_.tables[i]);
}

}  // namespace proviso::check_internal
