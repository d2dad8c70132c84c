#include "doc_command.h"

#include <iostream>

#include <fmt/format.h>

#include "compiler/doc/site.h"

namespace proviso::tools {

CLI::App* AddDocCommand(CLI::App& app, DocArgs& args) {
  auto* doc = app.add_subcommand("doc", "write a static HTML site of the policies beside the law they cite");
  doc->add_option("paths", args.paths, "policy files or folders (default: policies/)");
  doc->add_option("-o,--out", args.out, "the folder to write the site into (created if needed)")->required();
  doc->footer("  proviso doc policies --out site        # then open site/index.html\n"
              "Nothing is written when a policy does not compile (its diagnostics are printed, exit 1).");
  return doc;
}

int RunDoc(const DocArgs& args, int64_t today) {
  std::vector<std::string> paths = args.paths.empty() ? std::vector<std::string>{"policies"} : args.paths;
  doc::Site site = doc::Render(paths, today);
  if (!site.errors.empty()) {
    for (const std::string& e : site.errors) std::cerr << e << "\n";
    std::cerr << fmt::format("error: no site written to `{}`\n", args.out);
    return 1;
  }
  std::string error = doc::Write(site, args.out);
  if (!error.empty()) {
    std::cerr << "error: " << error << "\n";
    return 1;
  }
  std::cout << fmt::format("wrote {} files to {}\n", site.files.size(), args.out);
  return 0;
}

}  // namespace proviso::tools
