// The server's loop, lifecycle, documents and diagnostics; the features are in features.cc.
#include "compiler/lsp/server.h"

#include <exception>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "compiler/driver/driver.h"
#include "compiler/ir/ir.h"
#include "compiler/support/large_stack.h"

namespace proviso::lsp {

using nlohmann::json;

namespace {

Position PositionOf(const json& params) {
  const json& p = params.at("position");
  return Position{p.at("line").get<int>(), p.at("character").get<int>()};
}

int Severity(proviso::Severity s) {
  switch (s) {
    case proviso::Severity::kError: return 1;
    case proviso::Severity::kWarning: return 2;
    case proviso::Severity::kNote: return 3;
  }
  return 1;
}

// A request the server refuses (a rename to a keyword, formatting of a text that does not parse).
struct RequestFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string Clip(const std::string& s) { return s.size() <= 4000 ? s : s.substr(0, 4000) + " ..."; }

}  // namespace

int Server::Run() {
  while (!exit_) {
    std::string body, error;
    Transport::Status status = transport_.Read(&body, &error);
    if (status == Transport::Status::kEnd) {
      Log("the input ended");
      break;
    }
    if (status != Transport::Status::kMessage) {
      Log("error: " + error);
      ReplyError(nullptr, kParseError, error);
      continue;
    }
    Log("<- " + Clip(body));
    json message = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (message.is_discarded()) {
      Log("error: a message is not JSON");
      ReplyError(nullptr, kParseError, "the message is not JSON");
      continue;
    }
    Handle(message);
  }
  return shutdown_ && exit_ ? 0 : 1;
}

void Server::Handle(const json& message) {
  if (!message.is_object() || !message.contains("method") || !message["method"].is_string()) {
    if (message.is_object() && message.contains("id") && (message.contains("result") || message.contains("error"))) {
      return;  // a response to a request of ours (the server sends none)
    }
    ReplyError(message.is_object() && message.contains("id") ? message["id"] : json(nullptr), kInvalidRequest,
               "a message needs a `method`");
    return;
  }
  std::string method = message["method"].get<std::string>();
  json params = message.contains("params") ? message["params"] : json::object();
  bool request = message.contains("id");
  if (!request) {
    try {
      Notification(method, params);
    } catch (const std::exception& e) {  // a notification has no reply: log it and go on
      Log(fmt::format("error: in `{}`: {}", method, e.what()));
    }
    return;
  }
  const json& id = message["id"];
  if (!id.is_number_integer() && !id.is_string()) {
    ReplyError(nullptr, kInvalidRequest, "a request's id is a number or a string");
    return;
  }
  if (!initialized_ && method != "initialize") {
    ReplyError(id, kServerNotInitialized, "the server is not initialized");
    return;
  }
  if (shutdown_) {
    ReplyError(id, kInvalidRequest, "the server is shut down");
    return;
  }
  try {
    std::optional<json> result = Request(method, params);
    if (!result) {
      ReplyError(id, kMethodNotFound, fmt::format("unknown method `{}`", method));
      return;
    }
    Reply(id, std::move(*result));
  } catch (const RequestFailed& e) {
    ReplyError(id, kRequestFailed, e.what());
  } catch (const json::exception& e) {
    ReplyError(id, kInvalidParams, fmt::format("bad parameters for `{}`: {}", method, e.what()));
  } catch (const std::exception& e) {
    ReplyError(id, kInternalError, fmt::format("`{}` failed: {}", method, e.what()));
  }
}

std::optional<json> Server::Request(const std::string& method, const json& params) {
  if (method == "initialize") {
    initialized_ = true;
    json caps = {
        {"positionEncoding", "utf-16"},
        {"textDocumentSync", {{"openClose", true}, {"change", 2}, {"save", {{"includeText", false}}}}},
        {"hoverProvider", true},
        {"definitionProvider", true},
        {"referencesProvider", true},
        {"documentHighlightProvider", true},
        {"documentSymbolProvider", true},
        {"completionProvider", {{"triggerCharacters", {"."}}, {"resolveProvider", false}}},
        {"renameProvider", {{"prepareProvider", true}}},
        {"codeActionProvider", {{"codeActionKinds", {"quickfix"}}}},
    };
    if (options_.formatter) caps["documentFormattingProvider"] = true;
    return json{{"capabilities", caps}, {"serverInfo", {{"name", "proviso"}, {"version", options_.version}}}};
  }
  if (method == "shutdown") {
    shutdown_ = true;
    return json(nullptr);
  }
  if (method.rfind("textDocument/", 0) != 0) return std::nullopt;
  if (method == "textDocument/codeAction") return CodeActions(params);
  static const std::set<std::string> kKnown = {
      "textDocument/hover", "textDocument/definition", "textDocument/references", "textDocument/documentHighlight",
      "textDocument/documentSymbol", "textDocument/completion", "textDocument/prepareRename", "textDocument/rename"};
  bool formatting = method == "textDocument/formatting" && options_.formatter;
  if (!kKnown.count(method) && !formatting) return std::nullopt;
  Document* doc = Find(params);
  if (!doc) {  // not open: nothing is known of it
    return method == "textDocument/documentSymbol" || method == "textDocument/references" ? json::array() : json(nullptr);
  }
  DocumentView view = View(*doc);
  std::vector<DocumentView> open;
  for (const auto& [uri, d] : docs_) open.push_back(View(d));
  if (method == "textDocument/hover") return Hover(view, PositionOf(params));
  if (method == "textDocument/definition") return Definition(view, PositionOf(params));
  if (method == "textDocument/references") {
    bool include = params.contains("context") && params["context"].value("includeDeclaration", false);
    return References(view, PositionOf(params), include, open);
  }
  if (method == "textDocument/documentHighlight") return DocumentHighlight(view, PositionOf(params));
  if (method == "textDocument/documentSymbol") return DocumentSymbols(view);
  if (method == "textDocument/completion") return Completion(view, PositionOf(params));
  if (method == "textDocument/prepareRename") return PrepareRename(view, PositionOf(params));
  if (method == "textDocument/rename") {
    std::string error;
    std::optional<json> edit =
        Rename(view, PositionOf(params), params.at("newName").get<std::string>(), &error, open);
    if (!edit) throw RequestFailed(error);
    return *edit;
  }
  // textDocument/formatting: one edit replacing the whole text.
  std::string error;
  std::optional<std::string> formatted = options_.formatter(doc->path, doc->text, &error);
  if (!formatted) throw RequestFailed(error);
  if (*formatted == doc->text) return json::array();
  std::vector<std::string_view> lines = SplitLines(doc->text);
  json end = {{"line", static_cast<int>(lines.size()) - 1}, {"character", Utf16Length(lines.back())}};
  return json::array({{{"range", {{"start", {{"line", 0}, {"character", 0}}}, {"end", end}}}, {"newText", *formatted}}});
}

void Server::Notification(const std::string& method, const json& params) {
  if (method == "exit") {
    exit_ = true;
    return;
  }
  if (!initialized_) return;  // notifications before `initialize` are dropped (LSP)
  if (method == "textDocument/didOpen") {
    const json& td = params.at("textDocument");
    Document doc;
    doc.uri = td.at("uri").get<std::string>();
    doc.path = UriToPath(doc.uri).value_or(doc.uri);
    doc.text = td.at("text").get<std::string>();
    doc.version = td.value("version", 0);
    auto [it, fresh] = docs_.insert_or_assign(doc.uri, std::move(doc));
    Analyze(it->second);
    return;
  }
  if (method == "textDocument/didChange") {
    Document* doc = Find(params);
    if (!doc) return;
    for (const json& change : params.at("contentChanges")) {
      if (change.contains("range")) {
        const json& r = change["range"];
        Position a{r.at("start").at("line").get<int>(), r.at("start").at("character").get<int>()};
        Position b{r.at("end").at("line").get<int>(), r.at("end").at("character").get<int>()};
        size_t from = OffsetOf(doc->text, a), to = OffsetOf(doc->text, b);
        if (to < from) std::swap(from, to);
        doc->text.replace(from, to - from, change.at("text").get<std::string>());
      } else {
        doc->text = change.at("text").get<std::string>();
      }
    }
    doc->version = params["textDocument"].value("version", doc->version);
    Analyze(*doc);
    return;
  }
  if (method == "textDocument/didSave" || method == "workspace/didChangeWatchedFiles") {
    // The imports of other open documents may be this file: compile them again (they read it from disk).
    for (auto& [uri, doc] : docs_) Analyze(doc);
    return;
  }
  if (method == "textDocument/didClose") {
    Document* doc = Find(params);
    if (!doc) return;
    for (const std::string& uri : doc->published) {
      Send({{"jsonrpc", "2.0"}, {"method", "textDocument/publishDiagnostics"},
            {"params", {{"uri", uri}, {"diagnostics", json::array()}}}});
    }
    docs_.erase(doc->uri);
    return;
  }
  // initialized, $/cancelRequest, $/setTrace, workspace/didChangeConfiguration ...: nothing to do.
}

Server::Document* Server::Find(const json& params) {
  auto it = docs_.find(params.at("textDocument").at("uri").get<std::string>());
  return it == docs_.end() ? nullptr : &it->second;
}

DocumentView Server::View(const Document& doc) const { return DocumentView{doc.index, doc.path, doc.text}; }

namespace {

// Compiles `text` as `proviso check` does: the front end, then (when it has no error) the lowering that
// computes the constants, whose failure is E0507. The program is kept for the index either way.
std::shared_ptr<const FrontEnd> Compile(const std::string& path, const std::string& text, const std::string& root) {
  return OnLargeStack([&]() -> std::shared_ptr<const FrontEnd> {
    std::unique_ptr<FrontEnd> fe = CompileSource(path, text, FrontEndOptions{root});
    if (!fe->ok()) return fe;
    try {
      std::unique_ptr<ir::Program> lowered = ir::Lower(std::move(fe->program));
      fe->program = std::move(lowered->checked);  // the lowering only reads it
      return fe;
    } catch (const ir::ConstantError& e) {
      // Lower consumed the program: compile the text again for the index, and add the error to that.
      std::unique_ptr<FrontEnd> again = CompileSource(path, text, FrontEndOptions{root});
      again->diags.Error("E0507", e.span(), e.what());
      again->diags.Sort();
      return again;
    }
  });
}

}  // namespace

void Server::Analyze(Document& doc) {
  std::shared_ptr<const FrontEnd> fe = Compile(doc.path, doc.text, options_.import_root);
  // A text that does not parse keeps the last index (hover and definition go on working, on the old text).
  if (fe->program) {
    doc.index = OnLargeStack([&] { return std::shared_ptr<const Index>(Index::Build(fe)); });
  }
  int main_file = fe->sources.Find(doc.path);
  std::map<std::string, json> by_uri;
  by_uri[doc.uri] = json::array();
  auto uri_of = [&](const Span& s) {
    return !s.valid() || s.file == main_file ? doc.uri : PathToUri(fe->sources.file(s.file).path);
  };
  auto range_of = [&](const Span& s) {
    Range r = s.valid() ? ToRange(fe->sources.file(s.file).text, s) : Range{};
    return json{{"start", {{"line", r.start.line}, {"character", r.start.character}}},
                {"end", {{"line", r.end.line}, {"character", r.end.character}}}};
  };
  for (const Diagnostic& d : fe->diags.diagnostics()) {
    std::string message = d.message;
    if (!d.label.empty()) message += " (" + d.label + ")";
    if (!d.help.empty()) message += "\nhelp: " + d.help;
    json diag = {{"range", range_of(d.span)}, {"severity", Severity(d.severity)}, {"code", d.code},
                 {"source", "proviso"}, {"message", message}};
    json related = json::array();
    for (const DiagNote& n : d.notes) {
      if (!n.span.valid()) continue;
      related.push_back({{"location", {{"uri", uri_of(n.span)}, {"range", range_of(n.span)}}}, {"message", n.message}});
    }
    if (!related.empty()) diag["relatedInformation"] = related;
    if (d.span.valid()) {
      json fix = QuickFix(d, fe->sources.file(d.span.file));
      if (!fix.is_null()) diag["data"] = {{"fix", fix}};
    }
    by_uri[uri_of(d.span)].push_back(diag);
  }
  std::set<std::string> published;
  for (auto& [uri, diags] : by_uri) {
    // An imported file that is open has diagnostics of its own (from its text, not from the disk's).
    if (uri != doc.uri && docs_.count(uri)) continue;
    json params = {{"uri", uri}, {"diagnostics", diags}};
    if (uri == doc.uri) params["version"] = doc.version;
    Send({{"jsonrpc", "2.0"}, {"method", "textDocument/publishDiagnostics"}, {"params", params}});
    published.insert(uri);
  }
  for (const std::string& uri : doc.published) {  // fixed since: clear them
    if (published.count(uri) || (uri != doc.uri && docs_.count(uri))) continue;
    Send({{"jsonrpc", "2.0"}, {"method", "textDocument/publishDiagnostics"},
          {"params", {{"uri", uri}, {"diagnostics", json::array()}}}});
  }
  doc.published = std::move(published);
}

void Server::Reply(const json& id, json result) {
  Send({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
}

void Server::ReplyError(const json& id, int code, const std::string& message) {
  Send({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
}

void Server::Send(const json& message) {
  if (options_.log) Log("-> " + Clip(message.dump(-1, ' ', false, json::error_handler_t::replace)));
  transport_.Write(message);
}

void Server::Log(const std::string& line) {
  if (!options_.log) return;
  *options_.log << line << "\n";
  options_.log->flush();
}

}  // namespace proviso::lsp
