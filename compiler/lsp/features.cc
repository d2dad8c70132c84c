// Hover, definition, references, highlights, document symbols, completion and rename over the index.
#include "compiler/lsp/features.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "compiler/check/checker.h"
#include "compiler/parser/vocabulary.h"

namespace proviso::lsp {
namespace {

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The declaration's file text and path.
const SourceFile& FileOf(const Index& ix, const Span& s) { return ix.front_end().sources.file(s.file); }

json RangeJson(const Range& r) {
  return {{"start", {{"line", r.start.line}, {"character", r.start.character}}},
          {"end", {{"line", r.end.line}, {"character", r.end.character}}}};
}
json SpanRange(const Index& ix, const Span& s) { return RangeJson(ToRange(FileOf(ix, s).text, s)); }
json Location(const Index& ix, const Span& s) {
  return {{"uri", PathToUri(FileOf(ix, s).path)}, {"range", SpanRange(ix, s)}};
}

// The document's file in its index and the 1-based (line, col) of `pos` in the text it was compiled from.
bool Locate(const DocumentView& doc, Position pos, int* file, int* line, int* col) {
  if (!doc.index) return false;
  *file = doc.index->FileId(doc.path);
  if (*file < 0) return false;
  FromPosition(doc.index->front_end().sources.file(*file).text, pos, line, col);
  return true;
}

int DeclAtPos(const DocumentView& doc, Position pos, Span* found = nullptr) {
  int file, line, col;
  if (!Locate(doc, pos, &file, &line, &col)) return -1;
  return doc.index->DeclAt(file, line, col, found);
}

const LawReference* LawAtPos(const DocumentView& doc, Position pos) {
  int file, line, col;
  if (!Locate(doc, pos, &file, &line, &col)) return nullptr;
  return doc.index->LawAt(file, line, col);
}

int LspSymbolKind(SymbolKind k) {
  switch (k) {
    case SymbolKind::kEnum: return 10;
    case SymbolKind::kEnumValue: return 22;
    case SymbolKind::kRecord: return 23;
    case SymbolKind::kField: case SymbolKind::kInputField: return 8;
    case SymbolKind::kParam: return 14;
    case SymbolKind::kLet: case SymbolKind::kVariable: case SymbolKind::kItem: case SymbolKind::kParameter: return 13;
    case SymbolKind::kFunction: case SymbolKind::kTable: return 12;
    case SymbolKind::kOutput: return 7;
    case SymbolKind::kRule: return 24;
    case SymbolKind::kObligation: return 11;
    case SymbolKind::kTest: return 6;
    case SymbolKind::kCalendar: return 19;
  }
  return 13;
}

int CompletionKind(SymbolKind k) {
  switch (k) {
    case SymbolKind::kEnum: return 13;
    case SymbolKind::kEnumValue: return 20;
    case SymbolKind::kRecord: return 22;
    case SymbolKind::kField: case SymbolKind::kInputField: return 5;
    case SymbolKind::kParam: return 21;
    case SymbolKind::kFunction: case SymbolKind::kTable: return 3;
    case SymbolKind::kOutput: return 10;
    case SymbolKind::kRule: case SymbolKind::kObligation: return 23;
    case SymbolKind::kCalendar: return 9;
    default: return 6;
  }
}

// Completion lists the closest first: locals, values of the policy, enum values, types and calendars,
// then builtins and keywords.
std::string SortText(SymbolKind k, const std::string& name) {
  char group = '1';
  switch (k) {
    case SymbolKind::kVariable: case SymbolKind::kParameter: case SymbolKind::kItem: group = '0'; break;
    case SymbolKind::kEnumValue: group = '2'; break;
    case SymbolKind::kEnum: case SymbolKind::kRecord: case SymbolKind::kCalendar: group = '3'; break;
    default: break;
  }
  return std::string(1, group) + name;
}

json CompletionItem(const Declaration& d) {
  json item = {{"label", d.name}, {"kind", CompletionKind(d.kind)}, {"detail", d.signature},
               {"sortText", SortText(d.kind, d.name)}};
  if (!d.doc.empty()) item["documentation"] = {{"kind", "markdown"}, {"value", d.doc}};
  return item;
}

// A call of a builtin function (`months_between(a, b)`): there is no declaration to show, but its name.
json BuiltinHover(const DocumentView& doc, Position pos) {
  int file, line, col;
  if (!Locate(doc, pos, &file, &line, &col)) return nullptr;
  std::string_view text = doc.index->front_end().sources.file(file).Line(line);
  size_t at = 0;  // the byte of code-point column `col`
  for (int c = 1; c < col && at < text.size(); ++c) {
    ++at;
    while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
  }
  size_t b = at, e = at;
  while (b > 0 && IsIdentChar(text[b - 1])) --b;
  while (e < text.size() && IsIdentChar(text[e])) ++e;
  size_t paren = text.find_first_not_of(" \t", e);
  if (b == e || paren == std::string_view::npos || text[paren] != '(') return nullptr;
  std::string word(text.substr(b, e - b));
  std::vector<std::string> builtins = BuiltinNames();
  if (!std::binary_search(builtins.begin(), builtins.end(), word)) return nullptr;
  Range r;
  r.start = Position{pos.line, pos.character - Utf16Column(text.substr(b, at - b), static_cast<int>(at - b))};
  r.end = Position{pos.line, r.start.character + static_cast<int>(e - b)};
  return {{"contents", {{"kind", "markdown"}, {"value", fmt::format("```proviso\n{}(...)\n```\n*builtin function* "
                                                                    "(docs/language.md, Builtins)", word)}}},
          {"range", RangeJson(r)}};
}

}  // namespace

// ---------------------------------------------------------------- URIs

std::string PathToUri(const std::string& path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out = "file://";
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> UriToPath(const std::string& uri) {
  const std::string scheme = "file://";
  if (uri.compare(0, scheme.size(), scheme) != 0) return std::nullopt;
  std::string rest = uri.substr(scheme.size());
  size_t slash = rest.find('/');  // `file://host/path`: the authority is dropped (it is empty or localhost)
  if (slash == std::string::npos) return std::nullopt;
  rest = rest.substr(slash);
  std::string out;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && std::isxdigit(static_cast<unsigned char>(rest[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(rest[i + 2]))) {
      out += static_cast<char>(std::stoi(rest.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += rest[i];
    }
  }
  return out;
}

// ---------------------------------------------------------------- hover, definition, references

json Hover(const DocumentView& doc, Position pos) {
  if (const LawReference* r = LawAtPos(doc, pos)) {
    const law::Document& law = doc.index->program().laws[r->law];
    const law::Paragraph& para = law.paragraphs[r->paragraph];
    std::string text = fmt::format("**{}** `[{}]`{}\n\n", law.title.empty() ? law.name : law.title, para.id,
                                   para.informative ? " (informative)" : "");
    for (std::string_view rest = para.text; !rest.empty();) {
      size_t nl = rest.find('\n');
      text += "> " + std::string(rest.substr(0, nl)) + "\n";
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
    return {{"contents", {{"kind", "markdown"}, {"value", text}}}, {"range", SpanRange(*doc.index, r->span)}};
  }
  Span at;
  int d = DeclAtPos(doc, pos, &at);
  if (d < 0) return BuiltinHover(doc, pos);
  const Declaration& decl = doc.index->decls()[d];
  std::string text = fmt::format("```proviso\n{}\n```\n*{}*", decl.signature, KindName(decl.kind));
  std::string type = decl.type ? doc.index->program().types.Name(decl.type) : decl.type_text;
  if (!type.empty()) text += fmt::format(" of type `{}`", type);
  if (!decl.doc.empty()) text += "\n\n---\n\n" + decl.doc;
  return {{"contents", {{"kind", "markdown"}, {"value", text}}}, {"range", SpanRange(*doc.index, at)}};
}

json Definition(const DocumentView& doc, Position pos) {
  if (const LawReference* r = LawAtPos(doc, pos)) {
    const law::Paragraph& para = doc.index->program().laws[r->law].paragraphs[r->paragraph];
    if (para.span.valid()) return Location(*doc.index, para.span);
  }
  int d = DeclAtPos(doc, pos);
  if (d >= 0) return Location(*doc.index, doc.index->decls()[d].span);
  int file, line, col;
  if (Locate(doc, pos, &file, &line, &col)) {
    if (const FileReference* f = doc.index->FileAt(file, line, col)) {  // `import "..."`, `law "..."`
      return json{{"uri", PathToUri(doc.index->front_end().sources.file(f->file).path)},
                  {"range", RangeJson(Range{})}};
    }
  }
  return nullptr;
}

namespace {

// Every place that names declaration `d` of `doc` (a location JSON each, once), in `doc` and in the other
// open documents whose compilation holds the same declaration (a library and the policies that import
// it). A file that is open is read from its own document's compilation only (the others read it from
// disk, which may be older).
std::vector<json> AllOccurrences(const DocumentView& doc, int d, bool include_declaration,
                                 const std::vector<DocumentView>& open) {
  std::vector<json> out;
  std::set<std::string> seen;
  auto add_from = [&](const DocumentView& view, int decl) {
    const Index& ix = *view.index;
    for (const Span& s : ix.Occurrences(decl, include_declaration)) {
      const std::string& path = FileOf(ix, s).path;
      bool owned_elsewhere = path != view.path && std::any_of(open.begin(), open.end(), [&](const DocumentView& o) {
        return o.index && o.path == path;
      });
      if (owned_elsewhere) continue;
      json loc = Location(ix, s);
      if (seen.insert(loc.dump()).second) out.push_back(std::move(loc));
    }
  };
  add_from(doc, d);
  const Declaration& decl = doc.index->decls()[d];
  const std::string& path = FileOf(*doc.index, decl.span).path;
  for (const DocumentView& o : open) {
    if (!o.index || o.index == doc.index || o.path == doc.path) continue;
    int file = o.index->FileId(path);
    if (file < 0) continue;
    const auto& decls = o.index->decls();
    for (size_t i = 0; i < decls.size(); ++i) {
      const Declaration& x = decls[i];
      if (x.span.file == file && x.span.line == decl.span.line && x.span.col == decl.span.col && x.name == decl.name) {
        add_from(o, static_cast<int>(i));
        break;
      }
    }
  }
  return out;
}

}  // namespace

json References(const DocumentView& doc, Position pos, bool include_declaration, const std::vector<DocumentView>& open) {
  int d = DeclAtPos(doc, pos);
  if (d < 0) return nullptr;
  json out = json::array();
  for (json& loc : AllOccurrences(doc, d, include_declaration, open)) out.push_back(std::move(loc));
  return out;
}

json DocumentHighlight(const DocumentView& doc, Position pos) {
  int d = DeclAtPos(doc, pos);
  if (d < 0) return nullptr;
  int file = doc.index->FileId(doc.path);
  json out = json::array();
  for (const Span& s : doc.index->Occurrences(d, true)) {
    if (s.file == file) out.push_back({{"range", SpanRange(*doc.index, s)}, {"kind", 1}});
  }
  return out;
}

// ---------------------------------------------------------------- document symbols

json DocumentSymbols(const DocumentView& doc) {
  json out = json::array();
  if (!doc.index) return out;
  const Index& ix = *doc.index;
  int file = ix.FileId(doc.path);
  const auto& decls = ix.decls();
  auto symbol = [&](const Declaration& d) {
    json range = SpanRange(ix, d.span);
    std::string detail = d.type ? ix.program().types.Name(d.type) : KindName(d.kind);
    return json{{"name", d.name.empty() ? "\"\"" : d.name}, {"detail", detail}, {"kind", LspSymbolKind(d.kind)},
                {"range", range}, {"selectionRange", range}, {"children", json::array()}};
  };
  std::map<int, size_t> position;  // declaration -> its entry in `out`
  json input;                      // the input block, holding its fields
  for (size_t i = 0; i < decls.size(); ++i) {
    const Declaration& d = decls[i];
    if (d.span.file != file) continue;
    switch (d.kind) {
      case SymbolKind::kVariable: case SymbolKind::kParameter: case SymbolKind::kItem:
        continue;  // locals are not part of the outline
      case SymbolKind::kField: case SymbolKind::kEnumValue: {
        auto parent = position.find(d.parent);
        if (parent != position.end()) {
          json& p = out[parent->second];
          p["children"].push_back(symbol(d));
          p["range"]["end"] = SpanRange(ix, d.span)["end"];  // the parent's range holds its children
        }
        continue;
      }
      case SymbolKind::kInputField:
        if (input.is_null()) {
          input = symbol(d);
          input["name"] = "input";
          input["detail"] = "the facts";
          input["kind"] = 23;
        }
        input["children"].push_back(symbol(d));
        input["range"]["end"] = SpanRange(ix, d.span)["end"];
        continue;
      default:
        position[static_cast<int>(i)] = out.size();
        out.push_back(symbol(d));
    }
  }
  if (!input.is_null()) out.push_back(input);
  std::stable_sort(out.begin(), out.end(), [](const json& a, const json& b) {
    return std::make_tuple(a["range"]["start"]["line"].get<int>(), a["range"]["start"]["character"].get<int>()) <
           std::make_tuple(b["range"]["start"]["line"].get<int>(), b["range"]["start"]["character"].get<int>());
  });
  return out;
}

// ---------------------------------------------------------------- completion

json Completion(const DocumentView& doc, Position pos) {
  std::vector<std::string_view> lines = SplitLines(doc.text);
  std::string_view line = pos.line >= 0 && pos.line < static_cast<int>(lines.size()) ? lines[pos.line] : "";
  std::string_view before = line.substr(0, ByteColumn(line, pos.character));
  size_t p = before.size();
  while (p > 0 && IsIdentChar(before[p - 1])) --p;
  std::vector<std::string> chain;  // `a.b.` before the word being typed: {"a", "b"}
  for (size_t q = p; q > 0 && before[q - 1] == '.';) {
    size_t end = q - 1, start = end;
    while (start > 0 && IsIdentChar(before[start - 1])) --start;
    if (start == end) break;
    chain.insert(chain.begin(), std::string(before.substr(start, end - start)));
    q = start;
  }
  bool after_dot = p > 0 && before[p - 1] == '.';
  json items = json::array();
  std::set<std::string> seen;
  auto add = [&](json item) {
    std::string key = item["label"].get<std::string>() + "\x1f" + std::to_string(item["kind"].get<int>());
    if (seen.insert(key).second) items.push_back(std::move(item));
  };
  const Index* ix = doc.index.get();
  int file = ix ? ix->FileId(doc.path) : -1;
  int line1 = pos.line + 1, col1 = CodePointColumn(line, pos.character) + 1;
  auto visible = [&](const Declaration& d) {
    if (d.kind != SymbolKind::kVariable && d.kind != SymbolKind::kParameter && d.kind != SymbolKind::kItem) return true;
    return d.scope.file == file && Contains(d.scope, line1, col1);
  };
  if (after_dot) {
    if (!ix || chain.empty()) return {{"isIncomplete", false}, {"items", items}};
    const auto& decls = ix->decls();
    const TypeTable& types = ix->program().types;
    // The head of the chain: a local in scope, else a global value; failing both, `Enum.` lists its values.
    int head = -1;
    for (size_t i = 0; i < decls.size(); ++i) {
      const Declaration& d = decls[i];
      if (d.name != chain[0]) continue;
      bool local = d.kind == SymbolKind::kVariable || d.kind == SymbolKind::kParameter || d.kind == SymbolKind::kItem;
      if (local && visible(d)) {
        head = static_cast<int>(i);
        break;
      }
      if (!local && d.ns == "global" && head < 0) head = static_cast<int>(i);
    }
    bool found = head >= 0;
    const Type* cur = found ? decls[head].type : nullptr;
    if (!found && chain.size() == 1) {
      for (size_t i = 0; i < decls.size(); ++i) {
        if (decls[i].kind != SymbolKind::kEnum || decls[i].name != chain[0]) continue;
        for (const Declaration& v : decls) {
          if (v.kind == SymbolKind::kEnumValue && v.parent == static_cast<int>(i)) add(CompletionItem(v));
        }
      }
      return {{"isIncomplete", false}, {"items", items}};
    }
    for (size_t i = 1; i < chain.size() && cur; ++i) {
      if (cur->kind == TypeKind::kOptional) cur = cur->elem;
      if (cur->kind != TypeKind::kRecord) {
        cur = nullptr;
        break;
      }
      const RecordInfo& r = types.record_info(cur->index);
      int f = r.Find(chain[i]);
      cur = f < 0 ? nullptr : r.fields[f].type;
    }
    if (cur && cur->kind == TypeKind::kOptional) cur = cur->elem;
    if (cur && cur->kind == TypeKind::kRecord) {
      for (const FieldInfo& f : types.record_info(cur->index).fields) {
        json item = {{"label", f.name}, {"kind", 5}, {"detail", types.Name(f.type)}};
        for (const Declaration& d : decls) {
          if (d.span.file == f.span.file && d.span.line == f.span.line && d.span.col == f.span.col && !d.doc.empty()) {
            item["documentation"] = {{"kind", "markdown"}, {"value", d.doc}};
          }
        }
        add(item);
      }
    }
    return {{"isIncomplete", false}, {"items", items}};
  }
  if (ix) {
    for (const Declaration& d : ix->decls()) {
      if (d.kind == SymbolKind::kTest || d.kind == SymbolKind::kField || !visible(d)) continue;
      add(CompletionItem(d));
    }
  }
  for (const std::string& b : BuiltinNames()) {
    add({{"label", b}, {"kind", 3}, {"detail", "builtin function"}, {"sortText", "4" + b}});
  }
  for (const std::string& k : Keywords()) add({{"label", k}, {"kind", 14}, {"sortText", "5" + k}});
  return {{"isIncomplete", false}, {"items", items}};
}

// ---------------------------------------------------------------- quick fixes

json QuickFix(const Diagnostic& d, const SourceFile& file) {
  const std::string cue = "did you mean `";
  size_t at = d.help.find(cue);
  if (at == std::string::npos || !d.span.valid() || d.span.line != d.span.end_line) return nullptr;
  size_t end = d.help.find('`', at + cue.size());
  size_t last = d.message.rfind('`');
  size_t first = last == std::string::npos || last == 0 ? std::string::npos : d.message.rfind('`', last - 1);
  if (end == std::string::npos || first == std::string::npos) return nullptr;
  std::string suggestion = d.help.substr(at + cue.size(), end - at - cue.size());
  std::string name = d.message.substr(first + 1, last - first - 1);
  bool ident = !name.empty() && std::all_of(name.begin(), name.end(), IsIdentChar) && !suggestion.empty() &&
               std::all_of(suggestion.begin(), suggestion.end(), IsIdentChar);
  if (!ident) return nullptr;
  // The span's text (`person.agee`, `fo(x)`, `agee`): the misspelt name is at its end or its start.
  std::string_view line = file.Line(d.span.line);
  size_t b = 0;
  for (int c = 1; c < d.span.col && b < line.size(); ++c) {
    ++b;
    while (b < line.size() && (static_cast<unsigned char>(line[b]) & 0xC0) == 0x80) ++b;
  }
  size_t e = b;
  for (int c = d.span.col; c < d.span.end_col && e < line.size(); ++c) {
    ++e;
    while (e < line.size() && (static_cast<unsigned char>(line[e]) & 0xC0) == 0x80) ++e;
  }
  std::string_view text = line.substr(b, e - b);
  int len = static_cast<int>(name.size());
  Span where = d.span;
  if (text.size() >= name.size() && text.substr(text.size() - name.size()) == name &&
      (text.size() == name.size() || !IsIdentChar(text[text.size() - name.size() - 1]))) {
    where.col = d.span.end_col - len;
  } else if (text.substr(0, name.size()) == name && (text.size() == name.size() || !IsIdentChar(text[name.size()]))) {
    where.end_col = d.span.col + len;
  } else {
    return nullptr;
  }
  return {{"range", RangeJson(ToRange(file.text, where))}, {"newText", suggestion}, {"name", name}};
}

json CodeActions(const json& params) {
  json out = json::array();
  const std::string uri = params.at("textDocument").at("uri").get<std::string>();
  for (const json& d : params.at("context").at("diagnostics")) {
    if (!d.is_object() || !d.contains("data") || !d["data"].is_object() || !d["data"].contains("fix")) continue;
    const json& fix = d["data"]["fix"];
    std::string title = fmt::format("change `{}` to `{}`", fix.value("name", ""), fix.at("newText").get<std::string>());
    json edit = {{"range", fix.at("range")}, {"newText", fix.at("newText")}};
    out.push_back({{"title", title},
                   {"kind", "quickfix"},
                   {"isPreferred", true},
                   {"diagnostics", json::array({d})},
                   {"edit", {{"changes", {{uri, json::array({edit})}}}}}});
  }
  return out;
}

// ---------------------------------------------------------------- rename

json PrepareRename(const DocumentView& doc, Position pos) {
  Span at;
  int d = DeclAtPos(doc, pos, &at);
  if (d < 0 || doc.index->decls()[d].kind == SymbolKind::kTest) return nullptr;
  return {{"range", SpanRange(*doc.index, at)}, {"placeholder", doc.index->decls()[d].name}};
}

std::optional<json> Rename(const DocumentView& doc, Position pos, const std::string& new_name, std::string* error,
                           const std::vector<DocumentView>& open) {
  int d = DeclAtPos(doc, pos);
  if (d < 0) {
    *error = "there is no name to rename here";
    return std::nullopt;
  }
  const auto& decls = doc.index->decls();
  const Declaration& decl = decls[d];
  if (decl.kind == SymbolKind::kTest) {
    *error = "a test's name is text: edit it in place";
    return std::nullopt;
  }
  bool ident = !new_name.empty() && !std::isdigit(static_cast<unsigned char>(new_name[0])) &&
               std::all_of(new_name.begin(), new_name.end(), [](char c) { return IsIdentChar(c); });
  if (!ident) {
    *error = fmt::format("`{}` is not a name: a name is letters, digits and `_`, not starting with a digit", new_name);
    return std::nullopt;
  }
  const auto& kw = Keywords();
  if (std::binary_search(kw.begin(), kw.end(), new_name)) {
    *error = fmt::format("`{}` is a keyword", new_name);
    return std::nullopt;
  }
  // A clash: the same namespace, or (for values and locals) any value or local of that name, which
  // would hide it or be hidden by it.
  auto value_like = [](const Declaration& x) {
    return x.ns == "global" || x.ns.rfind("local:", 0) == 0;
  };
  for (const Declaration& other : decls) {
    if (other.name != new_name || &other == &decl) continue;
    if (other.ns == decl.ns || (value_like(decl) && value_like(other))) {
      *error = fmt::format("`{}` is already declared ({} at {}:{})", new_name, KindName(other.kind),
                           FileOf(*doc.index, other.span).path, other.span.line);
      return std::nullopt;
    }
  }
  json changes = json::object();
  for (const json& loc : AllOccurrences(doc, d, true, open)) {
    changes[loc["uri"].get<std::string>()].push_back({{"range", loc["range"]}, {"newText", new_name}});
  }
  return json{{"changes", changes}};
}

}  // namespace proviso::lsp
