// `proviso fmt`: formats policy files (compiler/format/format.h) and prints, writes, lists or diffs them.
#include "fmt_command.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "compiler/format/format.h"
#include "compiler/source/source.h"
#include "compiler/support/large_stack.h"
#include "compiler/support/read_file.h"

namespace proviso::tools {
namespace {

namespace fs = std::filesystem;

// The files of the paths: a folder stands for every .proviso file below it (hidden folders, such as
// .git, left out), sorted; a file or `-` for itself. Returns false (after saying why) for a path
// that does not exist.
bool Expand(const std::vector<std::string>& paths, std::vector<std::string>& out) {
  bool ok = true;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (p != "-" && fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
      for (; !ec && it != end; it.increment(ec)) {
        const fs::path& path = it->path();
        std::string name = path.filename().string();
        if (it->is_directory(ec) && name.size() > 1 && name[0] == '.') {
          it.disable_recursion_pending();
        } else if (it->is_regular_file(ec) && path.extension() == ".proviso") {
          found.push_back(path.string());
        }
      }
      if (ec) {
        std::cerr << fmt::format("error: cannot list `{}`: {}\n", p, ec.message());
        ok = false;
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (p == "-" || fs::exists(p, ec)) {
      out.push_back(p);
    } else {
      std::cerr << fmt::format("error: `{}`: no such file or folder\n", p);
      ok = false;
    }
  }
  return ok;
}

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    size_t end = nl == std::string::npos ? s.size() : nl + 1;
    lines.push_back(s.substr(start, end - start));
    start = end;
  }
  return lines;
}

// A unified diff (three lines of context) from `a` to `b`, both named `path`.
std::string UnifiedDiff(const std::string& path, const std::string& a, const std::string& b) {
  std::vector<std::string> x = SplitLines(a), y = SplitLines(b);
  // The edit script: common prefix and suffix, then a longest common subsequence of the middle
  // (one replacement when the middle is too large to compare line by line).
  size_t pre = 0;
  while (pre < x.size() && pre < y.size() && x[pre] == y[pre]) ++pre;
  size_t suf = 0;
  while (suf < x.size() - pre && suf < y.size() - pre && x[x.size() - 1 - suf] == y[y.size() - 1 - suf]) ++suf;
  size_t n = x.size() - pre - suf, m = y.size() - pre - suf;
  struct Op {
    char kind;  // ' ', '-', '+'
    size_t i, j;  // line in x (for ' ' and '-'), line in y (for ' ' and '+')
  };
  std::vector<Op> ops;
  for (size_t k = 0; k < pre; ++k) ops.push_back({' ', k, k});
  if (n * m <= size_t{16} << 20) {
    std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
    for (size_t i = n; i-- > 0;) {
      for (size_t j = m; j-- > 0;) {
        lcs[i][j] = x[pre + i] == y[pre + j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && x[pre + i] == y[pre + j]) {
        ops.push_back({' ', pre + i++, pre + j++});
      } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
        ops.push_back({'-', pre + i++, 0});  // removals first, as diff -u prints them
      } else {
        ops.push_back({'+', 0, pre + j++});
      }
    }
  } else {
    for (size_t k = 0; k < n; ++k) ops.push_back({'-', pre + k, 0});
    for (size_t k = 0; k < m; ++k) ops.push_back({'+', 0, pre + k});
  }
  for (size_t k = 0; k < suf; ++k) ops.push_back({' ', x.size() - suf + k, y.size() - suf + k});

  auto line = [](const std::string& l, char kind) {
    std::string s(1, kind);
    s += l;
    if (s.back() != '\n') s += "\n\\ No newline at end of file\n";
    return s;
  };
  std::string out = fmt::format("--- {}\n+++ {}\n", path, path);
  constexpr size_t kContext = 3;
  size_t k = 0;
  while (k < ops.size()) {
    if (ops[k].kind == ' ') {
      ++k;
      continue;
    }
    // A hunk: from kContext lines before this change to kContext after the last change that is
    // at most 2 * kContext lines from the next.
    size_t begin = k >= kContext ? k - kContext : 0;
    size_t end = k;
    while (end < ops.size()) {
      size_t next = end;
      while (next < ops.size() && ops[next].kind == ' ') ++next;
      if (next == ops.size() || next - end > 2 * kContext) break;
      end = next;
      while (end < ops.size() && ops[end].kind != ' ') ++end;
    }
    end = std::min(ops.size(), end + kContext);
    size_t a_start = 0, a_len = 0, b_start = 0, b_len = 0;
    bool a_set = false, b_set = false;
    std::string body;
    for (size_t h = begin; h < end; ++h) {
      const Op& op = ops[h];
      if (op.kind != '+') {
        if (!a_set) a_start = op.i, a_set = true;
        ++a_len;
      }
      if (op.kind != '-') {
        if (!b_set) b_start = op.j, b_set = true;
        ++b_len;
      }
      body += line(op.kind == '+' ? y[op.j] : x[op.i], op.kind);
    }
    // An empty side is numbered by the line before it (the unified format's convention).
    if (!a_set) a_start = b_start;
    if (!b_set) b_start = a_start;
    out += fmt::format("@@ -{},{} +{},{} @@\n", a_len ? a_start + 1 : a_start, a_len, b_len ? b_start + 1 : b_start,
                       b_len);
    out += body;
    k = end;
  }
  return out;
}

// Replaces the file's text, keeping its permissions: the new text goes to a temporary file beside
// it, renamed over it (a crash leaves the old file or the new one, never half of one).
// A symbolic link is followed: the file it points to is replaced, the link stays.
bool WriteFile(const std::string& link, const std::string& text) {
  std::error_code link_ec;
  std::string path = fs::is_symlink(link, link_ec) ? fs::canonical(link, link_ec).string() : link;
  if (link_ec) {
    std::cerr << fmt::format("error: cannot follow `{}`: {}\n", link, link_ec.message());
    return false;
  }
  std::string tmp = path + ".fmt-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::cerr << fmt::format("error: cannot write `{}`\n", tmp);
      std::error_code ignored;
      fs::remove(tmp, ignored);
      return false;
    }
  }
  std::error_code ec;
  fs::permissions(tmp, fs::status(path, ec).permissions(), ec);
  fs::rename(tmp, path, ec);
  if (ec) {
    std::cerr << fmt::format("error: cannot replace `{}`: {}\n", path, ec.message());
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

}  // namespace

CLI::App* AddFmtCommand(CLI::App& app, FmtOptions& o) {
  CLI::App* cmd = app.add_subcommand("fmt", "format policies in the canonical layout (print, -w, -l, -d, --check)");
  cmd->add_option("paths", o.paths, "policy files, folders (every .proviso below), or - for standard input")
      ->required();
  cmd->add_flag("-w,--write", o.write, "rewrite the files whose formatting differs (instead of printing them)");
  cmd->add_flag("-l,--list", o.list, "list the files whose formatting differs");
  cmd->add_flag("-d,--diff", o.diff, "print a unified diff of the changes");
  cmd->add_flag("--check", o.check, "print nothing but the files that would change; exit 1 if any");
  cmd->footer("  proviso fmt -w policies/                 # format every policy in place\n"
              "  proviso fmt --check policies/ tests/golden/good   # in CI: exit 1 if a file is not formatted\n"
              "  proviso fmt - < a.proviso                # standard input to standard output");
  return cmd;
}

int RunFmt(const FmtOptions& o) {
  if (o.check && o.write) {
    std::cerr << "error: --check never writes: use either --check or -w\n";
    return 2;
  }
  std::vector<std::string> files;
  bool failed = !Expand(o.paths, files);
  int changed = 0;
  for (const std::string& file : files) {
    std::string error;
    std::optional<std::string> text = file == "-" ? ReadWholeFile("/dev/stdin", kMaxSourceBytes, &error)
                                                  : ReadWholeFile(file, kMaxSourceBytes, &error);
    if (!text) {
      std::cerr << fmt::format("error: cannot read `{}`: {}\n", file, error);
      failed = true;
      continue;
    }
    std::string name = file == "-" ? "<stdin>" : file;
    format::FormatResult r = OnLargeStack([&] { return format::FormatSource(name, *text); });
    if (!r.ok) {
      std::cerr << r.RenderDiagnostics();
      bool refused = !r.diagnostics.empty() && r.diagnostics.front().code == "E0901";
      std::cerr << fmt::format("error: `{}` is left as it is{}\n", name, refused ? "" : ": it does not parse");
      failed = true;
      continue;
    }
    bool differs = r.text != *text;
    changed += differs ? 1 : 0;
    if (o.check || o.list) {
      if (differs) std::cout << name << "\n";
    }
    if (o.diff && differs) std::cout << UnifiedDiff(name, *text, r.text);
    if (o.write && differs && file != "-") {
      if (!WriteFile(file, r.text)) failed = true;
    }
    // Without -w, -l, -d or --check: the formatted text (`-` with -w: also printed, it has no file).
    bool print = !o.check && !o.list && !o.diff && (!o.write || file == "-");
    if (print) std::cout << r.text;
  }
  std::cout.flush();
  if (o.check && changed > 0) {
    std::cerr << fmt::format("{} file{} not formatted: run `proviso fmt -w` on {}\n", changed,
                             changed == 1 ? " is" : "s are", changed == 1 ? "it" : "them");
    return 1;
  }
  return failed ? 1 : 0;
}

}  // namespace proviso::tools
