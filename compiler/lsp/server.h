// `proviso lsp`: a language server (LSP 3.17) over a Transport. It keeps the open documents' text,
// compiles each on open and change (compiler/driver), publishes the diagnostics (those of imported
// files to their own URIs) and answers hover, definition, references, highlights, document symbols,
// completion and rename from a symbol index (compiler/lsp/index.h).
#ifndef PROVISO_COMPILER_LSP_SERVER_H_
#define PROVISO_COMPILER_LSP_SERVER_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "compiler/lsp/features.h"
#include "compiler/lsp/transport.h"

namespace proviso::lsp {

// Formats a whole policy: the new text, or nullopt with `error` set (a policy that does not parse).
using Formatter = std::function<std::optional<std::string>(const std::string& path, const std::string& text,
                                                           std::string* error)>;

struct ServerOptions {
  std::string import_root;   // "": each policy's default (proviso::DefaultImportRoot)
  std::ostream* log = nullptr;  // a trace of every message and of errors, if given
  std::string version;          // serverInfo.version
  // textDocument/formatting is advertised and served only when this is set.
  Formatter formatter;
};

// Serves one client until `exit` or the end of the input. Single-threaded; not reentrant.
class Server {
 public:
  Server(Transport& transport, ServerOptions options) : transport_(transport), options_(std::move(options)) {}

  // Reads and answers messages until `exit` or the end of the input. The exit code: 0 after
  // `shutdown` then `exit`, 1 otherwise (LSP). Never throws on what the client sends.
  int Run();

 private:
  struct Document {
    std::string uri;
    std::string path;  // what it is compiled as
    std::string text;
    int version = 0;
    std::shared_ptr<const Index> index;  // the last compilation that parsed
    std::set<std::string> published;     // URIs this document's diagnostics went to
  };

  void Handle(const nlohmann::json& message);
  std::optional<nlohmann::json> Request(const std::string& method, const nlohmann::json& params);
  void Notification(const std::string& method, const nlohmann::json& params);
  void Analyze(Document& doc);
  DocumentView View(const Document& doc) const;
  Document* Find(const nlohmann::json& params);
  void Reply(const nlohmann::json& id, nlohmann::json result);
  void ReplyError(const nlohmann::json& id, int code, const std::string& message);
  void Send(const nlohmann::json& message);
  void Log(const std::string& line);

  Transport& transport_;
  ServerOptions options_;
  std::map<std::string, Document> docs_;  // by URI
  bool initialized_ = false;
  bool shutdown_ = false;
  bool exit_ = false;
};

// JSON-RPC and LSP error codes.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;
constexpr int kServerNotInitialized = -32002;
constexpr int kRequestFailed = -32803;

}  // namespace proviso::lsp

#endif  // PROVISO_COMPILER_LSP_SERVER_H_
