// The server in process, on string streams: how `textDocument/formatting` is wired through
// ServerOptions::formatter (advertised and served only when set), and the exit codes.
#include "compiler/lsp/server.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace proviso::lsp {
namespace {

using nlohmann::json;

std::string Frame(const json& m) {
  std::string body = m.dump();
  return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Runs a server on `messages`; returns what it wrote and its exit code.
std::vector<json> Serve(const std::vector<json>& messages, ServerOptions options, int* code) {
  std::string input;
  for (const json& m : messages) input += Frame(m);
  std::istringstream in(input);
  std::ostringstream out;
  Transport transport(in, out);
  Server server(transport, std::move(options));
  *code = server.Run();
  std::istringstream written(out.str());
  std::ostringstream unused;
  Transport reader(written, unused);
  std::vector<json> replies;
  std::string body, error;
  while (reader.Read(&body, &error) == Transport::Status::kMessage) replies.push_back(json::parse(body));
  return replies;
}

const json* Reply(const std::vector<json>& replies, int id) {
  for (const json& r : replies) {
    if (r.contains("id") && r["id"] == id) return &r;
  }
  return nullptr;
}

std::vector<json> Session() {
  const std::string uri = "file:///tmp/proviso-lsp-server-test/p.proviso";
  return {
      {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"}, {"params", json::object()}},
      {{"jsonrpc", "2.0"}, {"method", "initialized"}, {"params", json::object()}},
      {{"jsonrpc", "2.0"}, {"method", "textDocument/didOpen"},
       {"params", {{"textDocument", {{"uri", uri}, {"languageId", "proviso"}, {"version", 1},
                                     {"text", "policy p\ninput { a: int }\n  output o: int\n"}}}}}},
      {{"jsonrpc", "2.0"}, {"id", 2}, {"method", "textDocument/formatting"},
       {"params", {{"textDocument", {{"uri", uri}}}, {"options", {{"tabSize", 2}, {"insertSpaces", true}}}}}},
      {{"jsonrpc", "2.0"}, {"id", 3}, {"method", "shutdown"}},
      {{"jsonrpc", "2.0"}, {"method", "exit"}},
  };
}

TEST(Server, NoFormattingWithoutAFormatter) {
  int code = -1;
  std::vector<json> replies = Serve(Session(), ServerOptions{}, &code);
  EXPECT_EQ(code, 0);
  ASSERT_NE(Reply(replies, 1), nullptr);
  EXPECT_FALSE((*Reply(replies, 1))["result"]["capabilities"].contains("documentFormattingProvider"));
  ASSERT_NE(Reply(replies, 2), nullptr);
  EXPECT_EQ((*Reply(replies, 2))["error"]["code"], kMethodNotFound);
}

TEST(Server, FormattingThroughTheFormatter) {
  ServerOptions options;
  std::string seen;
  options.formatter = [&](const std::string& path, const std::string& text, std::string*) -> std::optional<std::string> {
    seen = path;
    std::string out;
    for (char c : text) {
      if (!(c == ' ' && (out.empty() || out.back() == '\n'))) out += c;  // drop leading spaces
    }
    return out;
  };
  int code = -1;
  std::vector<json> replies = Serve(Session(), options, &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(seen, "/tmp/proviso-lsp-server-test/p.proviso");
  EXPECT_TRUE((*Reply(replies, 1))["result"]["capabilities"]["documentFormattingProvider"].get<bool>());
  const json& edits = (*Reply(replies, 2))["result"];
  ASSERT_EQ(edits.size(), 1u);
  EXPECT_EQ(edits[0]["newText"], "policy p\ninput { a: int }\noutput o: int\n");
  EXPECT_EQ(edits[0]["range"]["start"], json({{"line", 0}, {"character", 0}}));
  EXPECT_EQ(edits[0]["range"]["end"], json({{"line", 3}, {"character", 0}}));  // after the last newline
}

TEST(Server, AFormatterThatRefusesIsAnError) {
  ServerOptions options;
  options.formatter = [](const std::string&, const std::string&, std::string* error) -> std::optional<std::string> {
    *error = "p.proviso:2:1: the policy does not parse";
    return std::nullopt;
  };
  int code = -1;
  std::vector<json> replies = Serve(Session(), options, &code);
  EXPECT_EQ((*Reply(replies, 2))["error"]["code"], kRequestFailed);
  EXPECT_EQ((*Reply(replies, 2))["error"]["message"], "p.proviso:2:1: the policy does not parse");
}

TEST(Server, TheInputEndingWithoutExitIsExitCode1) {
  std::vector<json> session = Session();
  session.pop_back();  // no `exit`
  int code = -1;
  Serve(session, ServerOptions{}, &code);
  EXPECT_EQ(code, 1);
}

}  // namespace
}  // namespace proviso::lsp
