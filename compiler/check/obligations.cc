// Checker pass for obligations: conditions, deadlines, citations and exceptions.
#include "compiler/check/checker_impl.h"

#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace proviso::check_internal {

void Checker::CheckObligations() {
  Context ctx{true, "an obligation"};
  std::map<std::string, int> index;
  for (size_t i = 0; i < p_.obligations.size(); ++i) index[p_.obligations[i]->name] = static_cast<int>(i);
  p_.obligation_parent.assign(p_.obligations.size(), -1);
  for (size_t i = 0; i < p_.obligations.size(); ++i) {
    const ast::ObligationDecl& o = *p_.obligations[i];
    if (o.when) ExpectType(*o.when, ctx, types_.Bool(), fmt::format("the condition of obligation `{}`", o.name));
    if (o.violated) ExpectType(*o.violated, ctx, types_.Bool(), fmt::format("the `violated when` condition of `{}`", o.name));
    if (o.deadline) {
      if (o.deadline_after) {
        ExpectType(*o.deadline, ctx, types_.Duration(), fmt::format("the period before `after` in the deadline of `{}`", o.name));
        ExpectType(*o.deadline_after, ctx, types_.Date(), fmt::format("the event after `after` in the deadline of `{}`", o.name));
      } else {
        const Type* t = CheckExpr(*o.deadline, ctx, types_.Date());
        if (!IsAssignable(t, types_.Optional(types_.Date()))) {
          Mismatch(*o.deadline, types_.Date(), t, fmt::format("the deadline of `{}`", o.name));
        }
      }
    }
    if (o.citations.empty()) {
      diags_.Warning("W0103", o.span, fmt::format("obligation `{}` cites no provision", o.name))
          .help = "add `cite \"Art. N\"` so that every decision carries its legal basis";
    }
    if (!o.exception_to) continue;
    auto it = index.find(o.exception_to->name);
    if (it == index.end() || it->second == static_cast<int>(i)) {
      std::vector<std::string> names;
      for (auto& [n, _] : index) names.push_back(n);
      auto& d = diags_.Error(it == index.end() ? "E0405" : "E0407", o.exception_to->span,
                             it == index.end()
                                 ? fmt::format("obligation `{}` is an exception to `{}`, which is not an obligation", o.name, o.exception_to->name)
                                 : fmt::format("obligation `{}` is an exception to itself", o.name));
      if (it == index.end()) d.help = Suggest(o.exception_to->name, names);
      continue;
    }
    p_.obligation_parent[i] = it->second;
  }
  ReportExceptionCycles(p_.obligation_parent, [&](int i) { return p_.obligations[i]->span; },
                        [&](int i) { return p_.obligations[i]->name; }, "obligation");
  ReportDeepExceptions(p_.obligation_parent, [&](int i) { return p_.obligations[i]->span; },
                       [&](int i) { return p_.obligations[i]->name; }, "obligation");
}

}  // namespace proviso::check_internal
