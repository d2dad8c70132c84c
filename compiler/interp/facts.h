// Facts: JSON in, validated against the policy's input schema, out as a Value (and back to JSON).
#ifndef PROVISO_COMPILER_INTERP_FACTS_H_
#define PROVISO_COMPILER_INTERP_FACTS_H_

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "compiler/ir/ir.h"

namespace proviso::interp {

// Facts that do not fit the schema. `path` names the field: `dataset.impact_degree`, `calls[2].kept_for`.
class FactsError : public std::runtime_error {
 public:
  FactsError(std::string path, const std::string& message)
      : std::runtime_error(path.empty() ? message : "`" + path + "`: " + message), path_(std::move(path)) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Converts JSON facts to the input record. Every problem is a FactsError naming the field path:
// wrong type, unknown enum value, unknown field, malformed date/duration, `null` for a field that is
// not optional, a value that breaks the schema's constraints. A field left out is not known: its
// value is Value::Unknown naming its fact (ir::Program::facts), unless it has a default; `null` is
// an optional field's known absence (`none`).
// Facts nested deeper than kMaxFactsDepth objects and arrays are a FactsError naming the path where
// they pass it: everything after (reading, equality, explanations, native code) recurses over values.
inline constexpr int kMaxFactsDepth = 64;
Value FactsFromJson(const nlohmann::json& facts, const ir::Program& p);
// Throws FactsError when `j` nests objects and arrays deeper than kMaxFactsDepth (iterative: any depth
// of JSON may be checked). `root` prefixes the path in the message ("" for facts).
void CheckFactsDepth(const nlohmann::json& j, const std::string& root);
// Parses facts text as JSON, refusing an object that gives a key twice (FactsError naming the key's
// path: JSON keeps the last, and an invalid first value would go unseen). Syntax errors and numbers
// out of range are nlohmann::json::parse_error / out_of_range, as from json::parse.
nlohmann::json ParseFactsJson(const std::string& text);
// Converts one value of type `t` (used for `--set name=value` in JSON form and for parameters): a
// record's fields without default are required (a param is never unknown).
Value ValueFromJson(const nlohmann::json& j, const Type* t, const ir::Program& p, const std::string& path);
// The JSON form of a value: enums as names, dates "YYYY-MM-DD", durations "30 days", decimals as numbers.
nlohmann::json ValueToJson(const Value& v, const Type* t, const TypeTable& types);

// Parses a value written in Proviso literal syntax or JSON for a param of type `t` (`--set`):
// `60 days`, `2020-08-31`, `true`, `42`, `0.5`, `national_security`, `["US", "JP"]`.
Value ParseParamValue(const std::string& text, const Type* t, const ir::Program& p, const std::string& name);

}  // namespace proviso::interp

#endif  // PROVISO_COMPILER_INTERP_FACTS_H_
