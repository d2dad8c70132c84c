// Checker passes for names: declarations of types, records and values, their signatures, name
// lookup with "did you mean" hints, and warnings for unused declarations.
#include "compiler/check/checker_impl.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace proviso::check_internal {

const char* SymKindName(SymKind k) {
  switch (k) {
    case SymKind::kInput: return "input field";
    case SymKind::kParam: return "param";
    case SymKind::kLet: return "let";
    case SymKind::kOutput: return "output";
    case SymKind::kFunction: return "function";
    case SymKind::kTable: return "table";
    case SymKind::kRule: return "rule";
    case SymKind::kObligation: return "obligation";
  }
  return "name";
}

namespace {

// Levenshtein distance, for "did you mean" hints.
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

// Short names only get a hint for a one-letter slip; longer ones tolerate more.
size_t SlipLimit(const std::string& name) { return name.size() <= 3 ? (name.size() <= 1 ? 1 : 2) : name.size() / 3 + 1; }

std::string Suggest(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = SlipLimit(name);
  for (const std::string& c : candidates) {
    if (c == name) continue;  // the name itself is no suggestion
    size_t d = EditDistance(name, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best.empty() ? "" : fmt::format("did you mean `{}`?", best);
}

void Checker::DeclareTypes() {
  for (auto& m : p_.modules) {
    for (ast::EnumDecl& e : m->enums) {
      if (!DeclareTypeName(e.name, e.span)) continue;
      EnumInfo info;
      info.name = e.name;
      info.span = e.span;
      std::map<std::string, Span> seen;
      for (size_t i = 0; i < e.variants.size(); ++i) {
        auto [it, fresh] = seen.emplace(e.variants[i], e.variant_spans[i]);
        if (!fresh) {
          auto& d = diags_.Error("E0103", e.variant_spans[i],
                                 fmt::format("enum `{}` lists `{}` twice", e.name, e.variants[i]));
          d.notes.push_back({it->second, "first listed here"});
        }
        info.variants.push_back(e.variants[i]);
      }
      e.type_index = types_.AddEnum(std::move(info));
      enum_index_[e.name] = e.type_index;
      enum_decl_[e.type_index] = {&e, m.get() == &p_.main()};
    }
    for (ast::RecordDecl& r : m->records) {
      if (!DeclareTypeName(r.name, r.span)) continue;
      RecordInfo info;
      info.name = r.name;
      info.span = r.span;
      r.type_index = types_.AddRecord(std::move(info));
      record_index_[r.name] = r.type_index;
      record_decl_[r.type_index] = {&r, m.get() == &p_.main()};
    }
  }
  for (auto& m : p_.modules) {
    for (ast::RecordDecl& r : m->records) {
      if (r.type_index < 0) continue;
      FillFields(types_.record_info(r.type_index), r.fields, fmt::format("record `{}`", r.name));
    }
  }
  // The facts schema is a record too. Only the main file's input counts.
  RecordInfo input;
  input.name = "input";
  p_.input_record = types_.AddRecord(std::move(input));
  ast::Module& main = *p_.modules.front();
  for (size_t i = 0; i < main.inputs.size(); ++i) {
    if (i > 0) {
      diags_.Error("E0104", main.inputs[i].span, "the policy has more than one `input` block")
          .notes.push_back({main.inputs[0].span, "first `input` block here"});
      continue;
    }
  }
  if (!main.inputs.empty()) {
    FillFields(types_.record_info(p_.input_record), main.inputs[0].fields, "the input");
  }
  CheckRecordCycles();
}

bool Checker::DeclareTypeName(const std::string& name, Span span) {
  auto it = type_names_.find(name);
  if (it != type_names_.end()) {
    auto& d = diags_.Error("E0102", span, fmt::format("type `{}` is declared twice", name));
    d.notes.push_back({it->second, "first declared here"});
    return false;
  }
  type_names_[name] = span;
  return true;
}

void Checker::FillFields(RecordInfo& info, std::vector<ast::FieldDecl>& fields,
                         const std::string& owner) {
  std::map<std::string, Span> seen;
  for (ast::FieldDecl& f : fields) {
    auto [it, fresh] = seen.emplace(f.name, f.span);
    if (!fresh) {
      diags_.Error("E0105", f.span, fmt::format("{} has two fields named `{}`", owner, f.name))
          .notes.push_back({it->second, "first declared here"});
      continue;
    }
    FieldInfo fi;
    fi.name = f.name;
    fi.span = f.span;
    fi.type = ResolveType(*f.type);
    fi.has_default = f.dflt != nullptr;
    info.fields.push_back(fi);
    field_defaults_.push_back({&f, fi.type});
  }
}

// The longest chain of records nested in records (through optionals, lists and sets too) below
// record `r`, counting `r`; a record met again on the way ends the chain.
int Checker::RecordDepth(int r, std::vector<int>& depth, std::vector<char>& on_path) {
  if (depth[r] > 0) return depth[r];
  if (on_path[r]) return 0;
  on_path[r] = 1;
  int deepest = 0;
  for (const FieldInfo& f : types_.record_info(r).fields) {
    const Type* t = f.type;
    while (t->elem) t = t->elem;
    if (t->kind == TypeKind::kRecord) deepest = std::max(deepest, RecordDepth(t->index, depth, on_path));
    if (deepest > kMaxChain) break;
  }
  on_path[r] = 0;
  return depth[r] = deepest + 1;
}

void Checker::CheckRecordCycles() {
  std::vector<int> depth(types_.record_count(), 0);
  std::vector<char> on_path(types_.record_count(), 0), declared_inside(types_.record_count(), 0);
  for (int q = 0; q < types_.record_count(); ++q) {
    if (q == p_.input_record) continue;  // the input has no declaration to point at
    for (const FieldInfo& f : types_.record_info(q).fields) {
      const Type* t = f.type;
      while (t->elem) t = t->elem;
      if (t->kind == TypeKind::kRecord && t->index != q) declared_inside[t->index] = 1;
    }
  }
  for (int r = 0; r < types_.record_count(); ++r) {
    // Report the outermost declared record only (those inside it are as deep or less).
    if (r == p_.input_record || declared_inside[r] || RecordDepth(r, depth, on_path) <= kMaxChain) continue;
    diags_.Error("E0008", types_.record_info(r).span,
                 fmt::format("record `{}` nests records more than {} deep", types_.record_info(r).name, kMaxChain))
        .help = "flatten some of the records into their parents";
    return;  // the cycle check below would walk the chain from every record
  }
  // A record that contains itself (not through a list or set) has no finite value.
  for (int r = 0; r < types_.record_count(); ++r) {
    std::set<int> seen;
    std::function<bool(int)> reaches = [&](int cur) -> bool {
      for (const FieldInfo& f : types_.record_info(cur).fields) {
        const Type* t = f.type;
        if (t->kind == TypeKind::kOptional) continue;  // an absent value ends the chain
        if (t->kind != TypeKind::kRecord) continue;
        if (t->index == r) return true;
        if (seen.insert(t->index).second && reaches(t->index)) return true;
      }
      return false;
    };
    if (reaches(r)) {
      diags_.Error("E0106", types_.record_info(r).span,
                   fmt::format("record `{}` contains itself", types_.record_info(r).name))
          .help = "make the field optional (`T?`) or a list";
    }
  }
}

const Type* Checker::ResolveType(const ast::TypeExpr& t) {
  using K = ast::TypeExpr::Kind;
  switch (t.kind) {
    case K::kBool: return types_.Bool();
    case K::kInt: return types_.Int();
    case K::kDecimal: return types_.Decimal();
    case K::kText: return types_.Text();
    case K::kDate: return types_.Date();
    case K::kDateTime: return types_.DateTime();
    case K::kDuration: return types_.Duration();
    case K::kSet: {
      const Type* e = ResolveType(*t.elem);
      if (e->kind == TypeKind::kRecord || e->kind == TypeKind::kSet || e->kind == TypeKind::kList ||
          e->kind == TypeKind::kOptional) {
        diags_.Error("E0202", t.span, fmt::format("a set cannot hold `{}`", types_.Name(e))).help =
            "sets hold bool, int, decimal, text, date, duration or enum values; use a list";
        return types_.Error();
      }
      return types_.Set(e);
    }
    case K::kList: return types_.List(ResolveType(*t.elem));
    case K::kOptional: return types_.Optional(ResolveType(*t.elem));
    case K::kNamed: {
      if (auto it = enum_index_.find(t.name); it != enum_index_.end()) {
        used_types_.insert(t.name);
        return types_.Enum(it->second);
      }
      if (auto it = record_index_.find(t.name); it != record_index_.end()) {
        used_types_.insert(t.name);
        return types_.Record(it->second);
      }
      std::vector<std::string> names;
      for (auto& [n, s] : type_names_) names.push_back(n);
      for (const char* prim : {"bool", "int", "decimal", "text", "date", "datetime", "duration"}) names.push_back(prim);
      unknown_uses_.push_back(t.name);
      auto& d = diags_.Error("E0201", t.span, fmt::format("unknown type `{}`", t.name));
      d.help = Suggest(t.name, names);
      return types_.Error();
    }
  }
  return types_.Error();
}

void Checker::Declare(const std::string& name, Symbol sym) {
  auto it = globals_.find(name);
  if (it != globals_.end()) {
    // Kinds are declared in groups, not in file order: the error goes to whichever comes later.
    const Symbol* first = &it->second;
    const Symbol* second = &sym;
    if (std::tie(sym.span.file, sym.span.line, sym.span.col) <
        std::tie(first->span.file, first->span.line, first->span.col)) {
      std::swap(first, second);
    }
    duplicated_.insert(name);  // later uses of the name are ambiguous: no cascade of errors
    auto& d = diags_.Error("E0101", second->span,
                           fmt::format("`{}` is declared twice (as {} and as {})", name, SymKindName(first->kind),
                                       SymKindName(second->kind)));
    d.notes.push_back({first->span, "first declared here"});
    return;
  }
  globals_.emplace(name, sym);
}

void Checker::DeclareValues() {
  const ast::Module& main = p_.main();
  const RecordInfo& input = types_.record_info(p_.input_record);
  for (size_t i = 0; i < input.fields.size(); ++i) {
    Declare(input.fields[i].name, {SymKind::kInput, static_cast<int>(i), input.fields[i].span, true});
  }
  for (auto& m : p_.modules) {
    bool is_main = m.get() == &main;
    for (ast::ParamDecl& pd : m->params) {
      auto it = globals_.find(pd.name);
      if (it != globals_.end() && it->second.kind == SymKind::kParam) {
        p_.params[it->second.index].versions.push_back(&pd);  // another version
        continue;
      }
      Declare(pd.name, {SymKind::kParam, static_cast<int>(p_.params.size()), pd.span, is_main});
      if (globals_.at(pd.name).kind != SymKind::kParam ||
          globals_.at(pd.name).index != static_cast<int>(p_.params.size())) {
        continue;
      }
      p_.params.push_back(ParamSymbol{pd.name, nullptr, {&pd}});
    }
    for (ast::FunctionDecl& f : m->functions) {
      Declare(f.name, {SymKind::kFunction, static_cast<int>(p_.functions.size()), f.span, is_main});
      p_.functions.push_back(FunctionSymbol{&f, {}, nullptr});
    }
    for (ast::TableDecl& t : m->tables) {
      Declare(t.name, {SymKind::kTable, static_cast<int>(p_.tables.size()), t.span, is_main});
      p_.tables.push_back(TableSymbol{&t, {}, nullptr, nullptr});
    }
    if (!is_main) {
      for (auto& l : m->lets) Ignored(l.span, "let", l.name);
      for (auto& o : m->outputs) Ignored(o.span, "output", o.name);
      for (auto& r : m->rules) Ignored(r.span, "rule", r.name);
      for (auto& o : m->obligations) Ignored(o.span, "obligation", o.name);
      for (auto& in : m->inputs) Ignored(in.span, "input", "block");
      for (auto& t : m->tests) Ignored(t.span, "test", t.name);
      for (auto& sc : m->scopes) Ignored(sc.span, "for each", sc.var);
      if (m->law) Ignored(m->law_span, "law as of", ast::ToSource(*m->law));
      continue;
    }
    for (const ast::ScopeDecl& sc : m->scopes) p_.scopes.push_back(ScopeSymbol{&sc, nullptr, nullptr});
    // Names are unique in the policy, also inside a `for each` (where only its own are visible).
    for (ast::LetDecl& l : m->lets) {
      Declare(l.name, {SymKind::kLet, static_cast<int>(p_.lets.size()), l.span, true, l.scope});
      p_.lets.push_back(LetSymbol{&l, nullptr, l.scope});
    }
    for (ast::OutputDecl& o : m->outputs) {
      Declare(o.name, {SymKind::kOutput, static_cast<int>(p_.outputs.size()), o.span, true, o.scope});
      p_.outputs.push_back(OutputSymbol{&o, nullptr, {}, o.scope});
    }
    for (ast::RuleDecl& r : m->rules) {
      Declare(r.name, {SymKind::kRule, static_cast<int>(p_.rules.size()), r.span, true, r.scope});
      p_.rules.push_back(&r);
    }
    for (ast::ObligationDecl& o : m->obligations) {
      Declare(o.name, {SymKind::kObligation, static_cast<int>(p_.obligations.size()), o.span, true, o.scope});
      p_.obligations.push_back(&o);
    }
    for (ast::TestDecl& t : m->tests) p_.tests.push_back(&t);
  }
}

void Checker::Ignored(Span span, const char* what, const std::string& name) {
  diags_.Warning("W0102", span,
                 fmt::format("{} `{}` in an imported file is ignored", what, name))
      .help = "imports bring in enums, records, params, functions, tables and calendars only";
}

void Checker::ResolveSignatures() {
  for (ParamSymbol& ps : p_.params) {
    for (const ast::ParamDecl* v : ps.versions) {
      const Type* t = ResolveType(*v->type);
      if (!ps.type) {
        ps.type = t;
      } else if (t != ps.type && t->kind != TypeKind::kError) {
        diags_.Error("E0107", v->type->span,
                     fmt::format("version of param `{}` has type `{}`, earlier versions `{}`",
                                 ps.name, types_.Name(t), types_.Name(ps.type)));
      }
    }
    // Versions must not be in force on the same day.
    for (size_t i = 0; i < ps.versions.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        const ast::Effective& a = ps.versions[i]->effective;
        const ast::Effective& b = ps.versions[j]->effective;
        if (a.from < b.until && b.from < a.until) {
          auto& d = diags_.Error("E0108", ps.versions[i]->span,
                                 fmt::format("two versions of param `{}` are in force on the same days",
                                             ps.name));
          d.notes.push_back({ps.versions[j]->span, "the other version"});
          d.help = "give each version an `effective from .. until ..` period that does not overlap";
        }
      }
    }
  }
  for (FunctionSymbol& f : p_.functions) {
    std::set<std::string> seen;
    for (const ast::TypedName& tn : f.decl->params) {
      if (!seen.insert(tn.name).second) {
        diags_.Error("E0109", tn.span, fmt::format("parameter `{}` is declared twice", tn.name));
      }
      f.params.push_back(ResolveType(*tn.type));
    }
    f.result = ResolveType(*f.decl->result);
  }
  for (TableSymbol& t : p_.tables) {
    for (const ast::TypedName& tn : t.decl->params) t.params.push_back(ResolveType(*tn.type));
    t.result = ResolveType(*t.decl->result);
    switch (t.decl->aggregator) {
      case ast::Aggregator::kNone:
        t.call = t.decl->hit == ast::HitPolicy::kCollect || t.decl->hit == ast::HitPolicy::kRuleOrder ||
                         t.decl->hit == ast::HitPolicy::kOutputOrder
                     ? types_.List(t.result)
                     : t.result;
        break;
      case ast::Aggregator::kCount: t.call = types_.Int(); break;
      default: t.call = t.result; break;
    }
  }
  for (OutputSymbol& o : p_.outputs) o.type = ResolveType(*o.decl->type);
  for (LetSymbol& l : p_.lets) {
    if (l.decl->type) l.type = ResolveType(*l.decl->type);
  }
}

std::vector<std::string> Checker::VisibleNames() {
  std::vector<std::string> out;
  for (auto& [n, s] : globals_) {
    if (s.kind != SymKind::kRule && s.kind != SymKind::kObligation) out.push_back(n);
  }
  for (auto& l : locals_) out.push_back(l.name);
  for (int i = 0; i < types_.enum_count(); ++i) {
    for (auto& v : types_.enum_info(i).variants) out.push_back(v);
  }
  return out;
}

// `risk` read where `risk` is also a value of the name's own enum type (`input { risk: Risk }`
// with `enum Risk { risk, ... }`): the name wins, which is rarely what `x == risk` means.
const Type* Checker::WarnHiddenValue(const Expr& e, const Type* t, const std::string& what) {
  const Type* v = t && t->kind == TypeKind::kOptional ? t->elem : t;
  if (!v || v->kind != TypeKind::kEnum || types_.enum_info(v->index).Find(e.name) < 0) return t;
  const std::string& en = types_.enum_info(v->index).name;
  diags_.Warning("W0106", e.span, fmt::format("`{}` here is {}, not the value `{}` of `{}`, which it hides", e.name,
                                              what, e.name, en))
      .help = fmt::format("write `{}.{}` for the value", en, e.name);
  return t;
}

const Type* Checker::CheckName(Expr& e, const Context& ctx, const Type* expected) {
  for (auto it = locals_.rbegin(); it != locals_.rend(); ++it) {
    if (it->name == e.name) {
      e.ref = RefKind::kLocal;
      e.index = it->slot;
      return WarnHiddenValue(e, it->type, fmt::format("the variable `{}`", e.name));
    }
  }
  // An enum expected here: its variants come first, so `match`, tables and comparisons read naturally.
  const Type* want = expected;
  if (want && (want->kind == TypeKind::kOptional || want->kind == TypeKind::kSet ||
               want->kind == TypeKind::kList)) {
    want = want->elem;
  }
  if (want && want->kind == TypeKind::kEnum) {
    int v = types_.enum_info(want->index).Find(e.name);
    if (v >= 0 && !globals_.count(e.name)) {
      e.ref = RefKind::kEnumValue;
      e.index = want->index;
      e.variant = v;
      MarkUsed(types_.enum_info(want->index).name);
      return want;
    }
  }
  if (scope_ >= 0 && e.name == p_.scopes[scope_].decl->var) {
    e.ref = RefKind::kItem;
    e.index = scope_;
    used_.insert(" item " + std::to_string(scope_));
    return p_.scopes[scope_].element ? p_.scopes[scope_].element : Err();
  }
  auto it = globals_.find(e.name);
  if (it != globals_.end()) {
    const Symbol& s = it->second;
    MarkUsed(e.name);
    if (s.scope >= 0 && s.scope != scope_) {
      const ast::ScopeDecl& sc = *p_.scopes[s.scope].decl;
      auto& d = diags_.Error("E0126", e.span,
                             fmt::format("{} `{}` is decided for each element of `{}`, so it has no value here",
                                         SymKindName(s.kind), e.name, ast::ToSource(*sc.collection)));
      d.notes.push_back({sc.span, "decided in this `for each`"});
      d.help = fmt::format("use it inside the `for each`, where each element has its own value, or read one element's "
                           "with `{} of {}` (e.g. `count {} in {} where {} of {}`)", e.name, sc.var, sc.var,
                           ast::ToSource(*sc.collection), e.name, sc.var);
      return Err();
    }
    if (ctx.law_date && (s.kind == SymKind::kParam || s.kind == SymKind::kLet || s.kind == SymKind::kOutput)) {
      diags_.Error("E0110", e.span, fmt::format("{} `{}` cannot be used in {}", SymKindName(s.kind), e.name, ctx.what))
          .help = "the law date decides which versions of params and rules apply, so it is taken from facts only";
      return Err();
    }
    switch (s.kind) {
      case SymKind::kInput:
      case SymKind::kLet:
      case SymKind::kOutput:
        if (!ctx.facts) {
          diags_.Error("E0110", e.span,
                       fmt::format("{} `{}` cannot be used in {}", SymKindName(s.kind), e.name, ctx.what))
              .help = "only constants, params, and the function's own parameters are allowed here";
          return Err();
        }
        e.index = s.index;
        if (s.kind == SymKind::kInput) {
          e.ref = RefKind::kInput;
          return WarnHiddenValue(e, types_.record_info(p_.input_record).fields[s.index].type,
                                 fmt::format("the input field `{}`", e.name));
        }
        if (s.kind == SymKind::kOutput) {
          e.ref = RefKind::kOutput;
          return WarnHiddenValue(e, p_.outputs[s.index].type, fmt::format("the output `{}`", e.name));
        }
        e.ref = RefKind::kLet;
        return WarnHiddenValue(e, LetType(s.index), fmt::format("the let `{}`", e.name));
      case SymKind::kParam:
        e.ref = RefKind::kParam;
        e.index = s.index;
        return p_.params[s.index].type ? WarnHiddenValue(e, p_.params[s.index].type, fmt::format("the param `{}`", e.name))
                                       : Err();
      case SymKind::kFunction:
      case SymKind::kTable:
        diags_.Error("E0211", e.span, fmt::format("{} `{}` must be called with arguments", SymKindName(s.kind), e.name));
        return Err();
      case SymKind::kRule:
      case SymKind::kObligation: {
        // A rule or obligation named like an enum value hides it: say so, and how to write the value.
        std::vector<int> owners;
        for (int i = 0; i < types_.enum_count(); ++i) {
          if (types_.enum_info(i).Find(e.name) >= 0) owners.push_back(i);
        }
        if (!owners.empty()) {
          diags_.Error("E0212", e.span,
                       fmt::format("`{}` here is {} `{}`, which is not a value; it hides the value `{}` of `{}`", e.name,
                                   SymKindName(s.kind), e.name, e.name, types_.enum_info(owners[0]).name))
              .help = fmt::format("write `{}.{}` for the value", types_.enum_info(owners[0]).name, e.name);
          return Err();
        }
        diags_.Error("E0212", e.span,
                     fmt::format("{} `{}` is not a value", SymKindName(s.kind), e.name))
            .help = s.kind == SymKind::kRule ? "refer to the output the rule sets, not to the rule"
                                             : "an obligation is not a value: decide what it needs in an output or a "
                                               "let, and use that";
        return Err();
      }
    }
  }
  // A variant of exactly one enum.
  std::vector<int> owners;
  for (int i = 0; i < types_.enum_count(); ++i) {
    if (types_.enum_info(i).Find(e.name) >= 0) owners.push_back(i);
  }
  if (owners.size() == 1) {
    e.ref = RefKind::kEnumValue;
    e.index = owners[0];
    e.variant = types_.enum_info(owners[0]).Find(e.name);
    MarkUsed(types_.enum_info(owners[0]).name);
    return types_.Enum(owners[0]);
  }
  if (owners.size() > 1) {
    auto& d = diags_.Error("E0213", e.span,
                           fmt::format("`{}` is a value of both `{}` and `{}`", e.name,
                                       types_.enum_info(owners[0]).name, types_.enum_info(owners[1]).name));
    d.help = fmt::format("write `{}.{}` or `{}.{}`", types_.enum_info(owners[0]).name, e.name,
                         types_.enum_info(owners[1]).name, e.name);
    return Err();
  }
  unknown_uses_.push_back(e.name);
  auto& d = diags_.Error("E0111", e.span, fmt::format("unknown name `{}`", e.name));
  d.label = "not declared";
  d.help = Suggest(e.name, VisibleNames());
  return Err();
}

void Checker::WarnUnused() {
  // A library (a file with no input, outputs, rules or obligations) exists to be imported: its
  // declarations are used elsewhere.
  const ast::Module& main = p_.main();
  if (main.inputs.empty() && main.outputs.empty() && main.rules.empty() && main.obligations.empty()) return;
  // Every diagnostic is reported, errors or not; but a declaration that an unknown name may have
  // meant (`min_retentoin`) is not called unused: it may be, once the slip is mended.
  auto maybe_meant = [&](const std::string& name) {
    if (duplicated_.count(name)) return true;  // which of the two a use meant is not known
    for (const std::string& u : unknown_uses_) {
      if (EditDistance(u, name) < SlipLimit(u)) return true;
    }
    return false;
  };
  for (auto& [name, s] : globals_) {
    if (!s.main || used_.count(name) || maybe_meant(name)) continue;
    if (s.kind == SymKind::kLet || s.kind == SymKind::kFunction || s.kind == SymKind::kTable ||
        s.kind == SymKind::kParam) {
      diags_.Warning("W0101", s.span, fmt::format("{} `{}` is never used", SymKindName(s.kind), name));
    }
  }
  for (auto& [index, entry] : enum_decl_) {
    if (entry.second && !used_.count(entry.first->name) && !used_types_.count(entry.first->name) &&
        !maybe_meant(entry.first->name)) {
      diags_.Warning("W0101", entry.first->span, fmt::format("enum `{}` is never used", entry.first->name));
    }
  }
  for (auto& [index, entry] : record_decl_) {
    if (entry.second && !used_types_.count(entry.first->name) && !maybe_meant(entry.first->name)) {
      diags_.Warning("W0101", entry.first->span, fmt::format("record `{}` is never used", entry.first->name));
    }
  }
}

}  // namespace proviso::check_internal

namespace proviso {

std::string SuggestName(const std::string& name, const std::vector<std::string>& candidates) {
  return check_internal::Suggest(name, candidates);
}

}  // namespace proviso
