#include "compiler/driver/driver.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "compiler/law/law.h"
#include "compiler/parser/parser.h"

namespace proviso {
namespace {

namespace fs = std::filesystem;

// " (exception to `a`, `b`)" for a rule or obligation with parents, else "".
template <typename NameOf>
std::string ExceptionTo(const std::vector<int>& parents, NameOf name_of) {
  std::string out;
  for (size_t i = 0; i < parents.size(); ++i) out += (i ? ", " : " (exception to ") + name_of(parents[i]);
  return parents.empty() ? out : out + ")";
}

// The file that `written` (relative to `dir`) names, if the policy may read it: under `root`, with the
// `extension` of its kind; else the reason for E0006 (nothing of the file is read). `key` is its
// canonical path (each file is loaded once).
std::optional<std::string> Refusal(const fs::path& dir, const std::string& written, const fs::path& root,
                                   const char* extension, fs::path& target, std::string& key) {
  target = (dir / written).lexically_normal();
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(target, ec);
  key = ec ? target.string() : canonical.string();
  if (target.extension() != extension) {
    return fmt::format("only `{}` files can be {}", extension, std::string(extension) == ".law" ? "cited" : "imported");
  }
  fs::path resolved = ec ? fs::absolute(target, ec).lexically_normal() : canonical;
  auto [r, t] = std::mismatch(root.begin(), root.end(), resolved.begin(), resolved.end());
  if (r != root.end()) {
    return fmt::format("it is outside the import root `{}`", root.string());
  }
  return std::nullopt;
}

void RefuseAt(FrontEnd& fe, Span span, const std::string& what, const std::string& written, const std::string& why) {
  Diagnostic& d = fe.diags.Error("E0006", span, fmt::format("cannot {} `{}`: {}", what, written, why));
  d.help = "a policy reads only `.proviso` and `.law` files under its import root: its own folder, or the "
           "nearest folder above holding a `.proviso-root` file, or the root given (`--root DIR`)";
}

// Loads `target`, which the file wrote as `written` (`what`: "import", "read the law"): its id, or -1
// after reporting why not (E0006).
int LoadReferenced(FrontEnd& fe, Span span, const char* what, const std::string& written, const fs::path& target) {
  std::string error;
  int id = fe.sources.Load(target.string(), &error);
  if (id >= 0) return id;
  Diagnostic& d = fe.diags.Error("E0006", span, fmt::format("cannot {} `{}`: {}", what, written, error));
  std::error_code ec;
  if (!fs::exists(target, ec) || fs::is_directory(target, ec)) {  // a path mistake, not a bad file
    d.help = fmt::format("the path is relative to this file's folder: looked for `{}`", target.string());
  }
  return -1;
}

// Parses `file` and, depth first, every file it imports (each once, so import cycles are harmless).
void ParseWithImports(FrontEnd& fe, int file, std::vector<std::unique_ptr<ast::Module>>& modules,
                      std::set<std::string>& loaded, const fs::path& root) {
  std::unique_ptr<ast::Module> m = Parse(fe.sources, file, fe.diags);
  if (!m) return;
  fs::path dir = fs::path(fe.sources.file(file).path).parent_path();
  std::vector<ast::Import> imports = m->imports;
  modules.push_back(std::move(m));
  for (const ast::Import& imp : imports) {
    fs::path target;
    std::string key;
    if (auto why = Refusal(dir, imp.path, root, ".proviso", target, key)) {
      RefuseAt(fe, imp.span, "import", imp.path, *why);
      continue;
    }
    if (!loaded.insert(key).second) continue;
    int id = LoadReferenced(fe, imp.span, "import", imp.path, target);
    if (id >= 0) ParseWithImports(fe, id, modules, loaded, root);
  }
}

// Loads the law document of every `law "PATH"` (relative to its file's folder), each file once.
std::vector<law::Document> LoadLaws(FrontEnd& fe, std::vector<std::unique_ptr<ast::Module>>& modules,
                                    const fs::path& root) {
  std::vector<law::Document> laws;
  std::map<std::string, int> by_path;  // canonical path -> index in `laws`, or -1 when it failed
  for (auto& m : modules) {
    fs::path dir = fs::path(fe.sources.file(m->file).path).parent_path();
    for (ast::LawSource& src : m->laws) {
      fs::path target;
      std::string key;
      if (auto why = Refusal(dir, src.path, root, ".law", target, key)) {
        RefuseAt(fe, src.span, "read the law", src.path, *why);
        continue;
      }
      auto known = by_path.find(key);
      if (known != by_path.end()) {
        src.law = known->second;
        continue;
      }
      int id = LoadReferenced(fe, src.span, "read the law", src.path, target);
      std::optional<law::Document> doc;
      if (id >= 0) doc = law::Parse(fe.sources, id, fe.diags);
      src.law = doc ? static_cast<int>(laws.size()) : -1;
      by_path[key] = src.law;
      if (doc) laws.push_back(std::move(*doc));
    }
  }
  return laws;
}

std::unique_ptr<FrontEnd> Run(std::unique_ptr<FrontEnd> fe, int file, const FrontEndOptions& options) {
  std::vector<std::unique_ptr<ast::Module>> modules;
  std::set<std::string> loaded;
  std::error_code ec;
  const std::string& path = fe->sources.file(file).path;
  loaded.insert(fs::weakly_canonical(path, ec).string());
  fs::path root = fs::weakly_canonical(options.import_root.empty() ? DefaultImportRoot(path) : options.import_root, ec);
  if (ec) root = fs::absolute(options.import_root, ec).lexically_normal();
  ParseWithImports(*fe, file, modules, loaded, root);
  bool main_parsed = !modules.empty() && modules.front()->file == file;
  if (main_parsed) {
    std::vector<law::Document> laws = LoadLaws(*fe, modules, root);
    fe->program = Check(std::move(modules), fe->diags, std::move(laws));
    fe->program->main_path = fe->sources.file(file).path;
  }
  fe->diags.Sort();
  return fe;
}

}  // namespace

std::string DefaultImportRoot(const std::string& policy_path) {
  std::error_code ec;
  fs::path own = fs::absolute(fs::path(policy_path).parent_path(), ec).lexically_normal();
  if (ec) return ".";
  for (fs::path dir = own;; dir = dir.parent_path()) {
    if (fs::is_regular_file(dir / ".proviso-root", ec)) return dir.string();
    if (dir == dir.root_path() || dir.parent_path() == dir) break;
  }
  return own.string();
}

std::unique_ptr<FrontEnd> CompileFile(const std::string& path, const FrontEndOptions& options) {
  auto fe = std::make_unique<FrontEnd>();
  std::string error;
  int id = fe->sources.Load(path, &error);
  if (id < 0) {
    fe->diags.Error("E0005", Span{}, fmt::format("cannot read `{}`: {}", path, error));
    return fe;
  }
  return Run(std::move(fe), id, options);
}

std::unique_ptr<FrontEnd> CompileSource(const std::string& name, const std::string& text, const FrontEndOptions& options) {
  auto fe = std::make_unique<FrontEnd>();
  int id = fe->sources.Add(name, text);
  return Run(std::move(fe), id, options);
}

std::string DumpTyped(const CheckedProgram& p) {
  const TypeTable& t = p.types;
  std::string out = fmt::format("policy {}\n", p.name());
  for (int i = 0; i < t.enum_count(); ++i) {
    const EnumInfo& e = t.enum_info(i);
    out += "enum " + e.name + " =";
    for (size_t v = 0; v < e.variants.size(); ++v) out += fmt::format(" {}:{}", e.variants[v], v);
    out += "\n";
  }
  for (int i = 0; i < t.record_count(); ++i) {
    const RecordInfo& r = t.record_info(i);
    out += "record " + r.name + " {";
    for (const FieldInfo& f : r.fields) {
      out += fmt::format(" {}: {}{};", f.name, t.Name(f.type), f.has_default ? " (default)" : "");
    }
    out += " }\n";
  }
  for (const ParamSymbol& ps : p.params) {
    out += fmt::format("param {}: {} ({} version{})\n", ps.name, ps.type ? t.Name(ps.type) : "?",
                       ps.versions.size(), ps.versions.size() == 1 ? "" : "s");
  }
  for (const LetSymbol& l : p.lets) {
    out += fmt::format("let {}: {} = {}\n", l.decl->name, l.type ? t.Name(l.type) : "?",
                       ast::ToSource(*l.decl->value));
  }
  for (const FunctionSymbol& f : p.functions) {
    std::string params;
    for (size_t i = 0; i < f.params.size(); ++i) params += (i ? ", " : "") + t.Name(f.params[i]);
    out += fmt::format("function {}({}) -> {}\n", f.decl->name, params, t.Name(f.result));
  }
  for (const TableSymbol& tb : p.tables) {
    std::string params;
    for (size_t i = 0; i < tb.params.size(); ++i) params += (i ? ", " : "") + t.Name(tb.params[i]);
    out += fmt::format("table {}({}) -> {} ({} rows)\n", tb.decl->name, params, t.Name(tb.call),
                       tb.decl->rows.size());
  }
  for (const OutputSymbol& o : p.outputs) {
    out += fmt::format("output {}: {}\n", o.decl->name, t.Name(o.type));
    for (int r : o.rules) {
      const ast::RuleDecl& rd = *p.rules[r];
      out += fmt::format("  rule {}{}: when {} then {}\n", rd.name,
                         ExceptionTo(p.rule_parents[r], [&](int q) { return p.rules[q]->name; }),
                         rd.when ? ast::ToSource(*rd.when) : "true", ast::ToSource(*rd.value));
    }
  }
  for (size_t i = 0; i < p.obligations.size(); ++i) {
    const ast::ObligationDecl& o = *p.obligations[i];
    out += fmt::format("obligation {}{}\n", o.name,
                       ExceptionTo(p.obligation_parents[i], [&](int q) { return p.obligations[q]->name; }));
  }
  out += fmt::format("tests {}\n", p.tests.size());
  return out;
}

}  // namespace proviso
