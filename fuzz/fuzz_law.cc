// libFuzzer target: arbitrary bytes as a `.law` file (compiler/law/law.h Parse). Problems are
// diagnostics (E0701); rendering them quotes the bytes back with a caret. Never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "compiler/diag/diagnostic.h"
#include "compiler/law/law.h"
#include "compiler/source/source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  proviso::SourceManager sources;
  int file = sources.Add("fuzz.law", std::string(reinterpret_cast<const char*>(data), size));
  proviso::DiagnosticSink diags;
  std::optional<proviso::law::Document> doc = proviso::law::Parse(sources, file, diags);
  if (doc) {
    for (const std::string& id : doc->Ids()) {
      if (doc->Find(id) == nullptr) __builtin_trap();  // every id listed is found
    }
  }
  (void)proviso::RenderText(diags.diagnostics(), sources);
  (void)proviso::RenderJson(diags.diagnostics(), sources);
  return 0;
}
