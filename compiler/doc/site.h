// `proviso doc`: a static HTML site for a folder of policies and the law they encode. Each policy's
// page shows its declarations in order as highlighted source (tables as HTML tables, tests as worked
// examples with whether they pass now), every `cite` linked to the paragraph of the law it names, and
// beside them the text of those paragraphs; each law document's page shows every paragraph with the
// declarations that cite it (links back) and its coverage status (compiler/coverage/law_coverage.h).
// The site is self-contained (one stylesheet, no script, relative links only).
#ifndef PROVISO_COMPILER_DOC_SITE_H_
#define PROVISO_COMPILER_DOC_SITE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace proviso::doc {

struct Site {
  // The pages by file name (flat: "index.html", "style.css", "policy-NAME.html", "law-NAME.html").
  std::map<std::string, std::string> files;
  // Why there is no site: policies that do not compile (their diagnostics, rendered as
  // `proviso check` does), paths that do not exist, no policy found. Empty: `files` is complete.
  std::vector<std::string> errors;
};

// Reads `paths` (policy files and folders searched recursively for `.proviso` and `.law` files),
// compiles every policy, runs its tests on the reference interpreter (as of `today`, a day number, when
// a test has no `as of` and its policy no `effective from`) and renders the site. When any policy
// does not compile, `errors` says why and `files` is empty: a site is never silently partial. Never
// throws for a problem in the policies or the law files.
Site Render(const std::vector<std::string>& paths, int64_t today);

// Writes `site.files` into the folder `out` (created if needed; other files in it are left alone).
// Returns "" or what went wrong ("cannot write `site/index.html`: ...").
std::string Write(const Site& site, const std::string& out);

}  // namespace proviso::doc

#endif  // PROVISO_COMPILER_DOC_SITE_H_
