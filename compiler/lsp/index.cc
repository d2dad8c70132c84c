// The symbol index: declarations first (every module), then every use of a name in their bodies,
// resolved through the checker's annotations (ast::Expr::ref, ::index, ::variant).
#include "compiler/lsp/index.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

#include <fmt/format.h>

namespace proviso::lsp {

const char* KindName(SymbolKind k) {
  switch (k) {
    case SymbolKind::kEnum: return "enum";
    case SymbolKind::kEnumValue: return "enum value";
    case SymbolKind::kRecord: return "record";
    case SymbolKind::kField: return "field";
    case SymbolKind::kInputField: return "input field";
    case SymbolKind::kParam: return "param";
    case SymbolKind::kLet: return "let";
    case SymbolKind::kFunction: return "function";
    case SymbolKind::kParameter: return "parameter";
    case SymbolKind::kTable: return "table";
    case SymbolKind::kOutput: return "output";
    case SymbolKind::kRule: return "rule";
    case SymbolKind::kObligation: return "obligation";
    case SymbolKind::kTest: return "test";
    case SymbolKind::kCalendar: return "calendar";
    case SymbolKind::kVariable: return "variable";
    case SymbolKind::kItem: return "element";
  }
  return "name";
}

bool Contains(const Span& s, int line, int col) {
  if (!s.valid() || line < s.line || line > s.end_line) return false;
  if (line == s.line && col < s.col) return false;
  if (line == s.end_line && col > s.end_col) return false;
  return true;
}

namespace {

using Key = std::tuple<int, int, int>;
Key KeyOf(const Span& s) { return {s.file, s.line, s.col}; }

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Byte offset of 1-based code-point column `col` in `line`, and back.
size_t ByteOfCol(std::string_view line, int col) {
  size_t i = 0;
  for (int c = 1; c < col && i < line.size(); ++c) {
    ++i;
    while (i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) ++i;
  }
  return i;
}
int ColOfByte(std::string_view line, size_t byte) {
  int col = 1;
  for (size_t i = 0; i < byte && i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++col;
  }
  return col;
}

std::string Shorten(std::string s, size_t max = 160) {
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a code point
  return s.substr(0, cut) + " ...";
}

}  // namespace

// Fills an Index in two passes. One per Build; not thread-safe.
class IndexBuilder {
 public:
  explicit IndexBuilder(Index& ix) : ix_(ix), p_(*ix.fe_->program), sm_(ix.fe_->sources), t_(p_.types) {}

  void Run() {
    for (const auto& m : p_.modules) Declarations(*m);
    for (const auto& m : p_.modules) Bodies(*m);
  }

 private:
  int Add(Declaration d) {
    if (!d.span.valid()) return -1;
    // The `///` lines above: not for locals (those lines document the declaration they are in), nor for a
    // field or value on its record's or enum's line.
    bool local = d.kind == SymbolKind::kVariable || d.kind == SymbolKind::kParameter || d.kind == SymbolKind::kItem;
    bool inline_member = d.parent >= 0 && ix_.decls_[d.parent].span.line == d.span.line &&
                         ix_.decls_[d.parent].span.file == d.span.file;
    if (d.doc.empty() && !local && !inline_member) d.doc = DocAbove(d.span);
    int id = static_cast<int>(ix_.decls_.size());
    by_span_.emplace(KeyOf(d.span), id);
    if (d.ns == "global") global_.emplace(d.name, id);
    ix_.decls_.push_back(std::move(d));
    return id;
  }
  void Ref(const Span& s, int decl) {
    if (s.valid() && decl >= 0) ix_.refs_.push_back(Reference{s, decl});
  }
  int BySpan(const Span& s) const {
    auto it = by_span_.find(KeyOf(s));
    return it == by_span_.end() ? -1 : it->second;
  }
  int Global(const std::string& name) const {
    auto it = global_.find(name);
    return it == global_.end() ? -1 : it->second;
  }
  std::string TypeName(const Type* t) const { return t ? t_.Name(t) : "?"; }
  static Declaration Decl(SymbolKind kind, const std::string& name, const Span& span) {
    Declaration d;
    d.kind = kind;
    d.name = name;
    d.span = span;
    return d;
  }

  // The `///` lines right above `line` of the span's file.
  std::string DocAbove(const Span& s) const {
    const SourceFile& f = sm_.file(s.file);
    std::vector<std::string> lines;
    for (int l = s.line - 1; l >= 1; --l) {
      std::string_view text = f.Line(l);
      size_t b = text.find_first_not_of(" \t");
      if (b == std::string_view::npos || text.substr(b, 3) != "///") break;
      std::string_view rest = text.substr(b + 3);
      if (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
      lines.emplace_back(rest);
    }
    std::string doc;
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) doc += (doc.empty() ? "" : "\n") + *it;
    return doc;
  }

  // The first whole-word occurrence of `name` in `within`, at or after (line, col); invalid if none.
  Span FindName(const Span& within, const std::string& name, int line = 0, int col = 0) const {
    if (!within.valid() || name.empty()) return {};
    const SourceFile& f = sm_.file(within.file);
    for (int l = std::max(line, within.line); l <= within.end_line; ++l) {
      std::string_view text = f.Line(l);
      int from_col = l == within.line ? within.col : 1;
      if (l == line) from_col = std::max(from_col, col);
      size_t pos = ByteOfCol(text, from_col);
      size_t limit = l == within.end_line ? ByteOfCol(text, within.end_col) : text.size();
      while ((pos = text.find(name, pos)) != std::string_view::npos && pos + name.size() <= limit) {
        bool start_ok = pos == 0 || !IsIdentChar(text[pos - 1]);
        bool end_ok = pos + name.size() >= text.size() || !IsIdentChar(text[pos + name.size()]);
        if (start_ok && end_ok) {
          int c = ColOfByte(text, pos);
          return Span{within.file, l, c, l, c + static_cast<int>(name.size())};
        }
        ++pos;
      }
    }
    return {};
  }
  // The name at the start / at the end of an expression's span (a call's callee, a field's name).
  static Span AtStart(const Span& s, const std::string& name) {
    return Span{s.file, s.line, s.col, s.line, s.col + static_cast<int>(name.size())};
  }
  static Span AtEnd(const Span& s, const std::string& name) {
    return Span{s.file, s.end_line, s.end_col - static_cast<int>(name.size()), s.end_line, s.end_col};
  }

  // ------------------------------------------------------------------ declarations

  void Fields(const std::vector<ast::FieldDecl>& fields, const RecordInfo& info, int owner, const std::string& ns,
              const std::string& owner_name, SymbolKind kind) {
    for (const ast::FieldDecl& f : fields) {
      const FieldInfo* fi = nullptr;
      for (const FieldInfo& x : info.fields) {
        if (KeyOf(x.span) == KeyOf(f.span)) fi = &x;
      }
      Declaration d;
      d.kind = kind;
      d.name = f.name;
      d.span = f.span;
      d.type = fi ? fi->type : nullptr;
      d.signature = fmt::format("{}.{}: {}", owner_name, f.name, f.type ? ast::ToSource(*f.type) : TypeName(d.type));
      if (f.dflt) d.signature += " = " + Shorten(ast::ToSource(*f.dflt));
      d.parent = owner;
      d.ns = ns;
      Add(std::move(d));
    }
  }

  void Declarations(const ast::Module& m) {
    bool main = &m == &p_.main();
    for (const ast::EnumDecl& e : m.enums) {
      std::string values;
      for (size_t i = 0; i < e.variants.size(); ++i) values += (i ? ", " : "") + e.variants[i];
      Declaration d = Decl(SymbolKind::kEnum, e.name, e.span);
      d.signature = Shorten(fmt::format("enum {} {{ {} }}", e.name, values));
      d.doc = e.doc;
      d.ns = "type";
      int id = Add(std::move(d));
      if (id < 0) continue;
      types_.emplace(e.name, id);
      if (e.type_index >= 0) enum_decl_[e.type_index] = id;
      for (size_t i = 0; i < e.variants.size(); ++i) {
        Declaration v = Decl(SymbolKind::kEnumValue, e.variants[i], e.variant_spans[i]);
        v.type_text = e.name;
        v.signature = fmt::format("{}.{}", e.name, e.variants[i]);
        v.parent = id;
        v.ns = fmt::format("value:{}", id);
        enum_values_[id].push_back(Add(std::move(v)));
      }
    }
    for (const ast::RecordDecl& r : m.records) {
      std::string fields;
      for (size_t i = 0; i < r.fields.size(); ++i) {
        fields += fmt::format("{}{}: {}", i ? ", " : "", r.fields[i].name, ast::ToSource(*r.fields[i].type));
      }
      Declaration d = Decl(SymbolKind::kRecord, r.name, r.span);
      d.signature = Shorten(fmt::format("record {} {{ {} }}", r.name, fields), 400);
      d.doc = r.doc;
      d.ns = "type";
      int id = Add(std::move(d));
      if (id < 0) continue;
      types_.emplace(r.name, id);
      if (r.type_index >= 0) {
        Fields(r.fields, t_.record_info(r.type_index), id, fmt::format("field:{}", id), r.name, SymbolKind::kField);
      }
    }
    if (main && !m.inputs.empty()) {
      Fields(m.inputs[0].fields, t_.record_info(p_.input_record), -1, "global", "input", SymbolKind::kInputField);
    }
    for (const ast::ParamDecl& pd : m.params) {
      int index = -1;
      for (size_t i = 0; i < p_.params.size(); ++i) {
        for (const ast::ParamDecl* v : p_.params[i].versions) {
          if (v == &pd) index = static_cast<int>(i);
        }
      }
      if (index >= 0 && p_.params[index].versions[0] != &pd) continue;  // a later version: a reference
      Declaration d = Decl(SymbolKind::kParam, pd.name, pd.span);
      d.type = index >= 0 ? p_.params[index].type : nullptr;
      d.signature = fmt::format("param {}: {} = {}", pd.name, pd.type ? ast::ToSource(*pd.type) : TypeName(d.type),
                                pd.value ? Shorten(ast::ToSource(*pd.value)) : "?");
      if (index >= 0 && p_.params[index].versions.size() > 1) {
        d.signature += fmt::format("  // {} versions", p_.params[index].versions.size());
      }
      d.doc = pd.doc;
      d.ns = "global";
      Add(std::move(d));
    }
    if (main) {
      for (const LetSymbol& l : p_.lets) {
        Declaration d = Decl(SymbolKind::kLet, l.decl->name, l.decl->span);
        d.type = l.type;
        d.signature = fmt::format("let {}: {} = {}", l.decl->name, TypeName(l.type),
                                  l.decl->value ? Shorten(ast::ToSource(*l.decl->value)) : "?");
        d.doc = l.decl->doc;
        d.ns = "global";
        Add(std::move(d));
      }
    }
    for (const FunctionSymbol& f : p_.functions) {
      if (f.decl->span.file != m.file) continue;
      std::string params;
      for (size_t i = 0; i < f.decl->params.size(); ++i) {
        params += fmt::format("{}{}: {}", i ? ", " : "", f.decl->params[i].name, ast::ToSource(*f.decl->params[i].type));
      }
      Declaration d = Decl(SymbolKind::kFunction, f.decl->name, f.decl->span);
      d.type = f.result;
      d.signature = fmt::format("function {}({}) -> {}", f.decl->name, params, TypeName(f.result));
      d.doc = f.decl->doc;
      d.ns = "global";
      Add(std::move(d));
    }
    for (const TableSymbol& t : p_.tables) {
      if (t.decl->span.file != m.file) continue;
      std::string params;
      for (size_t i = 0; i < t.decl->params.size(); ++i) {
        params += fmt::format("{}{}: {}", i ? ", " : "", t.decl->params[i].name, ast::ToSource(*t.decl->params[i].type));
      }
      Declaration d = Decl(SymbolKind::kTable, t.decl->name, t.decl->span);
      d.type = t.call;
      d.signature = fmt::format("table {}({}) -> {} hit {}", t.decl->name, params, TypeName(t.result),
                                ast::HitPolicyText(t.decl->hit));
      if (t.call && t.call != t.result) d.signature += fmt::format("  // a call is a `{}`", TypeName(t.call));
      d.doc = t.decl->doc;
      d.ns = "global";
      Add(std::move(d));
    }
    if (!main) {
      for (const ast::CalendarDecl& c : m.calendars) AddCalendar(c);
      return;
    }
    for (const OutputSymbol& o : p_.outputs) {
      Declaration d = Decl(SymbolKind::kOutput, o.decl->name, o.decl->span);
      d.type = o.type;
      d.signature = fmt::format("output {}: {}{}", o.decl->name, TypeName(o.type), o.decl->required ? " required" : "");
      d.doc = o.decl->doc;
      d.ns = "global";
      Add(std::move(d));
    }
    for (const ast::RuleDecl* r : p_.rules) {
      Declaration d = Decl(SymbolKind::kRule, r->name, r->span);
      d.signature = fmt::format("rule {}", r->name);
      if (r->target) d.signature += fmt::format("  // sets `{}`", r->target->name);
      d.doc = r->doc;
      d.ns = "global";
      Add(std::move(d));
    }
    for (const ast::ObligationDecl* o : p_.obligations) {
      Declaration d = Decl(SymbolKind::kObligation, o->name, o->span);
      d.signature = fmt::format("obligation {}", o->name);
      if (!o->subject.empty()) d.signature += fmt::format("\n  subject \"{}\"", o->subject);
      if (o->modality) {
        const char* mod = *o->modality == ast::Modality::kMust  ? "must"
                          : *o->modality == ast::Modality::kMay ? "may"
                                                                : "must not";
        d.signature += fmt::format("\n  {} \"{}\"", mod, Shorten(o->action));
      }
      d.doc = o->doc;
      d.ns = "global";
      Add(std::move(d));
    }
    for (const ast::TestDecl* t : p_.tests) {
      Declaration d = Decl(SymbolKind::kTest, t->name, t->span);
      d.signature = fmt::format("test \"{}\"", t->name);
      d.ns = "test";
      Add(std::move(d));
    }
    for (const ast::CalendarDecl& c : m.calendars) AddCalendar(c);
    for (size_t i = 0; i < p_.scopes.size(); ++i) {
      const ast::ScopeDecl& sc = *p_.scopes[i].decl;
      Declaration d = Decl(SymbolKind::kItem, sc.var, sc.var_span);
      d.type = p_.scopes[i].element;
      d.signature = fmt::format("for each {}: {} in {}", sc.var, TypeName(d.type),
                                sc.collection ? Shorten(ast::ToSource(*sc.collection)) : "?");
      d.scope = sc.span;
      d.ns = fmt::format("local:item{}", i);
      scope_decl_.push_back(Add(std::move(d)));
    }
  }

  void AddCalendar(const ast::CalendarDecl& c) {
    Declaration d = Decl(SymbolKind::kCalendar, c.name, c.span);
    d.signature = fmt::format("calendar {}", c.name);
    if (c.first_year <= c.last_year) d.signature += fmt::format("  // years {}..{}", c.first_year, c.last_year);
    d.doc = c.doc;
    d.ns = "calendar";
    Add(std::move(d));
  }

  // ------------------------------------------------------------------ uses

  void TypeRefs(const ast::TypeExpr* t) {
    if (!t) return;
    if (t->kind == ast::TypeExpr::Kind::kNamed) {
      auto it = types_.find(t->name);
      if (it != types_.end()) Ref(t->span, it->second);
    }
    TypeRefs(t->elem.get());
  }

  // The declaration of field `field` of record type `record` (an index in the TypeTable), or -1.
  int FieldOf(int record, int field) const {
    if (record < 0 || record >= t_.record_count() || field < 0) return -1;
    const RecordInfo& r = t_.record_info(record);
    if (field >= static_cast<int>(r.fields.size())) return -1;
    return BySpan(r.fields[field].span);
  }
  // The record type index of `t` (through `T?`, lists and sets), or -1.
  static int RecordIndex(const Type* t) {
    while (t && (t->kind == TypeKind::kOptional || t->kind == TypeKind::kList || t->kind == TypeKind::kSet)) t = t->elem;
    return t && t->kind == TypeKind::kRecord ? t->index : -1;
  }
  int FieldDecl(const Type* rec, int field) const { return FieldOf(RecordIndex(rec), field); }
  int FieldByName(int record, const std::string& name) const {
    return record < 0 ? -1 : FieldOf(record, t_.record_info(record).Find(name));
  }
  int FieldByName(const Type* rec, const std::string& name) const { return FieldByName(RecordIndex(rec), name); }
  int EnumValue(int enum_type, int variant) const {
    auto it = enum_decl_.find(enum_type);
    if (it == enum_decl_.end()) return -1;
    auto vals = enum_values_.find(it->second);
    if (vals == enum_values_.end() || variant < 0 || variant >= static_cast<int>(vals->second.size())) return -1;
    return vals->second[variant];
  }

  void Exprs(const ast::ExprPtr& e) {
    if (e) Expr(*e);
  }

  void Expr(const ast::Expr& e) {
    using ast::ExprKind;
    using ast::RefKind;
    switch (e.kind) {
      case ExprKind::kName: {
        int target = -1;
        switch (e.ref) {
          case RefKind::kInput: target = FieldOf(p_.input_record, e.index); break;
          case RefKind::kParam:
            if (e.index >= 0 && e.index < static_cast<int>(p_.params.size())) {
              target = BySpan(p_.params[e.index].versions[0]->span);
            }
            break;
          case RefKind::kLet:
            if (e.index >= 0 && e.index < static_cast<int>(p_.lets.size())) target = BySpan(p_.lets[e.index].decl->span);
            break;
          case RefKind::kOutput:
            if (e.index >= 0 && e.index < static_cast<int>(p_.outputs.size())) {
              target = BySpan(p_.outputs[e.index].decl->span);
            }
            break;
          case RefKind::kLocal:
            for (auto it = locals_.rbegin(); it != locals_.rend(); ++it) {
              if (it->first == e.name) {
                target = it->second;
                break;
              }
            }
            break;
          case RefKind::kItem:
            if (e.index >= 0 && e.index < static_cast<int>(scope_decl_.size())) target = scope_decl_[e.index];
            break;
          case RefKind::kEnumValue: {
            target = EnumValue(e.index, e.variant);
            int width = e.span.end_col - e.span.col;
            if (e.span.line == e.span.end_line && width > static_cast<int>(e.name.size())) {  // `Enum.value`
              auto en = enum_decl_.find(e.index);
              if (en != enum_decl_.end()) Ref(AtStart(e.span, ix_.decls_[en->second].name), en->second);
              Ref(AtEnd(e.span, e.name), target);
              return;
            }
            break;
          }
          default: break;
        }
        Ref(e.span, target);
        return;
      }
      case ExprKind::kField:
        for (const auto& a : e.args) Exprs(a);
        if (e.ref == ast::RefKind::kRecordField && !e.args.empty() && e.args[0]) {
          Ref(AtEnd(e.span, e.name), FieldDecl(e.args[0]->type, e.index));
        }
        return;
      case ExprKind::kCall:
      case ExprKind::kItemOf: {
        int target = -1;
        if (e.ref == ast::RefKind::kFunction && e.index >= 0 && e.index < static_cast<int>(p_.functions.size())) {
          target = BySpan(p_.functions[e.index].decl->span);
        } else if (e.ref == ast::RefKind::kTable && e.index >= 0 && e.index < static_cast<int>(p_.tables.size())) {
          target = BySpan(p_.tables[e.index].decl->span);
        } else if (e.ref == ast::RefKind::kLet && e.index >= 0 && e.index < static_cast<int>(p_.lets.size())) {
          target = BySpan(p_.lets[e.index].decl->span);
        } else if (e.ref == ast::RefKind::kOutput && e.index >= 0 && e.index < static_cast<int>(p_.outputs.size())) {
          target = BySpan(p_.outputs[e.index].decl->span);
        }
        Ref(AtStart(e.span, e.name), target);
        for (const auto& a : e.args) Exprs(a);
        return;
      }
      case ExprKind::kQuant: {
        if (!e.args.empty()) Exprs(e.args[0]);
        Declaration d = Decl(SymbolKind::kVariable, e.name, FindName(e.span, e.name));
        const Type* coll = !e.args.empty() && e.args[0] ? e.args[0]->type : nullptr;
        d.type = coll && (coll->kind == TypeKind::kList || coll->kind == TypeKind::kSet) ? coll->elem : nullptr;
        d.signature = fmt::format("{}: {}  // each element of `{}`", e.name, TypeName(d.type),
                                  !e.args.empty() && e.args[0] ? Shorten(ast::ToSource(*e.args[0]), 80) : "?");
        d.scope = e.span;
        d.ns = fmt::format("local:{}:{}:{}", e.span.file, e.span.line, e.span.col);
        int id = Add(std::move(d));
        locals_.emplace_back(e.name, id);
        for (size_t i = 1; i < e.args.size(); ++i) Exprs(e.args[i]);
        locals_.pop_back();
        return;
      }
      case ExprKind::kWorkingDays:  // `N working days of CAL after E`: the calendar's name, when written
        if (!e.name.empty() && e.calendar >= 0 && e.calendar < static_cast<int>(p_.calendars.size())) {
          Ref(FindName(e.span, e.name), BySpan(p_.calendars[e.calendar]->span));
        }
        break;
      case ExprKind::kRecord:
        for (size_t i = 0; i < e.field_names.size() && i < e.field_spans.size(); ++i) {
          Ref(e.field_spans[i], FieldByName(e.type, e.field_names[i]));
        }
        break;
      case ExprKind::kMatch: {
        const Type* subject = !e.args.empty() && e.args[0] ? e.args[0]->type : nullptr;
        if (subject && subject->kind == TypeKind::kOptional) subject = subject->elem;
        if (subject && subject->kind == TypeKind::kEnum) {
          const EnumInfo& info = t_.enum_info(subject->index);
          for (const ast::MatchArm& arm : e.arms) {
            for (size_t i = 0; i < arm.patterns.size() && i < arm.pattern_spans.size(); ++i) {
              Ref(arm.pattern_spans[i], EnumValue(subject->index, info.Find(arm.patterns[i])));
            }
          }
        }
        break;
      }
      default: break;
    }
    for (const auto& a : e.args) Exprs(a);
    for (const ast::MatchArm& arm : e.arms) Exprs(arm.body);
  }

  // Adds the parameters of a function or table as locals (and declarations).
  void Parameters(const std::vector<ast::TypedName>& params, const std::vector<const Type*>& types, int owner,
                  const Span& scope) {
    for (size_t i = 0; i < params.size(); ++i) {
      TypeRefs(params[i].type.get());
      Declaration d = Decl(SymbolKind::kParameter, params[i].name, params[i].span);
      d.type = i < types.size() ? types[i] : nullptr;
      d.signature = fmt::format("{}: {}  // parameter of `{}`", params[i].name, TypeName(d.type),
                                owner >= 0 ? ix_.decls_[owner].name : "?");
      d.parent = owner;
      d.scope = scope;
      d.ns = fmt::format("local:{}", owner);
      locals_.emplace_back(params[i].name, Add(std::move(d)));
    }
  }

  void Cite(const ast::Citation& c) {
    if (c.law >= 0 && c.paragraph >= 0) ix_.law_refs_.push_back(LawReference{c.span, c.law, c.paragraph});
  }

  // A path of field names (`call.kept_for`, `missing incident.found_on`) from the input record.
  void Path(const std::vector<std::string>& path, const Span& span) {
    int record = p_.input_record;
    int line = span.line, col = span.col;
    for (const std::string& name : path) {
      Span at = FindName(span, name, line, col);
      int d = FieldByName(record, name);
      Ref(at, d);
      if (d < 0 || !at.valid()) return;
      record = RecordIndex(ix_.decls_[d].type);
      line = at.line;
      col = at.end_col;
    }
  }

  // Each `import` line to the module it loaded, each `law` line to its document's file.
  void Files(const ast::Module& m) {
    std::filesystem::path dir = std::filesystem::path(sm_.file(m.file).path).parent_path();
    for (const ast::Import& imp : m.imports) {
      int id = sm_.Find((dir / imp.path).lexically_normal().string());
      if (id >= 0) ix_.file_refs_.push_back(FileReference{imp.span, id});
    }
    for (const ast::LawSource& src : m.laws) {
      if (src.law >= 0 && src.law < static_cast<int>(p_.laws.size()) && p_.laws[src.law].span.valid()) {
        ix_.file_refs_.push_back(FileReference{src.span, p_.laws[src.law].span.file});
      }
    }
  }

  void Bodies(const ast::Module& m) {
    bool main = &m == &p_.main();
    Files(m);
    auto field_bodies = [&](const std::vector<ast::FieldDecl>& fields) {
      for (const ast::FieldDecl& f : fields) {
        TypeRefs(f.type.get());
        for (const ast::FieldCheck& c : f.checks) {
          Exprs(c.lo);
          Exprs(c.hi);
        }
        Exprs(f.dflt);
      }
    };
    for (const ast::RecordDecl& r : m.records) field_bodies(r.fields);
    if (main && !m.inputs.empty()) field_bodies(m.inputs[0].fields);
    for (const ast::ParamDecl& pd : m.params) {
      int decl = BySpan(pd.span);
      if (decl < 0) {  // a later version of a param: a use of its name
        for (const ParamSymbol& ps : p_.params) {
          if (ps.versions.size() > 1 && ps.name == pd.name) Ref(pd.span, BySpan(ps.versions[0]->span));
        }
      }
      TypeRefs(pd.type.get());
      Exprs(pd.value);
      if (pd.citation) Cite(*pd.citation);
    }
    for (const ast::FunctionDecl& f : m.functions) {
      int owner = BySpan(f.span);
      std::vector<const Type*> types;
      for (const FunctionSymbol& fs : p_.functions) {
        if (fs.decl == &f) types = fs.params;
      }
      Parameters(f.params, types, owner, f.body ? f.span.To(f.body->span) : f.span);
      TypeRefs(f.result.get());
      Exprs(f.body);
      locals_.clear();
    }
    for (const ast::TableDecl& t : m.tables) {
      int owner = BySpan(t.span);
      std::vector<const Type*> types;
      for (const TableSymbol& ts : p_.tables) {
        if (ts.decl == &t) types = ts.params;
      }
      Span end = t.default_span.valid() ? t.default_span : !t.rows.empty() ? t.rows.back().span : t.span;
      Parameters(t.params, types, owner, t.span.To(end));
      TypeRefs(t.result.get());
      for (const ast::TableRow& row : t.rows) {
        for (const ast::Cell& c : row.cells) {
          for (const auto& v : c.values) Exprs(v);
        }
        Exprs(row.result);
      }
      Exprs(t.default_result);
      if (t.citation) Cite(*t.citation);
      locals_.clear();
    }
    for (const ast::NotEncoded& n : m.not_encoded) {
      for (size_t i = 0; i < n.id_spans.size() && i < n.paragraphs.size(); ++i) {
        if (n.law >= 0 && n.paragraphs[i] >= 0) {
          ix_.law_refs_.push_back(LawReference{n.id_spans[i], n.law, n.paragraphs[i]});
        }
      }
    }
    if (!main) return;
    for (const ast::LetDecl& l : m.lets) {
      TypeRefs(l.type.get());
      Exprs(l.value);
    }
    for (const ast::OutputDecl& o : m.outputs) TypeRefs(o.type.get());
    for (const ast::ScopeDecl& sc : m.scopes) {
      Exprs(sc.collection);
      Exprs(sc.key);
      Exprs(sc.law);
    }
    if (m.law) Exprs(m.law);
    auto by_kind = [&](const std::string& name, SymbolKind kind) {
      int d = Global(name);
      return d >= 0 && ix_.decls_[d].kind == kind ? d : -1;
    };
    for (const ast::RuleDecl& r : m.rules) {
      for (const ast::NameRef& n : r.exception_to) Ref(n.span, by_kind(n.name, SymbolKind::kRule));
      if (r.target) Ref(r.target->span, by_kind(r.target->name, SymbolKind::kOutput));
      Exprs(r.when);
      Exprs(r.value);
      for (const ast::Citation& c : r.citations) Cite(c);
    }
    for (const ast::ObligationDecl& o : m.obligations) {
      for (const ast::NameRef& n : o.exception_to) Ref(n.span, by_kind(n.name, SymbolKind::kObligation));
      for (const ast::ExprPtr* x : {&o.when, &o.deadline, &o.deadline_after, &o.every, &o.every_from,
                                    &o.not_before, &o.retain_until, &o.retain_after, &o.done_at, &o.deleted_at,
                                    &o.overdue, &o.violated}) {
        Exprs(*x);
      }
      for (const ast::Citation& c : o.citations) Cite(c);
    }
    for (const ast::TestDecl& t : m.tests) {
      for (const ast::TestGiven& g : t.givens) {
        Path(g.path, g.span);
        Exprs(g.value);
      }
      for (const ast::TestSet& s : t.sets) {
        Ref(s.span, by_kind(s.name, SymbolKind::kParam));
        Exprs(s.value);
      }
      for (const ast::TestExpect& x : t.expects) {
        if (x.kind == ast::TestExpect::Kind::kValue) {
          int d = by_kind(x.name, SymbolKind::kOutput);
          Ref(x.span, d >= 0 ? d : by_kind(x.name, SymbolKind::kLet));
        } else if (x.kind != ast::TestExpect::Kind::kError) {
          Ref(x.span, by_kind(x.name, SymbolKind::kObligation));
        }
        Exprs(x.item);
        Exprs(x.value);
        Exprs(x.deadline);
        if (x.missing) {
          for (size_t i = 0; i < x.missing->size() && i < x.missing_spans.size(); ++i) {
            Path((*x.missing)[i], x.missing_spans[i]);
          }
        }
      }
    }
  }

  Index& ix_;
  const CheckedProgram& p_;
  const SourceManager& sm_;
  const TypeTable& t_;
  std::map<Key, int> by_span_;
  std::map<std::string, int> global_;
  std::map<std::string, int> types_;                 // enum and record names
  std::map<int, int> enum_decl_;                     // enum type index -> declaration
  std::map<int, std::vector<int>> enum_values_;      // enum declaration -> its values' declarations
  std::vector<int> scope_decl_;                      // CheckedProgram::scopes -> the element's declaration
  std::vector<std::pair<std::string, int>> locals_;  // parameters and quantifier variables in scope
};

std::unique_ptr<Index> Index::Build(std::shared_ptr<const FrontEnd> fe) {
  auto ix = std::unique_ptr<Index>(new Index());
  ix->fe_ = std::move(fe);
  if (!ix->fe_ || !ix->fe_->program) return ix;
  IndexBuilder(*ix).Run();
  return ix;
}

int Index::DeclAt(int file, int line, int col, Span* span) const {
  int best = -1;
  Span found;
  auto consider = [&](const Span& s, int decl) {
    if (s.file != file || !Contains(s, line, col)) return;
    // The narrowest span wins (a name inside a longer one); on a tie, the one starting at the cursor.
    if (best < 0 || (s.end_col - s.col) < (found.end_col - found.col) || (s.col == col && found.col != col)) {
      best = decl;
      found = s;
    }
  };
  for (size_t i = 0; i < decls_.size(); ++i) consider(decls_[i].span, static_cast<int>(i));
  for (const Reference& r : refs_) consider(r.span, r.decl);
  if (span && best >= 0) *span = found;
  return best;
}

const LawReference* Index::LawAt(int file, int line, int col) const {
  for (const LawReference& r : law_refs_) {
    if (r.span.file == file && Contains(r.span, line, col)) return &r;
  }
  return nullptr;
}

const FileReference* Index::FileAt(int file, int line, int col) const {
  for (const FileReference& r : file_refs_) {
    if (r.span.file == file && Contains(r.span, line, col)) return &r;
  }
  return nullptr;
}

std::vector<Span> Index::Occurrences(int decl, bool include_declaration) const {
  std::vector<Span> out;
  if (decl < 0 || decl >= static_cast<int>(decls_.size())) return out;
  if (include_declaration) out.push_back(decls_[decl].span);
  for (const Reference& r : refs_) {
    if (r.decl == decl) out.push_back(r.span);
  }
  return out;
}

}  // namespace proviso::lsp
