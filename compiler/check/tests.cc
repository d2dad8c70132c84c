// Checker pass for `test` blocks: given facts, set params and expected values.
#include "compiler/check/checker_impl.h"

#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace proviso::check_internal {

void Checker::CheckTests() {
  Context constant{false, "a test's facts", /*partial_records=*/true};
  const RecordInfo& input = types_.record_info(p_.input_record);
  // Tests are reported by name: two of one name would be one line of a report for two results.
  std::map<std::string, const ast::TestDecl*> named;
  for (ast::TestDecl* t : p_.tests) {
    auto [first, fresh] = named.emplace(t->name, t);
    if (!fresh) {
      auto& d = diags_.Error("E0122", t->span, fmt::format("two tests are named \"{}\"", t->name));
      d.notes.push_back({first->second->span, "first defined here"});
    }
  }
  for (ast::TestDecl* t : p_.tests) {
    for (ast::TestGiven& g : t->givens) {
      const Type* cur = types_.Record(p_.input_record);
      bool ok = true;
      for (size_t i = 0; i < g.path.size(); ++i) {
        const Type* rec = cur->kind == TypeKind::kOptional ? cur->elem : cur;
        if (rec->kind != TypeKind::kRecord) {
          diags_.Error("E0118", g.span, fmt::format("`{}` is not a record, so it has no field `{}`", g.path[i - 1], g.path[i]));
          ok = false;
          break;
        }
        const RecordInfo& r = types_.record_info(rec->index);
        int f = r.Find(g.path[i]);
        if (f < 0) {
          std::vector<std::string> names;
          for (auto& fi : r.fields) names.push_back(fi.name);
          diags_.Error("E0113", g.span,
                       fmt::format("{} has no field `{}`", i == 0 ? "the input" : "`" + r.name + "`", g.path[i]))
              .help = Suggest(g.path[i], names);
          ok = false;
          break;
        }
        if (i == 0) MarkUsed(g.path[0]);
        cur = r.fields[f].type;
      }
      if (!ok) {
        CheckExpr(*g.value, constant);
        continue;
      }
      ExpectType(*g.value, constant, cur, "the given value");
      if (!IsConstant(*g.value)) {
        diags_.Error("E0116", g.value->span, "a given fact must be a constant");
      }
    }
    (void)input;
    for (ast::TestSet& s : t->sets) {
      auto it = globals_.find(s.name);
      if (it == globals_.end() || it->second.kind != SymKind::kParam) {
        std::vector<std::string> names;
        for (auto& ps : p_.params) names.push_back(ps.name);
        diags_.Error("E0119", s.span, fmt::format("`{}` is not a param, so it cannot be set", s.name))
            .help = Suggest(s.name, names);
        CheckExpr(*s.value, constant);
        continue;
      }
      s.param = it->second.index;
      ExpectType(*s.value, constant, p_.params[s.param].type, fmt::format("the value of param `{}`", s.name));
      if (!IsConstant(*s.value)) diags_.Error("E0116", s.value->span, "a param value must be a constant");
    }
    for (ast::TestExpect& x : t->expects) {
      switch (x.kind) {
        case ast::TestExpect::Kind::kValue: {
          auto it = globals_.find(x.name);
          if (it == globals_.end() || (it->second.kind != SymKind::kOutput && it->second.kind != SymKind::kLet)) {
            std::vector<std::string> names;
            for (auto& o : p_.outputs) names.push_back(o.decl->name);
            for (auto& l : p_.lets) names.push_back(l.decl->name);
            diags_.Error("E0120", x.span, fmt::format("`{}` is not an output or a let", x.name))
                .help = Suggest(x.name, names);
            if (x.value) CheckExpr(*x.value, constant);
            break;
          }
          MarkUsed(x.name);
          CheckItem(x, it->second.scope, constant);
          CheckMissingFacts(x);
          if (!x.value) break;  // `expect x undetermined`
          const Type* want = it->second.kind == SymKind::kOutput ? p_.outputs[it->second.index].type
                                                                 : LetType(it->second.index);
          ExpectType(*x.value, constant, want, fmt::format("the expected value of `{}`", x.name));
          if (!IsConstant(*x.value)) diags_.Error("E0116", x.value->span, "an expected value must be a constant");
          break;
        }
        case ast::TestExpect::Kind::kObligation:
        case ast::TestExpect::Kind::kNoObligation: {
          auto it = globals_.find(x.name);
          if (it == globals_.end() || it->second.kind != SymKind::kObligation) {
            std::vector<std::string> names;
            for (auto* o : p_.obligations) names.push_back(o->name);
            diags_.Error("E0121", x.span, fmt::format("`{}` is not an obligation", x.name))
                .help = Suggest(x.name, names);
            break;
          }
          const ast::ObligationDecl& o = *p_.obligations[it->second.index];
          CheckItem(x, it->second.scope, constant);
          CheckMissingFacts(x);
          if (x.deadline) {
            const Type* want = DeadlineType(o);
            if (!want) {
              diags_.Error("E0125", x.deadline->span, fmt::format("obligation `{}` has no deadline to expect", x.name));
              CheckExpr(*x.deadline, constant);
            } else {
              ExpectType(*x.deadline, constant, want, "the expected deadline");
            }
          }
          if (!x.status.empty()) {
            static const std::vector<std::string> kStatuses = {"pending", "met", "overdue", "early", "breached",
                                                               "undetermined"};
            if (std::find(kStatuses.begin(), kStatuses.end(), x.status) == kStatuses.end()) {
              auto& d = diags_.Error("E0125", x.status_span, fmt::format("`{}` is not a status of a deadline", x.status));
              d.help = Suggest(x.status, kStatuses);
              if (d.help.empty()) d.help = "expect one of " + JoinNames(kStatuses);
            } else if (!o.deadline && !o.every && !o.retain_until) {
              diags_.Error("E0125", x.status_span, fmt::format("obligation `{}` has no deadline, so no status", x.name));
            }
          }
          break;
        }
        case ast::TestExpect::Kind::kError: break;
      }
    }
  }
}

// `missing a.b, c`: each a fact of the input schema (a list's element fields without `[]`).
void Checker::CheckMissingFacts(const ast::TestExpect& x) {
  if (!x.missing) return;
  for (size_t i = 0; i < x.missing->size(); ++i) {
    const std::vector<std::string>& path = (*x.missing)[i];
    const Type* cur = types_.Record(p_.input_record);
    for (size_t k = 0; k < path.size(); ++k) {
      const Type* rec = cur;
      while (rec->kind == TypeKind::kOptional || rec->kind == TypeKind::kList || rec->kind == TypeKind::kSet) rec = rec->elem;
      if (rec->kind != TypeKind::kRecord) {
        diags_.Error("E0118", x.missing_spans[i],
                     fmt::format("`{}` is not a record, so it has no field `{}`", path[k - 1], path[k]));
        break;
      }
      const RecordInfo& r = types_.record_info(rec->index);
      int f = r.Find(path[k]);
      if (f < 0) {
        std::vector<std::string> names;
        for (auto& fi : r.fields) names.push_back(fi.name);
        diags_.Error("E0113", x.missing_spans[i],
                     fmt::format("{} has no field `{}`, so it is no fact that can be missing",
                                 k == 0 ? "the input" : "`" + r.name + "`", path[k]))
            .help = Suggest(path[k], names);
        break;
      }
      cur = r.fields[f].type;
    }
  }
}

// `expect NAME for KEY ...`: a name decided in a `for each` is expected for one element, named by
// its key (or index); a name of the policy for none.
void Checker::CheckItem(ast::TestExpect& x, int scope, const Context& constant) {
  if (scope < 0) {
    if (x.item) {
      diags_.Error("E0126", x.item->span, fmt::format("`{}` is decided once for the whole policy, not for each element", x.name))
          .help = "remove `for ...`";
      CheckExpr(*x.item, constant);
    }
    return;
  }
  const ScopeSymbol& sc = p_.scopes[scope];
  if (!x.item) {
    diags_.Error("E0126", x.span,
                 fmt::format("`{}` is decided for each element of `{}`: say which", x.name, ast::ToSource(*sc.decl->collection)))
        .help = fmt::format("write `expect ... {} for KEY ...` with the element's key{}", x.name,
                            sc.decl->key ? fmt::format(" (`{}`)", ast::ToSource(*sc.decl->key)) : " (its index, from 0)");
    return;
  }
  ExpectType(*x.item, constant, sc.key, "the key of the element");
  if (!IsConstant(*x.item)) diags_.Error("E0116", x.item->span, "the key of the element must be a constant");
}

}  // namespace proviso::check_internal
