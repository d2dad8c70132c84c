// Checker pass for values defined in terms of themselves (lets, outputs, functions, tables), and
// for chains of definitions too deep for later stages.
#include "compiler/check/checker_impl.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace proviso::check_internal {

void Checker::Refs(const Expr& e, std::vector<std::pair<SymKind, int>>& out) {
  if (e.kind == ExprKind::kName || e.kind == ExprKind::kItemOf) {
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

void Checker::CheckDependencyCycles() {
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

}  // namespace proviso::check_internal
