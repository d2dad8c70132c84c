#include "compiler/check/checker.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "compiler/support/calendar.h"

namespace proviso {

using ast::Expr;
using ast::ExprKind;
using ast::RefKind;

bool ParseDecimal(const std::string& text, int64_t* out) {
  size_t dot = text.find('.');
  std::string ip = text.substr(0, dot);
  std::string fp = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (fp.size() > 6 || ip.size() > 12) return false;
  while (fp.size() < 6) fp += '0';
  *out = std::stoll(ip) * kDecimalScale + std::stoll(fp);
  return true;
}

std::string CheckedProgram::name() const {
  const ast::Module& m = main();
  if (m.header) return m.header->name;
  std::string stem = main_path.substr(main_path.find_last_of('/') + 1);
  stem = stem.substr(0, stem.find('.'));
  return stem.empty() ? "policy" : stem;
}

std::string CheckedProgram::document() const {
  const ast::Module& m = main();
  return m.header ? m.header->document : "";
}

namespace {

enum class SymKind { kInput, kParam, kLet, kOutput, kFunction, kTable, kRule, kObligation };

struct Symbol {
  SymKind kind;
  int index;
  Span span;
  bool main;  // declared in the main file (unused warnings apply)
};

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

std::string Suggest(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best;
  // Short names only get a hint for a one-letter slip; longer ones tolerate more.
  size_t best_d = name.size() <= 3 ? (name.size() <= 1 ? 1 : 2) : name.size() / 3 + 1;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(name, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best.empty() ? "" : fmt::format("did you mean `{}`?", best);
}

// What an expression may refer to, by where it appears.
struct Context {
  bool facts = true;      // inputs, lets, outputs, as_of
  const char* what = "";  // for messages: "a param value", "a function body" ...
  bool partial_records = false;  // `given` facts may be completed by other lines
};

// Constant cell contents for overlap and completeness checks of decision tables.
struct CellSet {
  bool any = false;
  bool known = true;
  std::vector<std::pair<int64_t, int64_t>> ranges;  // inclusive, for int/decimal/date/enum/bool
  std::set<std::string> texts;

  bool Contains(int64_t v) const {
    if (any || !known) return true;
    for (auto& r : ranges) if (v >= r.first && v <= r.second) return true;
    return false;
  }
  // True only when the two cells certainly share a value.
  bool SurelyOverlaps(const CellSet& o) const {
    if (!known || !o.known) return false;
    if (any || o.any) return true;
    for (auto& a : ranges) {
      for (auto& b : o.ranges) {
        if (a.first <= b.second && b.first <= a.second) return true;
      }
    }
    for (auto& t : texts) if (o.texts.count(t)) return true;
    return false;
  }
};

class Checker {
 public:
  Checker(CheckedProgram& p, DiagnosticSink& d) : p_(p), diags_(d), types_(p.types) {}

  void Run() {
    DeclareTypes();
    DeclareValues();
    ResolveSignatures();
    CheckBodies();
    CheckRules();
    CheckObligations();
    CheckDependencyCycles();
    CheckTests();
    WarnUnused();
  }

 private:
  // ------------------------------------------------------------------ declarations

  void DeclareTypes() {
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

  bool DeclareTypeName(const std::string& name, Span span) {
    auto it = type_names_.find(name);
    if (it != type_names_.end()) {
      auto& d = diags_.Error("E0102", span, fmt::format("type `{}` is declared twice", name));
      d.notes.push_back({it->second, "first declared here"});
      return false;
    }
    type_names_[name] = span;
    return true;
  }

  void FillFields(RecordInfo& info, std::vector<ast::FieldDecl>& fields, const std::string& owner) {
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

  // Chains longer than this (records in records, exceptions to exceptions, definitions that use
  // definitions) are E0008: every later stage walks them recursively, and a legal policy is far
  // from it. Expressions have their own limit in the parser (E0007).
  static constexpr int kMaxChain = 1000;

  // The longest chain of records nested in records (through optionals, lists and sets too) below
  // record `r`, counting `r`; a record met again on the way ends the chain.
  int RecordDepth(int r, std::vector<int>& depth, std::vector<char>& on_path) {
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

  void CheckRecordCycles() {
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

  const Type* ResolveType(const ast::TypeExpr& t) {
    using K = ast::TypeExpr::Kind;
    switch (t.kind) {
      case K::kBool: return types_.Bool();
      case K::kInt: return types_.Int();
      case K::kDecimal: return types_.Decimal();
      case K::kText: return types_.Text();
      case K::kDate: return types_.Date();
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
        for (const char* prim : {"bool", "int", "decimal", "text", "date", "duration"}) names.push_back(prim);
        auto& d = diags_.Error("E0201", t.span, fmt::format("unknown type `{}`", t.name));
        d.help = Suggest(t.name, names);
        return types_.Error();
      }
    }
    return types_.Error();
  }

  void Declare(const std::string& name, Symbol sym) {
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

  void DeclareValues() {
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
        continue;
      }
      for (ast::LetDecl& l : m->lets) {
        Declare(l.name, {SymKind::kLet, static_cast<int>(p_.lets.size()), l.span, true});
        p_.lets.push_back(LetSymbol{&l, nullptr});
      }
      for (ast::OutputDecl& o : m->outputs) {
        Declare(o.name, {SymKind::kOutput, static_cast<int>(p_.outputs.size()), o.span, true});
        p_.outputs.push_back(OutputSymbol{&o, nullptr, {}});
      }
      for (ast::RuleDecl& r : m->rules) {
        Declare(r.name, {SymKind::kRule, static_cast<int>(p_.rules.size()), r.span, true});
        p_.rules.push_back(&r);
      }
      for (ast::ObligationDecl& o : m->obligations) {
        Declare(o.name, {SymKind::kObligation, static_cast<int>(p_.obligations.size()), o.span, true});
        p_.obligations.push_back(&o);
      }
      for (ast::TestDecl& t : m->tests) p_.tests.push_back(&t);
    }
  }

  void Ignored(Span span, const char* what, const std::string& name) {
    diags_.Warning("W0102", span,
                   fmt::format("{} `{}` in an imported file is ignored", what, name))
        .help = "imports bring in enums, records, params, functions and tables only";
  }

  void ResolveSignatures() {
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
          t.call = t.decl->hit == ast::HitPolicy::kCollect ? types_.List(t.result) : t.result;
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

  // ------------------------------------------------------------------ expressions

  struct Local {
    std::string name;
    const Type* type;
    int slot;
  };

  const Type* Err() { return types_.Error(); }

  void Mismatch(const Expr& e, const Type* expected, const Type* got, const std::string& what) {
    if (got->kind == TypeKind::kError || expected->kind == TypeKind::kError) return;
    auto& d = diags_.Error("E0203", e.span,
                           fmt::format("{} must be `{}`, found `{}`", what, types_.Name(expected),
                                       types_.Name(got)));
    d.label = fmt::format("this is `{}`", types_.Name(got));
    if (expected->kind == TypeKind::kDecimal && got->kind == TypeKind::kInt) {
      d.help = "there are no implicit conversions: write the number with a decimal point, e.g. `2.0`";
    } else if (got->kind == TypeKind::kOptional && IsAssignable(got->elem, expected)) {
      d.help = "the value may be absent: give a default with `?? value`";
    }
  }

  // Checks `e` in `ctx`; `expected` (may be null) resolves bare enum values, `{}`, `[]`, `none` and
  // record literals. Returns the type, also stored in e.type.
  const Type* CheckExpr(Expr& e, const Context& ctx, const Type* expected = nullptr) {
    e.type = CheckExprInner(e, ctx, expected);
    return e.type;
  }

  const Type* ExpectType(Expr& e, const Context& ctx, const Type* want, const std::string& what) {
    const Type* t = CheckExpr(e, ctx, want);
    if (!IsAssignable(t, want)) Mismatch(e, want, t, what);
    return t;
  }

  const Type* CheckExprInner(Expr& e, const Context& ctx, const Type* expected) {
    switch (e.kind) {
      case ExprKind::kInt: return types_.Int();
      case ExprKind::kDecimal: {
        int64_t v;
        if (!ParseDecimal(e.text, &v)) {
          diags_.Error("E0505", e.span, fmt::format("decimal `{}` has more than 6 decimal places or is too large", e.text));
        }
        return types_.Decimal();
      }
      case ExprKind::kText: return types_.Text();
      case ExprKind::kDate: return types_.Date();
      case ExprKind::kDuration: return types_.Duration();
      case ExprKind::kBool: return types_.Bool();
      case ExprKind::kNone:
        if (expected && expected->kind == TypeKind::kOptional) return expected;
        return types_.Optional(types_.Any());
      case ExprKind::kAsOf:
        if (!ctx.facts) {
          diags_.Error("E0110", e.span, fmt::format("`as_of` cannot be used in {}", ctx.what));
          return Err();
        }
        return types_.Date();
      case ExprKind::kName: return CheckName(e, ctx, expected);
      case ExprKind::kField: return CheckField(e, ctx);
      case ExprKind::kCall: return CheckCall(e, ctx, expected);
      case ExprKind::kNeg: {
        const Type* t = CheckExpr(*e.args[0], ctx, expected);
        if (t->kind == TypeKind::kError) return t;
        if (!IsNumeric(t) && t->kind != TypeKind::kDuration) {
          diags_.Error("E0204", e.span, fmt::format("cannot negate a `{}`", types_.Name(t)));
          return Err();
        }
        return t;
      }
      case ExprKind::kNot:
        ExpectType(*e.args[0], ctx, types_.Bool(), "the operand of `not`");
        return types_.Bool();
      case ExprKind::kAnd:
      case ExprKind::kOr: {
        const char* op = e.kind == ExprKind::kAnd ? "and" : "or";
        ExpectType(*e.args[0], ctx, types_.Bool(), fmt::format("the left side of `{}`", op));
        ExpectType(*e.args[1], ctx, types_.Bool(), fmt::format("the right side of `{}`", op));
        return types_.Bool();
      }
      case ExprKind::kBinary: return CheckBinary(e, ctx);
      case ExprKind::kIn: {
        // `degree in {serious, very_serious}`: the left side says which enum the literal holds.
        if (e.args[1]->kind == ExprKind::kSet || e.args[1]->kind == ExprKind::kList) {
          const Type* left = CheckExpr(*e.args[0], ctx);
          if (left->kind != TypeKind::kError) {
            const Type* want = e.args[1]->kind == ExprKind::kSet ? types_.Set(left) : types_.List(left);
            const Type* coll = CheckExpr(*e.args[1], ctx, want);
            if (coll->kind != TypeKind::kError && !IsAssignable(left, coll->elem) && !IsAssignable(coll->elem, left)) {
              Mismatch(*e.args[0], coll->elem, left, "the value tested with `in`");
            }
            return types_.Bool();
          }
        }
        const Type* coll = CheckExpr(*e.args[1], ctx);
        if (coll->kind == TypeKind::kError) {
          CheckExpr(*e.args[0], ctx);
          return types_.Bool();
        }
        if (coll->kind != TypeKind::kSet && coll->kind != TypeKind::kList) {
          diags_.Error("E0205", e.args[1]->span,
                       fmt::format("`in` needs a set or a list on its right, found `{}`", types_.Name(coll)));
          CheckExpr(*e.args[0], ctx);
          return types_.Bool();
        }
        const Type* elem = CheckExpr(*e.args[0], ctx, coll->elem);
        if (!IsAssignable(elem, coll->elem) && !IsAssignable(coll->elem, elem)) {
          Mismatch(*e.args[0], coll->elem, elem, "the value tested with `in`");
        }
        return types_.Bool();
      }
      case ExprKind::kCoalesce: {
        const Type* a = CheckExpr(*e.args[0], ctx, expected ? types_.Optional(expected) : nullptr);
        if (a->kind == TypeKind::kError) {
          CheckExpr(*e.args[1], ctx);
          return a;
        }
        if (a->kind != TypeKind::kOptional) {
          diags_.Error("E0206", e.args[0]->span,
                       fmt::format("the left side of `??` is never absent (it is `{}`)", types_.Name(a)))
              .help = "`??` gives a default to an optional value (`T?`)";
          CheckExpr(*e.args[1], ctx);
          return a;
        }
        const Type* b = CheckExpr(*e.args[1], ctx, a->elem);
        if (!IsAssignable(b, a)) Mismatch(*e.args[1], a->elem, b, "the default after `??`");
        return b->kind == TypeKind::kOptional ? a : (a->elem->kind == TypeKind::kAny ? b : a->elem);
      }
      case ExprKind::kIsPresent: {
        const Type* a = CheckExpr(*e.args[0], ctx);
        if (a->kind != TypeKind::kOptional && a->kind != TypeKind::kError) {
          diags_.Error("E0207", e.args[0]->span,
                       fmt::format("`is present` needs an optional value, found `{}`", types_.Name(a)));
        }
        return types_.Bool();
      }
      case ExprKind::kIf: {
        ExpectType(*e.args[0], ctx, types_.Bool(), "the condition of `if`");
        const Type* a = CheckExpr(*e.args[1], ctx, expected);
        const Type* b = CheckExpr(*e.args[2], ctx, expected ? expected : a);
        const Type* u = Unify(types_, a, b);
        if (!u) {
          auto& d = diags_.Error("E0208", e.args[2]->span,
                                 fmt::format("the branches of `if` have different types: `{}` and `{}`",
                                             types_.Name(a), types_.Name(b)));
          d.notes.push_back({e.args[1]->span, fmt::format("this branch is `{}`", types_.Name(a))});
          return Err();
        }
        return u;
      }
      case ExprKind::kQuant: return CheckQuant(e, ctx);
      case ExprKind::kList:
      case ExprKind::kSet: {
        // `{}` where a record is expected is the record with every field at its default.
        const Type* record = expected && expected->kind == TypeKind::kOptional ? expected->elem : expected;
        if (e.kind == ExprKind::kSet && e.args.empty() && record && record->kind == TypeKind::kRecord) {
          e.kind = ExprKind::kRecord;
          return CheckRecordLit(e, ctx, expected);
        }
        bool is_set = e.kind == ExprKind::kSet;
        const Type* want = nullptr;
        if (expected && (expected->kind == TypeKind::kSet || expected->kind == TypeKind::kList)) want = expected->elem;
        if (expected && expected->kind == TypeKind::kOptional && expected->elem->kind != TypeKind::kAny &&
            (expected->elem->kind == TypeKind::kSet || expected->elem->kind == TypeKind::kList)) {
          want = expected->elem->elem;
        }
        const Type* elem = types_.Any();
        for (auto& a : e.args) {
          const Type* t = CheckExpr(*a, ctx, want ? want : (elem->kind == TypeKind::kAny ? nullptr : elem));
          const Type* u = Unify(types_, elem, t);
          if (!u) {
            diags_.Error("E0209", a->span,
                         fmt::format("all elements must have one type: `{}` and `{}`",
                                     types_.Name(elem), types_.Name(t)));
            return Err();
          }
          elem = u;
        }
        if (is_set && elem->kind != TypeKind::kAny &&
            (elem->kind == TypeKind::kRecord || elem->kind == TypeKind::kList ||
             elem->kind == TypeKind::kSet || elem->kind == TypeKind::kOptional)) {
          diags_.Error("E0202", e.span, fmt::format("a set cannot hold `{}`", types_.Name(elem)));
          return Err();
        }
        return is_set ? types_.Set(elem) : types_.List(elem);
      }
      case ExprKind::kRecord: return CheckRecordLit(e, ctx, expected);
      case ExprKind::kMatch: return CheckMatch(e, ctx, expected);
    }
    return Err();
  }

  std::vector<std::string> VisibleNames() {
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

  void MarkUsed(const std::string& name) { used_.insert(name); }

  const Type* CheckName(Expr& e, const Context& ctx, const Type* expected) {
    for (auto it = locals_.rbegin(); it != locals_.rend(); ++it) {
      if (it->name == e.name) {
        e.ref = RefKind::kLocal;
        e.index = it->slot;
        return it->type;
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
    auto it = globals_.find(e.name);
    if (it != globals_.end()) {
      const Symbol& s = it->second;
      MarkUsed(e.name);
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
            return types_.record_info(p_.input_record).fields[s.index].type;
          }
          if (s.kind == SymKind::kOutput) {
            e.ref = RefKind::kOutput;
            return p_.outputs[s.index].type;
          }
          e.ref = RefKind::kLet;
          return LetType(s.index);
        case SymKind::kParam:
          e.ref = RefKind::kParam;
          e.index = s.index;
          return p_.params[s.index].type ? p_.params[s.index].type : Err();
        case SymKind::kFunction:
        case SymKind::kTable:
          diags_.Error("E0211", e.span, fmt::format("{} `{}` must be called with arguments", SymKindName(s.kind), e.name));
          return Err();
        case SymKind::kRule:
        case SymKind::kObligation:
          diags_.Error("E0212", e.span,
                       fmt::format("{} `{}` is not a value", SymKindName(s.kind), e.name))
              .help = "refer to the output the rule sets, not to the rule";
          return Err();
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
    auto& d = diags_.Error("E0111", e.span, fmt::format("unknown name `{}`", e.name));
    d.label = "not declared";
    d.help = Suggest(e.name, VisibleNames());
    return Err();
  }

  const Type* LetType(int i) {
    LetSymbol& l = p_.lets[i];
    if (l.type && let_state_[i] != 1) {
      if (let_state_[i] == 0) CheckLet(i);
      return l.type;
    }
    if (let_state_[i] == 1) return l.type ? l.type : Err();  // cycle: reported by CheckDependencyCycles
    CheckLet(i);
    return l.type ? l.type : Err();
  }

  void CheckLet(int i) {
    if (let_state_[i] != 0) return;
    let_state_[i] = 1;
    LetSymbol& l = p_.lets[i];
    auto saved = std::move(locals_);
    locals_.clear();
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
    let_state_[i] = 2;
  }

  const Type* CheckField(Expr& e, const Context& ctx) {
    Expr& base = *e.args[0];
    // `Degree.serious`: a qualified enum value.
    if (base.kind == ExprKind::kName && enum_index_.count(base.name) && !globals_.count(base.name)) {
      bool shadowed = std::any_of(locals_.begin(), locals_.end(), [&](const Local& l) { return l.name == base.name; });
      if (!shadowed) {
        int ei = enum_index_.at(base.name);
        MarkUsed(base.name);
        int v = types_.enum_info(ei).Find(e.name);
        if (v < 0) {
          auto& d = diags_.Error("E0112", e.span, fmt::format("enum `{}` has no value `{}`", base.name, e.name));
          d.help = Suggest(e.name, types_.enum_info(ei).variants);
          if (d.help.empty()) d.help = "its values are: " + JoinNames(types_.enum_info(ei).variants);
          return Err();
        }
        e.kind = ExprKind::kName;  // now an enum literal
        e.ref = RefKind::kEnumValue;
        e.index = ei;
        e.variant = v;
        e.args.clear();
        return types_.Enum(ei);
      }
    }
    const Type* t = CheckExpr(base, ctx);
    if (t->kind == TypeKind::kError) return t;
    if (t->kind == TypeKind::kOptional && t->elem->kind == TypeKind::kRecord) {
      diags_.Error("E0215", base.span,
                   fmt::format("`{}` may be absent, so `.{}` cannot be read directly", ast::ToSource(base), e.name))
          .help = "check `is present` first, or give a default with `??`";
      return Err();
    }
    if (t->kind != TypeKind::kRecord) {
      diags_.Error("E0216", e.span, fmt::format("`{}` values have no fields", types_.Name(t)));
      return Err();
    }
    const RecordInfo& r = types_.record_info(t->index);
    int f = r.Find(e.name);
    if (f < 0) {
      std::vector<std::string> names;
      for (auto& fi : r.fields) names.push_back(fi.name);
      auto& d = diags_.Error("E0113", e.span,
                             fmt::format("{} has no field `{}`",
                                         t->index == p_.input_record ? "the input" : "`" + r.name + "`", e.name));
      d.help = Suggest(e.name, names);
      return Err();
    }
    e.ref = RefKind::kRecordField;
    e.index = f;
    return r.fields[f].type;
  }

  static std::string JoinNames(const std::vector<std::string>& names) {
    std::string out;
    for (size_t i = 0; i < names.size(); ++i) out += (i ? ", `" : "`") + names[i] + "`";
    return out;
  }

  const Type* CheckBinary(Expr& e, const Context& ctx) {
    using ast::BinOp;
    Expr& l = *e.args[0];
    Expr& r = *e.args[1];
    // `serious == degree`: a bare enum value on the left takes its enum from the right.
    auto bare = [&](const Expr& x) {
      return x.kind == ExprKind::kName && !globals_.count(x.name) &&
             std::none_of(locals_.begin(), locals_.end(), [&](const Local& v) { return v.name == x.name; });
    };
    const Type* a;
    const Type* b;
    if (bare(l) && !bare(r)) {
      b = CheckExpr(r, ctx);
      a = CheckExpr(l, ctx, b);
    } else {
      a = CheckExpr(l, ctx);
      // The left's type is a hint for the right (`tags == {}`, `price * 2`) only where both sides
      // have it: comparisons and int or decimal arithmetic (not `date + duration`, `duration * int`
      // or `3 * one_day`, where it would make `none` in the right side a `date?`).
      bool same_typed = e.op >= BinOp::kLt ||
                        (IsNumeric(a) && !(e.op == BinOp::kMul && a->kind == TypeKind::kInt));
      b = CheckExpr(r, ctx, same_typed ? a : nullptr);
      if (a->kind == TypeKind::kAny) a = CheckExpr(l, ctx, b);  // `none == x`
    }
    if (a->kind == TypeKind::kError || b->kind == TypeKind::kError) {
      return e.op >= BinOp::kLt ? types_.Bool() : Err();
    }
    auto k = [](const Type* t) { return t->kind; };
    const char* opname = "";
    switch (e.op) {
      case BinOp::kAdd:
        if (a == b && (IsNumeric(a) || k(a) == TypeKind::kDuration)) return a;
        if (k(a) == TypeKind::kDate && k(b) == TypeKind::kDuration) return a;
        if (k(a) == TypeKind::kDuration && k(b) == TypeKind::kDate) return b;
        opname = "add";
        break;
      case BinOp::kSub:
        if (a == b && (IsNumeric(a) || k(a) == TypeKind::kDuration)) return a;
        if (k(a) == TypeKind::kDate && k(b) == TypeKind::kDuration) return a;
        if (k(a) == TypeKind::kDate && k(b) == TypeKind::kDate) return types_.Duration();
        opname = "subtract";
        break;
      case BinOp::kMul:
        if (a == b && IsNumeric(a)) return a;
        if (k(a) == TypeKind::kDuration && k(b) == TypeKind::kInt) return a;
        if (k(a) == TypeKind::kInt && k(b) == TypeKind::kDuration) return b;
        opname = "multiply";
        break;
      case BinOp::kDiv:
        if (a == b && IsNumeric(a)) return a;
        opname = "divide";
        break;
      case BinOp::kLt: case BinOp::kLe: case BinOp::kGt: case BinOp::kGe:
        if (a == b && IsOrdered(a)) return types_.Bool();
        if (a == b) {
          diags_.Error("E0217", e.span, fmt::format("`{}` values cannot be ordered", types_.Name(a)))
              .help = "only int, decimal, date and duration have an order; compare with `==` or `!=`";
          return types_.Bool();
        }
        opname = "compare";
        break;
      case BinOp::kEq: case BinOp::kNe:
        if (Unify(types_, a, b)) return types_.Bool();
        opname = "compare";
        break;
    }
    auto& d = diags_.Error("E0210", e.span,
                           fmt::format("cannot {} `{}` and `{}`", opname, types_.Name(a), types_.Name(b)));
    if ((k(a) == TypeKind::kInt && k(b) == TypeKind::kDecimal) ||
        (k(a) == TypeKind::kDecimal && k(b) == TypeKind::kInt)) {
      d.help = "there are no implicit conversions between int and decimal: write `2.0` for a decimal";
    } else if ((k(a) == TypeKind::kInt && k(b) == TypeKind::kDuration) ||
               (k(a) == TypeKind::kDuration && k(b) == TypeKind::kInt)) {
      d.help = "give the number a unit: `30 days`";
    }
    return e.op >= BinOp::kLt ? types_.Bool() : Err();
  }

  const Type* CheckQuant(Expr& e, const Context& ctx) {
    const Type* coll = CheckExpr(*e.args[0], ctx);
    const Type* elem = Err();
    if (coll->kind == TypeKind::kSet || coll->kind == TypeKind::kList) {
      elem = coll->elem;
    } else if (coll->kind != TypeKind::kError) {
      static const char* kQuant[] = {"any", "all", "count", "sum", "min", "max"};
      diags_.Error("E0218", e.args[0]->span,
                   fmt::format("`{}` needs a list or a set to range over, found `{}`", kQuant[static_cast<int>(e.quant)],
                               types_.Name(coll)));
    }
    int slot = static_cast<int>(locals_.size());
    locals_.push_back(Local{e.name, elem, slot});
    p_.max_locals = std::max(p_.max_locals, slot + 1);
    e.index = slot;
    const Type* result = Err();
    Expr& body = *e.args[1];
    switch (e.quant) {
      case ast::QuantKind::kAny:
      case ast::QuantKind::kAll:
        ExpectType(body, ctx, types_.Bool(), "the condition of a quantifier");
        result = types_.Bool();
        break;
      case ast::QuantKind::kCount:
        ExpectType(body, ctx, types_.Bool(), "the condition of `count`");
        result = types_.Int();
        break;
      case ast::QuantKind::kSum: {
        const Type* t = CheckExpr(body, ctx);
        if (IsNumeric(t) || t->kind == TypeKind::kDuration || t->kind == TypeKind::kError) result = t;
        else diags_.Error("E0219", body.span, fmt::format("cannot sum `{}` values", types_.Name(t)));
        break;
      }
      case ast::QuantKind::kMin:
      case ast::QuantKind::kMax: {
        const Type* t = CheckExpr(body, ctx);
        if (IsOrdered(t) || t->kind == TypeKind::kError) result = t;
        else diags_.Error("E0217", body.span, fmt::format("`{}` values cannot be ordered", types_.Name(t)));
        break;
      }
    }
    locals_.pop_back();
    return result;
  }

  const Type* CheckCall(Expr& e, const Context& ctx, const Type* expected) {
    static const std::map<std::string, ast::Builtin> kBuiltins = {
        {"min", ast::Builtin::kMin}, {"max", ast::Builtin::kMax}, {"count", ast::Builtin::kCount},
        {"sum", ast::Builtin::kSum}, {"year", ast::Builtin::kYear}, {"month", ast::Builtin::kMonth},
        {"day", ast::Builtin::kDay}, {"days", ast::Builtin::kDays}};
    auto it = globals_.find(e.name);
    if (it != globals_.end() && (it->second.kind == SymKind::kFunction || it->second.kind == SymKind::kTable)) {
      MarkUsed(e.name);
      const std::vector<const Type*>* params;
      const Type* result;
      std::vector<std::string> names;
      if (it->second.kind == SymKind::kFunction) {
        e.ref = RefKind::kFunction;
        FunctionSymbol& f = p_.functions[it->second.index];
        params = &f.params;
        result = f.result;
      } else {
        e.ref = RefKind::kTable;
        TableSymbol& t = p_.tables[it->second.index];
        params = &t.params;
        result = t.call;
      }
      e.index = it->second.index;
      if (e.args.size() != params->size()) {
        diags_.Error("E0220", e.span,
                     fmt::format("`{}` takes {} argument{}, found {}", e.name, params->size(),
                                 params->size() == 1 ? "" : "s", e.args.size()));
        for (auto& a : e.args) CheckExpr(*a, ctx);
        return result;
      }
      for (size_t i = 0; i < e.args.size(); ++i) {
        ExpectType(*e.args[i], ctx, (*params)[i], fmt::format("argument {} of `{}`", i + 1, e.name));
      }
      return result;
    }
    auto b = kBuiltins.find(e.name);
    if (b == kBuiltins.end()) {
      std::vector<std::string> names;
      for (auto& [n, s] : globals_) if (s.kind == SymKind::kFunction || s.kind == SymKind::kTable) names.push_back(n);
      for (auto& [n, _] : kBuiltins) names.push_back(n);
      auto& d = diags_.Error("E0114", e.span, fmt::format("unknown function `{}`", e.name));
      d.help = Suggest(e.name, names);
      for (auto& a : e.args) CheckExpr(*a, ctx);
      return Err();
    }
    e.ref = RefKind::kBuiltin;
    e.builtin = b->second;
    auto arity = [&](size_t n) {
      if (e.args.size() == n) return true;
      diags_.Error("E0220", e.span, fmt::format("`{}` takes {} argument{}, found {}", e.name, n, n == 1 ? "" : "s", e.args.size()));
      for (auto& a : e.args) CheckExpr(*a, ctx);
      return false;
    };
    switch (b->second) {
      case ast::Builtin::kMin:
      case ast::Builtin::kMax: {
        if (e.args.size() == 1) {  // min(list)
          const Type* t = CheckExpr(*e.args[0], ctx);
          if ((t->kind == TypeKind::kList || t->kind == TypeKind::kSet) && IsOrdered(t->elem)) return t->elem;
          if (t->kind == TypeKind::kError) return t;
          diags_.Error("E0221", e.args[0]->span,
                       fmt::format("`{}` needs ordered values (or a list of them), found `{}`", e.name, types_.Name(t)));
          return Err();
        }
        if (e.args.empty()) return arity(2) ? Err() : Err();
        const Type* t = CheckExpr(*e.args[0], ctx, expected);
        for (size_t i = 1; i < e.args.size(); ++i) {
          const Type* u = CheckExpr(*e.args[i], ctx, t);
          if (u != t && u->kind != TypeKind::kError && t->kind != TypeKind::kError) {
            Mismatch(*e.args[i], t, u, fmt::format("argument {} of `{}`", i + 1, e.name));
          }
        }
        if (!IsOrdered(t) && t->kind != TypeKind::kError) {
          diags_.Error("E0221", e.span, fmt::format("`{}` needs ordered values, found `{}`", e.name, types_.Name(t)));
          return Err();
        }
        return t;
      }
      case ast::Builtin::kCount: {
        if (!arity(1)) return types_.Int();
        const Type* t = CheckExpr(*e.args[0], ctx);
        if (t->kind != TypeKind::kList && t->kind != TypeKind::kSet && t->kind != TypeKind::kError) {
          diags_.Error("E0221", e.args[0]->span, fmt::format("`count` needs a list or a set, found `{}`", types_.Name(t)));
        }
        return types_.Int();
      }
      case ast::Builtin::kSum: {
        if (!arity(1)) return Err();
        const Type* t = CheckExpr(*e.args[0], ctx);
        if ((t->kind == TypeKind::kList || t->kind == TypeKind::kSet) &&
            (IsNumeric(t->elem) || t->elem->kind == TypeKind::kDuration)) {
          return t->elem;
        }
        if (t->kind != TypeKind::kError) {
          diags_.Error("E0221", e.args[0]->span, fmt::format("`sum` needs a list of numbers, found `{}`", types_.Name(t)));
        }
        return Err();
      }
      case ast::Builtin::kYear:
      case ast::Builtin::kMonth:
      case ast::Builtin::kDay:
        if (arity(1)) ExpectType(*e.args[0], ctx, types_.Date(), fmt::format("the argument of `{}`", e.name));
        return types_.Int();
      case ast::Builtin::kDays:
        if (arity(1)) ExpectType(*e.args[0], ctx, types_.Duration(), "the argument of `days`");
        return types_.Int();
    }
    return Err();
  }

  const Type* CheckRecordLit(Expr& e, const Context& ctx, const Type* expected) {
    const Type* want = expected;
    if (want && want->kind == TypeKind::kOptional) want = want->elem;
    if (!want || want->kind != TypeKind::kRecord) {
      diags_.Error("E0222", e.span, "a record value can only be written where its record type is known")
          .help = "record values are written in `given` lines and as field values of other records";
      for (auto& a : e.args) CheckExpr(*a, ctx);
      return Err();
    }
    const RecordInfo& r = types_.record_info(want->index);
    e.record_order.assign(r.fields.size(), -1);
    for (size_t i = 0; i < e.args.size(); ++i) {
      int f = r.Find(e.field_names[i]);
      if (f < 0) {
        std::vector<std::string> names;
        for (auto& fi : r.fields) names.push_back(fi.name);
        diags_.Error("E0113", e.field_spans[i],
                     fmt::format("`{}` has no field `{}`", r.name, e.field_names[i]))
            .help = Suggest(e.field_names[i], names);
        CheckExpr(*e.args[i], ctx);
        continue;
      }
      if (e.record_order[f] >= 0) {
        diags_.Error("E0115", e.field_spans[i], fmt::format("field `{}` is given twice", e.field_names[i]));
        continue;
      }
      e.record_order[f] = static_cast<int>(i);
      ExpectType(*e.args[i], ctx, r.fields[f].type, fmt::format("field `{}`", e.field_names[i]));
    }
    // Facts in a test may be completed by other `given` lines: they are checked as facts when the
    // test runs. Everywhere else a value must be whole.
    if (!ctx.partial_records) {
      std::vector<std::string> missing;
      for (size_t f = 0; f < r.fields.size(); ++f) {
        if (e.record_order[f] < 0 && !r.fields[f].has_default && r.fields[f].type->kind != TypeKind::kOptional) {
          missing.push_back(r.fields[f].name);
        }
      }
      if (!missing.empty()) {
        diags_.Error("E0228", e.span, fmt::format("this `{}` value has no {}", r.name, JoinNames(missing)))
            .help = "give every field that has no default and is not optional";
      }
    }
    return want;
  }

  const Type* CheckMatch(Expr& e, const Context& ctx, const Type* expected) {
    const Type* t = CheckExpr(*e.args[0], ctx);
    if (t->kind != TypeKind::kEnum) {
      if (t->kind != TypeKind::kError) {
        diags_.Error("E0223", e.args[0]->span, fmt::format("`match` needs an enum value, found `{}`", types_.Name(t)))
            .help = t->kind == TypeKind::kOptional ? "give a default first: `match x ?? value { ... }`" : "";
      }
      for (auto& arm : e.arms) CheckExpr(*arm.body, ctx, expected);
      return Err();
    }
    const EnumInfo& info = types_.enum_info(t->index);
    std::vector<int> covered(info.variants.size(), -1);
    bool wildcard = false;
    bool unknown_pattern = false;
    const Type* result = nullptr;
    for (size_t ai = 0; ai < e.arms.size(); ++ai) {
      ast::MatchArm& arm = e.arms[ai];
      if (wildcard) {
        diags_.Error("E0224", arm.span, "this arm is never reached: `_` above matches everything");
      }
      if (arm.patterns.empty()) wildcard = true;
      for (size_t pi = 0; pi < arm.patterns.size(); ++pi) {
        int v = info.Find(arm.patterns[pi]);
        if (v < 0) {
          auto& d = diags_.Error("E0112", arm.pattern_spans[pi],
                                 fmt::format("enum `{}` has no value `{}`", info.name, arm.patterns[pi]));
          d.help = Suggest(arm.patterns[pi], info.variants);
          unknown_pattern = true;
          continue;
        }
        if (covered[v] >= 0) {
          diags_.Error("E0225", arm.pattern_spans[pi], fmt::format("`{}` is matched twice", arm.patterns[pi]));
        }
        covered[v] = static_cast<int>(ai);
        arm.variants.push_back(v);
      }
      const Type* bt = CheckExpr(*arm.body, ctx, expected ? expected : result);
      if (!result) {
        result = bt;
      } else {
        const Type* u = Unify(types_, result, bt);
        if (!u) {
          diags_.Error("E0208", arm.body->span,
                       fmt::format("the arms of `match` have different types: `{}` and `{}`",
                                   types_.Name(result), types_.Name(bt)));
          result = Err();
        } else {
          result = u;
        }
      }
    }
    if (!wildcard && !unknown_pattern) {  // a misspelt pattern is reported once, not twice
      std::vector<std::string> missing;
      for (size_t v = 0; v < covered.size(); ++v) if (covered[v] < 0) missing.push_back(info.variants[v]);
      if (!missing.empty()) {
        auto& d = diags_.Error("E0226", e.span,
                               fmt::format("`match` does not cover {} of `{}`", JoinNames(missing), info.name));
        d.help = "add an arm for each missing value, or `_ => ...`";
      }
    }
    return result ? result : Err();
  }

  // ------------------------------------------------------------------ bodies

  // A constant: literals, enum values, and collections or records of them.
  bool IsConstant(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kInt: case ExprKind::kDecimal: case ExprKind::kText: case ExprKind::kDate:
      case ExprKind::kDuration: case ExprKind::kBool: case ExprKind::kNone:
        return true;
      case ExprKind::kName: return e.ref == RefKind::kEnumValue;
      case ExprKind::kNeg: return IsConstant(*e.args[0]);
      case ExprKind::kList: case ExprKind::kSet: case ExprKind::kRecord:
        return std::all_of(e.args.begin(), e.args.end(), [&](const ast::ExprPtr& a) { return IsConstant(*a); });
      default: return false;
    }
  }

  void CheckBodies() {
    Context constant{false, "a constant"};
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
    let_state_.assign(p_.lets.size(), 0);
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

  void CheckTable(TableSymbol& t) {
    const ast::TableDecl& d = *t.decl;
    locals_.clear();
    for (size_t i = 0; i < t.params.size(); ++i) {
      locals_.push_back(Local{d.params[i].name, t.params[i], static_cast<int>(i)});
    }
    p_.max_locals = std::max(p_.max_locals, static_cast<int>(locals_.size()));
    Context ctx{false, "a decision table"};
    if (d.hit == ast::HitPolicy::kPriority && t.result->kind != TypeKind::kEnum && t.result->kind != TypeKind::kError) {
      diags_.Error("E0303", d.hit_span, "`hit priority` needs an enum result")
          .help = "the order of the enum's values is the priority: the first declared wins";
    }
    if (d.aggregator == ast::Aggregator::kSum && !IsNumeric(t.result) && t.result->kind != TypeKind::kDuration) {
      diags_.Error("E0303", d.hit_span, fmt::format("`collect sum` cannot sum `{}` results", types_.Name(t.result)));
    }
    if ((d.aggregator == ast::Aggregator::kMin || d.aggregator == ast::Aggregator::kMax) && !IsOrdered(t.result)) {
      diags_.Error("E0303", d.hit_span, fmt::format("`collect min/max` needs ordered results, not `{}`", types_.Name(t.result)));
    }
    std::vector<std::vector<CellSet>> sets;
    for (size_t ri = 0; ri < d.rows.size(); ++ri) {
      const ast::TableRow& row = d.rows[ri];
      std::vector<CellSet> rs;
      if (row.cells.size() != t.params.size()) {
        diags_.Error("E0302", row.span,
                     fmt::format("row {} of table `{}` has {} cell{}, the table has {} column{}", ri + 1, d.name,
                                 row.cells.size(), row.cells.size() == 1 ? "" : "s", t.params.size(),
                                 t.params.size() == 1 ? "" : "s"));
      }
      for (size_t ci = 0; ci < row.cells.size(); ++ci) {
        const Type* col = ci < t.params.size() ? t.params[ci] : Err();
        rs.push_back(CheckCell(const_cast<ast::Cell&>(row.cells[ci]), col, ctx,
                               ci < d.params.size() ? d.params[ci].name : "?"));
      }
      ExpectType(*row.result, ctx, t.result, fmt::format("the result of row {} of `{}`", ri + 1, d.name));
      sets.push_back(std::move(rs));
    }
    if (d.default_result) {
      ExpectType(*d.default_result, ctx, t.result, fmt::format("the default of `{}`", d.name));
      if (d.hit == ast::HitPolicy::kCollect &&
          (d.aggregator == ast::Aggregator::kNone || d.aggregator == ast::Aggregator::kCount)) {
        diags_.Error("E0308", d.default_span,
                     fmt::format("a `default` row has no meaning in `hit collect{}`: no match gives {}",
                                 d.aggregator == ast::Aggregator::kCount ? " count" : "",
                                 d.aggregator == ast::Aggregator::kCount ? "0" : "an empty list"))
            .help = "remove the `default` row";
      }
    }
    locals_.clear();
    // Overlaps that make `unique` (or disagreeing `any`) fail on some input.
    if (d.hit == ast::HitPolicy::kUnique || d.hit == ast::HitPolicy::kAny) {
      for (size_t a = 0; a < sets.size(); ++a) {
        for (size_t b = 0; b < a; ++b) {
          if (sets[a].size() != t.params.size() || sets[b].size() != t.params.size()) continue;
          bool overlap = true;
          for (size_t c = 0; c < sets[a].size() && overlap; ++c) overlap = sets[a][c].SurelyOverlaps(sets[b][c]);
          if (!overlap) continue;
          if (d.hit == ast::HitPolicy::kAny &&
              ast::ToSource(*d.rows[a].result) == ast::ToSource(*d.rows[b].result)) {
            continue;
          }
          auto& diag = diags_.Error(
              "E0304", d.rows[a].span,
              d.hit == ast::HitPolicy::kUnique
                  ? fmt::format("rows {} and {} of table `{}` overlap, but the hit policy is `unique`", b + 1, a + 1, d.name)
                  : fmt::format("rows {} and {} of table `{}` overlap with different results, but the hit policy is `any`", b + 1, a + 1, d.name));
          diag.notes.push_back({d.rows[b].span, fmt::format("row {} matches the same input", b + 1)});
          diag.help = "make the rows exclusive, or choose another hit policy (`first`, `priority`, `collect`)";
        }
      }
    }
    // Completeness over enum and bool columns, when there is no default.
    if (!d.default_result && d.hit != ast::HitPolicy::kCollect && !t.params.empty()) {
      std::vector<int64_t> sizes;
      int64_t total = 1;
      for (const Type* p : t.params) {
        int64_t n = p->kind == TypeKind::kEnum ? static_cast<int64_t>(types_.enum_info(p->index).variants.size())
                    : p->kind == TypeKind::kBool ? 2 : 0;
        if (n == 0) return;
        sizes.push_back(n);
        total *= n;
        if (total > 4096) return;
      }
      std::vector<std::string> gaps;
      int gap_count = 0;
      for (int64_t combo = 0; combo < total; ++combo) {
        std::vector<int64_t> vals;
        int64_t rest = combo;
        for (size_t c = sizes.size(); c-- > 0;) {
          vals.insert(vals.begin(), rest % sizes[c]);
          rest /= sizes[c];
        }
        bool covered = false;
        for (auto& rs : sets) {
          if (rs.size() != vals.size()) continue;
          bool all = true;
          for (size_t c = 0; c < vals.size() && all; ++c) all = rs[c].Contains(vals[c]);
          if (all) { covered = true; break; }
        }
        if (covered) continue;
        ++gap_count;
        if (gaps.size() < 3) {
          std::string g = "(";
          for (size_t c = 0; c < vals.size(); ++c) {
            const Type* p = t.params[c];
            g += (c ? ", " : "") + (p->kind == TypeKind::kEnum ? types_.enum_info(p->index).variants[vals[c]]
                                                             : std::string(vals[c] ? "true" : "false"));
          }
          gaps.push_back(g + ")");
        }
      }
      if (gap_count > 0) {
        std::string list;
        for (size_t i = 0; i < gaps.size(); ++i) list += (i ? ", " : "") + gaps[i];
        if (gap_count > 3) list += fmt::format(" and {} more", gap_count - 3);
        diags_.Error("E0305", d.span, fmt::format("table `{}` has no row for {}", d.name, list))
            .help = "add rows for these inputs, or a `default => ...` row";
      }
    }
  }

  // The constant value of a literal or enum value, for table analysis.
  std::optional<int64_t> ConstInt(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kInt: case ExprKind::kDate: case ExprKind::kBool: return e.int_value;
      case ExprKind::kDecimal: {
        int64_t v;
        if (ParseDecimal(e.text, &v)) return v;
        return std::nullopt;
      }
      case ExprKind::kName:
        if (e.ref == RefKind::kEnumValue) return e.variant;
        return std::nullopt;
      case ExprKind::kNeg: {
        auto v = ConstInt(*e.args[0]);
        if (v && e.args[0]->kind != ExprKind::kDate) return -*v;
        return std::nullopt;
      }
      default: return std::nullopt;
    }
  }

  CellSet CheckCell(ast::Cell& cell, const Type* col, const Context& ctx, const std::string& column) {
    CellSet s;
    auto value = [&](Expr& e) {
      ExpectType(e, ctx, col, fmt::format("a cell of column `{}`", column));
      if (e.kind == ExprKind::kText) {
        s.texts.insert(e.text);
        return;
      }
      auto v = ConstInt(e);
      if (v) s.ranges.push_back({*v, *v});
      else s.known = false;
    };
    switch (cell.kind) {
      case ast::Cell::Kind::kAny: s.any = true; break;
      case ast::Cell::Kind::kEqual: value(*cell.values[0]); break;
      case ast::Cell::Kind::kOneOf:
        for (auto& v : cell.values) value(*v);
        break;
      case ast::Cell::Kind::kCompare:
        if (cell.op == ast::BinOp::kNe && !IsOrdered(col)) {  // `!= v` needs equality only
          ExpectType(*cell.values[0], ctx, col, fmt::format("a cell of column `{}`", column));
          s.known = false;
          break;
        }
        [[fallthrough]];
      case ast::Cell::Kind::kRange: {
        if (!IsOrdered(col) && col->kind != TypeKind::kError) {
          diags_.Error("E0306", cell.span,
                       fmt::format("column `{}` is `{}`, which has no order: use a value or `{{a, b}}`", column,
                                   types_.Name(col)));
        }
        for (auto& v : cell.values) ExpectType(*v, ctx, col, fmt::format("a cell of column `{}`", column));
        auto a = ConstInt(*cell.values[0]);
        if (col->kind == TypeKind::kDuration || !a) {
          s.known = false;
          break;
        }
        if (cell.kind == ast::Cell::Kind::kRange) {
          auto b = ConstInt(*cell.values[1]);
          if (!b) { s.known = false; break; }
          if (*b < *a) {
            diags_.Error("E0307", cell.span, "this range is empty: its low end is above its high end");
          }
          s.ranges.push_back({*a, *b});
        } else {
          switch (cell.op) {
            case ast::BinOp::kLt: s.ranges.push_back({INT64_MIN, *a - 1}); break;
            case ast::BinOp::kLe: s.ranges.push_back({INT64_MIN, *a}); break;
            case ast::BinOp::kGt: s.ranges.push_back({*a + 1, INT64_MAX}); break;
            case ast::BinOp::kGe: s.ranges.push_back({*a, INT64_MAX}); break;
            default:
              s.ranges.push_back({INT64_MIN, *a - 1});
              s.ranges.push_back({*a + 1, INT64_MAX});
              break;
          }
        }
        break;
      }
    }
    return s;
  }

  // ------------------------------------------------------------------ rules and obligations

  std::string DescribeEffective(const ast::Effective& e) {
    return e.present ? FormatDate(e.from) : "";
  }

  void CheckRules() {
    Context ctx{true, "a rule"};
    std::map<std::string, int> rule_index;
    for (size_t i = 0; i < p_.rules.size(); ++i) rule_index[p_.rules[i]->name] = static_cast<int>(i);
    p_.rule_parent.assign(p_.rules.size(), -1);
    std::vector<int> target(p_.rules.size(), -1);
    for (size_t i = 0; i < p_.rules.size(); ++i) {
      const ast::RuleDecl& r = *p_.rules[i];
      if (r.when) ExpectType(*r.when, ctx, types_.Bool(), fmt::format("the condition of rule `{}`", r.name));
      if (!r.target) continue;
      auto it = globals_.find(r.target->name);
      if (duplicated_.count(r.target->name)) {
        CheckExpr(*r.value, ctx);
        continue;
      }
      if (it == globals_.end() || it->second.kind != SymKind::kOutput) {
        std::vector<std::string> outs;
        for (auto& o : p_.outputs) outs.push_back(o.decl->name);
        auto& d = diags_.Error("E0117", r.target->span,
                               it == globals_.end()
                                   ? fmt::format("rule `{}` sets `{}`, which is not a declared output", r.name, r.target->name)
                                   : fmt::format("rule `{}` sets {} `{}`; rules can only set outputs", r.name,
                                                 SymKindName(it->second.kind), r.target->name));
        if (it == globals_.end()) {
          d.help = Suggest(r.target->name, outs);
          if (d.help.empty()) d.help = fmt::format("declare it: `output {}: <type>`", r.target->name);
        }
        CheckExpr(*r.value, ctx);
        continue;
      }
      MarkUsed(r.target->name);
      OutputSymbol& o = p_.outputs[it->second.index];
      target[i] = it->second.index;
      o.rules.push_back(static_cast<int>(i));
      ExpectType(*r.value, ctx, o.type, fmt::format("the value rule `{}` gives to `{}`", r.name, o.decl->name));
    }
    for (size_t i = 0; i < p_.rules.size(); ++i) {
      const ast::RuleDecl& r = *p_.rules[i];
      if (!r.exception_to) continue;
      auto it = rule_index.find(r.exception_to->name);
      if (it == rule_index.end()) {
        std::vector<std::string> names;
        for (auto& [n, _] : rule_index) names.push_back(n);
        auto& d = diags_.Error("E0405", r.exception_to->span,
                               fmt::format("rule `{}` is an exception to `{}`, which is not a rule", r.name,
                                           r.exception_to->name));
        d.help = Suggest(r.exception_to->name, names);
        continue;
      }
      if (it->second == static_cast<int>(i)) {
        diags_.Error("E0407", r.exception_to->span, fmt::format("rule `{}` is an exception to itself", r.name));
        continue;
      }
      if (target[i] >= 0 && target[it->second] >= 0 && target[i] != target[it->second]) {
        auto& d = diags_.Error("E0406", r.exception_to->span,
                               fmt::format("rule `{}` sets `{}` but is an exception to `{}`, which sets `{}`", r.name,
                                           p_.outputs[target[i]].decl->name, r.exception_to->name,
                                           p_.outputs[target[it->second]].decl->name));
        d.notes.push_back({p_.rules[it->second]->span, "the general rule"});
        continue;
      }
      p_.rule_parent[i] = it->second;
    }
    ReportExceptionCycles(p_.rule_parent, [&](int i) { return p_.rules[i]->span; },
                          [&](int i) { return p_.rules[i]->name; }, "rule");
    ReportDeepExceptions(p_.rule_parent, [&](int i) { return p_.rules[i]->span; },
                         [&](int i) { return p_.rules[i]->name; }, "rule");
    // Siblings that always apply and have no priority between them conflict on every input.
    for (OutputSymbol& o : p_.outputs) {
      if (o.rules.empty() && !duplicated_.count(o.decl->name)) {
        diags_.Error("E0411", o.decl->span, fmt::format("no rule sets output `{}`", o.decl->name))
            .help = fmt::format("add `rule ... {{ then {} = ... }}`", o.decl->name);
        continue;
      }
      for (size_t a = 0; a < o.rules.size(); ++a) {
        for (size_t b = 0; b < a; ++b) {
          const ast::RuleDecl& ra = *p_.rules[o.rules[a]];
          const ast::RuleDecl& rb = *p_.rules[o.rules[b]];
          if (p_.rule_parent[o.rules[a]] != p_.rule_parent[o.rules[b]]) continue;
          if (ra.priority.value_or(0) != rb.priority.value_or(0)) continue;
          bool same_when = (!ra.when && !rb.when) ||
                           (ra.when && rb.when && ast::ToSource(*ra.when) == ast::ToSource(*rb.when));
          bool same_time = ra.effective.from < rb.effective.until && rb.effective.from < ra.effective.until;
          if (same_when && same_time) {
            auto& d = diags_.Error("E0410", ra.span,
                                   fmt::format("rules `{}` and `{}` set `{}` under the same condition and neither "
                                               "has priority, so they always conflict",
                                               rb.name, ra.name, o.decl->name));
            d.notes.push_back({rb.span, "the other rule"});
            d.help = fmt::format("make one an `exception to` the other, or give one a higher `priority`");
          }
        }
      }
    }
  }

  template <typename SpanOf, typename NameOf>
  void ReportExceptionCycles(std::vector<int>& parent, SpanOf span_of, NameOf name_of, const char* what) {
    std::vector<int> state(parent.size(), 0);
    for (size_t start = 0; start < parent.size(); ++start) {
      std::vector<int> path;
      int cur = static_cast<int>(start);
      while (cur >= 0 && state[cur] == 0) {
        state[cur] = 1;
        path.push_back(cur);
        cur = parent[cur];
      }
      if (cur >= 0 && state[cur] == 1) {
        // cur is on the current path: a cycle
        auto pos = std::find(path.begin(), path.end(), cur);
        std::string chain;
        for (auto it = pos; it != path.end(); ++it) chain += "`" + name_of(*it) + "` -> ";
        chain += "`" + name_of(cur) + "`";
        diags_.Error("E0408", span_of(cur), fmt::format("{} exceptions form a cycle: {}", what, chain))
            .help = fmt::format("a chain of exceptions must end at a general {} that is an exception to nothing", what);
        for (auto it = pos; it != path.end(); ++it) parent[*it] = -1;  // break it for later stages
      }
      for (int p : path) state[p] = 2;
    }
  }

  // After ReportExceptionCycles (no cycles left): the first of each chain of exceptions that is
  // more than kMaxChain deep.
  template <typename SpanOf, typename NameOf>
  void ReportDeepExceptions(const std::vector<int>& parent, SpanOf span_of, NameOf name_of, const char* what) {
    std::vector<int> depth(parent.size(), 0);  // 1 for an exception to nothing
    for (size_t start = 0; start < parent.size(); ++start) {
      std::vector<int> path;
      int cur = static_cast<int>(start);
      while (cur >= 0 && depth[cur] == 0) {
        path.push_back(cur);
        cur = parent[cur];
      }
      int d = cur >= 0 ? depth[cur] : 0;
      for (auto it = path.rbegin(); it != path.rend(); ++it) {
        depth[*it] = ++d;
        if (d == kMaxChain + 1) {
          diags_.Error("E0008", span_of(*it),
                       fmt::format("{} `{}` is an exception {} levels deep (at most {})", what, name_of(*it), d - 1,
                                   kMaxChain - 1))
              .help = fmt::format("make some of these {}s exceptions to a general {} higher up the chain", what, what);
        }
      }
    }
  }

  void CheckObligations() {
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

  // ------------------------------------------------------------------ cycles through values

  void Refs(const Expr& e, std::vector<std::pair<SymKind, int>>& out) {
    if (e.kind == ExprKind::kName) {
      if (e.ref == RefKind::kLet) out.push_back({SymKind::kLet, e.index});
      if (e.ref == RefKind::kOutput) out.push_back({SymKind::kOutput, e.index});
    }
    if (e.kind == ExprKind::kCall) {
      if (e.ref == RefKind::kFunction) out.push_back({SymKind::kFunction, e.index});
      if (e.ref == RefKind::kTable) out.push_back({SymKind::kTable, e.index});
    }
    for (auto& a : e.args) Refs(*a, out);
    for (auto& arm : e.arms) Refs(*arm.body, out);
  }

  void CheckDependencyCycles() {
    int errors_before = diags_.ErrorCount();
    // Nodes: lets, outputs, functions, tables. Edges: "needs the value of".
    using Node = std::pair<SymKind, int>;
    std::map<Node, std::vector<Node>> edges;
    std::map<Node, Span> spans;
    std::map<Node, std::string> names;
    for (size_t i = 0; i < p_.lets.size(); ++i) {
      Node n{SymKind::kLet, static_cast<int>(i)};
      Refs(*p_.lets[i].decl->value, edges[n]);
      spans[n] = p_.lets[i].decl->span;
      names[n] = p_.lets[i].decl->name;
    }
    for (size_t i = 0; i < p_.outputs.size(); ++i) {
      Node n{SymKind::kOutput, static_cast<int>(i)};
      for (int r : p_.outputs[i].rules) {
        if (p_.rules[r]->when) Refs(*p_.rules[r]->when, edges[n]);
        Refs(*p_.rules[r]->value, edges[n]);
      }
      spans[n] = p_.outputs[i].decl->span;
      names[n] = p_.outputs[i].decl->name;
    }
    for (size_t i = 0; i < p_.functions.size(); ++i) {
      Node n{SymKind::kFunction, static_cast<int>(i)};
      Refs(*p_.functions[i].decl->body, edges[n]);
      spans[n] = p_.functions[i].decl->span;
      names[n] = p_.functions[i].decl->name;
    }
    for (size_t i = 0; i < p_.tables.size(); ++i) {
      Node n{SymKind::kTable, static_cast<int>(i)};
      const ast::TableDecl& t = *p_.tables[i].decl;
      for (auto& row : t.rows) {
        for (auto& c : row.cells) for (auto& v : c.values) Refs(*v, edges[n]);
        Refs(*row.result, edges[n]);
      }
      if (t.default_result) Refs(*t.default_result, edges[n]);
      spans[n] = t.span;
      names[n] = t.name;
    }
    std::map<Node, int> state;
    std::vector<Node> stack;
    std::function<void(const Node&)> visit = [&](const Node& n) {
      state[n] = 1;
      stack.push_back(n);
      for (const Node& m : edges[n]) {
        if (state[m] == 1) {
          auto pos = std::find(stack.begin(), stack.end(), m);
          std::string chain;
          for (auto it = pos; it != stack.end(); ++it) chain += "`" + names[*it] + "` -> ";
          chain += "`" + names[m] + "`";
          bool calls = m.first == SymKind::kFunction || m.first == SymKind::kTable;
          diags_.Error(calls ? "E0409" : "E0412", spans[m],
                       calls ? fmt::format("`{}` calls itself: {}", names[m], chain)
                             : fmt::format("`{}` depends on itself: {}", names[m], chain))
              .help = calls ? "recursion is not allowed, so that every evaluation terminates"
                            : "a value cannot be defined in terms of itself";
        } else if (state[m] == 0) {
          visit(m);
        }
      }
      stack.pop_back();
      state[n] = 2;
    };
    for (auto& [n, _] : edges) if (state[n] == 0) visit(n);
    if (diags_.ErrorCount() > errors_before) return;
    // No cycles: the longest chain of definitions each needing the next.
    std::map<Node, int> depth;
    std::function<int(const Node&)> chain = [&](const Node& n) -> int {
      auto it = depth.find(n);
      if (it != depth.end()) return it->second;
      int d = 0;
      for (const Node& m : edges[n]) {
        d = std::max(d, chain(m));
        if (d > kMaxChain) break;
      }
      return depth[n] = d + 1;
    };
    for (auto& [n, _] : edges) {
      if (chain(n) <= kMaxChain) continue;
      diags_.Error("E0008", spans[n],
                   fmt::format("`{}` needs a chain of more than {} definitions (lets, outputs, functions, tables), "
                               "each using the next", names[n], kMaxChain))
          .help = "shorten the chain: a definition can use several others directly";
      return;
    }
  }

  // ------------------------------------------------------------------ tests

  void CheckTests() {
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
              CheckExpr(*x.value, constant);
              break;
            }
            MarkUsed(x.name);
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
            if (x.deadline) ExpectType(*x.deadline, constant, types_.Date(), "the expected deadline");
            break;
          }
          case ast::TestExpect::Kind::kError: break;
        }
      }
    }
  }

  // ------------------------------------------------------------------ unused declarations

  void WarnUnused() {
    // A library (a file with no input, outputs, rules or obligations) exists to be imported: its
    // declarations are used elsewhere.
    const ast::Module& main = p_.main();
    if (main.inputs.empty() && main.outputs.empty() && main.rules.empty() && main.obligations.empty()) return;
    if (diags_.HasErrors()) return;  // a misspelt use would make these cascades of the error
    for (auto& [name, s] : globals_) {
      if (!s.main || used_.count(name)) continue;
      if (s.kind == SymKind::kLet || s.kind == SymKind::kFunction || s.kind == SymKind::kTable ||
          s.kind == SymKind::kParam) {
        diags_.Warning("W0101", s.span, fmt::format("{} `{}` is never used", SymKindName(s.kind), name));
      }
    }
    for (auto& [index, entry] : enum_decl_) {
      if (entry.second && !used_.count(entry.first->name) && !used_types_.count(entry.first->name)) {
        diags_.Warning("W0101", entry.first->span, fmt::format("enum `{}` is never used", entry.first->name));
      }
    }
    for (auto& [index, entry] : record_decl_) {
      if (entry.second && !used_types_.count(entry.first->name)) {
        diags_.Warning("W0101", entry.first->span, fmt::format("record `{}` is never used", entry.first->name));
      }
    }
  }

  CheckedProgram& p_;
  DiagnosticSink& diags_;
  TypeTable& types_;
  std::map<std::string, Span> type_names_;
  std::map<std::string, int> enum_index_;
  std::map<std::string, int> record_index_;
  std::map<int, std::pair<const ast::EnumDecl*, bool>> enum_decl_;
  std::map<int, std::pair<const ast::RecordDecl*, bool>> record_decl_;
  std::vector<std::pair<ast::FieldDecl*, const Type*>> field_defaults_;
  std::map<std::string, Symbol> globals_;
  std::set<std::string> used_;
  std::set<std::string> duplicated_;
  std::set<std::string> used_types_;
  std::vector<Local> locals_;
  std::vector<int> let_state_;  // 0 unchecked, 1 in progress, 2 done
};

}  // namespace

std::unique_ptr<CheckedProgram> Check(std::vector<std::unique_ptr<ast::Module>> modules,
                                      DiagnosticSink& diags) {
  auto p = std::make_unique<CheckedProgram>();
  p->modules = std::move(modules);
  Checker(*p, diags).Run();
  return p;
}

}  // namespace proviso
