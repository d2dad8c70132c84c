// `for each VAR in COLLECTION [key K] [law as of D]`: what is decided for each element, and
// `law as of D`: the date whose law decides. The declarations inside a `for each` are checked with
// the others (bodies.cc, default_logic.cc, obligations.cc), with `scope_` set to it.
#include "compiler/check/checker_impl.h"

#include <string>

#include <fmt/format.h>

namespace proviso::check_internal {

// An input field, or a field of one through records (not optionals): what a `for each` ranges over,
// so that the number of elements is known from the facts.
static bool FactPath(const Expr& e) {
  if (e.kind == ExprKind::kName) return e.ref == RefKind::kInput;
  return e.kind == ExprKind::kField && e.args[0]->type && e.args[0]->type->kind == TypeKind::kRecord &&
         FactPath(*e.args[0]);
}

void Checker::CheckScopes() {
  Context law{true, "a law date"};
  law.law_date = true;
  const ast::Module& main = p_.main();
  if (main.law) ExpectType(*main.law, law, types_.Date(), "the date of `law as of`");
  for (size_t i = 0; i < p_.scopes.size(); ++i) {
    ScopeSymbol& sc = p_.scopes[i];
    const ast::ScopeDecl& d = *sc.decl;
    scope_ = -1;  // the collection is the policy's
    Context ctx{true, "the collection of a `for each`"};
    const Type* coll = CheckExpr(*d.collection, ctx);
    if (coll->kind != TypeKind::kError && !FactPath(*d.collection)) {
      diags_.Error("E0218", d.collection->span, "`for each` ranges over a list or set of the facts (an input field)")
          .help = "name the input field (`transfers`, `entity.activities`); to decide over a derived collection, "
                  "decide over the facts it comes from";
    }
    if (coll->kind == TypeKind::kList || coll->kind == TypeKind::kSet) {
      sc.element = coll->elem;
    } else {
      if (coll->kind != TypeKind::kError) {
        diags_.Error("E0218", d.collection->span,
                     fmt::format("`for each` needs a list or a set to range over, found `{}`", types_.Name(coll)));
      }
      sc.element = Err();
    }
    scope_ = static_cast<int>(i);
    sc.key = types_.Int();
    if (d.key) {
      Context key_ctx{true, "the key of a `for each`"};
      const Type* k = CheckExpr(*d.key, key_ctx);
      if (k->kind == TypeKind::kText || k->kind == TypeKind::kInt || k->kind == TypeKind::kEnum ||
          k->kind == TypeKind::kDate || k->kind == TypeKind::kError) {
        sc.key = k;
      } else {
        diags_.Error("E0203", d.key->span,
                     fmt::format("the key of a `for each` names an element: a text, int, date or enum value, "
                                 "found `{}`",
                                 types_.Name(k)));
        sc.key = Err();
      }
    }
    if (d.law) ExpectType(*d.law, law, types_.Date(), "the date of `law as of`");
  }
  scope_ = -1;
}

}  // namespace proviso::check_internal
