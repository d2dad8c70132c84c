#include "compiler/interp/facts.h"

#include <cmath>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "compiler/check/checker.h"

namespace proviso::interp {
namespace {

std::string JsonKind(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return "an integer";
    case nlohmann::json::value_t::number_float: return "a number with a fraction";
    case nlohmann::json::value_t::string: return "text";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

// Where a value is in the facts, spelled out only for an error (facts are converted for every
// evaluation; their paths are needed once in a while): a root, then fields and indexes.
struct Path {
  const std::string* root = nullptr;  // set on the root only
  const Path* parent = nullptr;
  const std::string* field = nullptr;  // a field of the parent, or
  size_t index = 0;                    // an element of the parent

  std::string str() const {
    if (root) return *root;
    std::string up = parent->str();
    if (!field) return fmt::format("{}[{}]", up, index);
    return up.empty() ? *field : up + "." + *field;
  }
};

// Where a value is in the schema, for the ids of facts left out (ir::Program::fact_nodes): the
// node of its record (or of its elements' record), or -1 below a record inside itself, where
// `fact` is the fact everything reports.
struct Place {
  int node = -1;
  int fact = -1;
};

Value ValueFromJson(const nlohmann::json& j, const Type* t, const ir::Program& p, const Path& path, Place place);

// The schema's constraints on a field (`in 0..1439`, `>= 0`): on the value, or on each element.
void CheckField(const Value& v, const Type* t, const std::vector<ir::FieldCheck>& checks, const ir::Program& p,
                const Path& path) {
  if (checks.empty() || v.is_none() || v.is_unknown()) return;
  if (t->kind == TypeKind::kOptional) t = t->elem;
  bool collection = t->kind == TypeKind::kList || t->kind == TypeKind::kSet;
  const Type* et = collection ? t->elem : t;
  auto check = [&](const Value& x, const Path& at) {
    for (const ir::FieldCheck& c : checks) {
      if (auto why = ir::CheckViolation(x, c, et, p.types())) throw FactsError(at.str(), *why);
    }
  };
  if (!collection) return check(v, path);
  // A list's element by its index; a set (sorted, duplicates gone) has no positions to name.
  for (size_t k = 0; k < v.elems().size(); ++k) {
    check(v.elems()[k], t->kind == TypeKind::kList ? Path{nullptr, &path, nullptr, k} : path);
  }
}

Value RecordFromJson(const nlohmann::json& j, int record, const ir::Program& p, const Path& path, Place place) {
  const TypeTable& types = p.types();
  const RecordInfo& info = types.record_info(record);
  if (!j.is_object()) {
    throw FactsError(path.str(), fmt::format("expected an object ({}), found {}", record == p.input_record ? "the facts" : "`" + info.name + "`", JsonKind(j)));
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (info.Find(it.key()) < 0) {
      std::string known;
      for (size_t i = 0; i < info.fields.size(); ++i) known += (i ? ", `" : "`") + info.fields[i].name + "`";
      throw FactsError(Path{nullptr, &path, &it.key()}.str(), fmt::format("unknown field; the fields are {}", known.empty() ? "(none)" : known));
    }
  }
  const auto& defaults = p.field_defaults.at(record);
  const ir::Program::FactNode* node = place.node >= 0 ? &p.fact_nodes[place.node] : nullptr;
  std::vector<Value> fields;
  fields.reserve(info.fields.size());
  for (size_t i = 0; i < info.fields.size(); ++i) {
    const FieldInfo& f = info.fields[i];
    Path fp{nullptr, &path, &f.name};
    Place at = node ? Place{node->child[i], node->fact[i]} : Place{-1, place.fact};
    auto it = j.find(f.name);
    bool has_default = i < defaults.size() && defaults[i];
    if (it == j.end() && !has_default) {
      // A fact left out is not known (`null` is an optional's known absence); a param's value
      // (no fact ids) has every field.
      if (at.fact < 0) {
        throw FactsError(fp.str(), fmt::format("missing required field of type `{}`", types.Name(f.type)));
      }
      fields.push_back(Value::Unknown({at.fact}));
      continue;
    }
    if (it == j.end() || it->is_null()) {
      if (has_default) {
        fields.push_back(*defaults[i]);
      } else if (f.type->kind == TypeKind::kOptional) {
        fields.push_back(Value::None());
      } else {
        throw FactsError(fp.str(), fmt::format("null is not a value of `{}` (leave the field out when it is not "
                                               "known)",
                                               types.Name(f.type)));
      }
      continue;
    }
    fields.push_back(ValueFromJson(*it, f.type, p, fp, at));
    if (record < static_cast<int>(p.field_checks.size()) && !p.field_checks[record].empty()) {
      CheckField(fields.back(), f.type, p.field_checks[record][i], p, fp);
    }
  }
  return Value::Record(std::move(fields));
}

Value ValueFromJson(const nlohmann::json& j, const Type* t, const ir::Program& p, const Path& path, Place place) {
  const TypeTable& types = p.types();
  auto wrong = [&](const char* want) -> FactsError {
    return FactsError(path.str(), fmt::format("expected {}, found {}", want, JsonKind(j)));
  };
  switch (t->kind) {
    case TypeKind::kOptional:
      if (j.is_null()) return Value::None();
      return ValueFromJson(j, t->elem, p, path, place);
    case TypeKind::kBool:
      if (!j.is_boolean()) throw wrong("true or false");
      return Value::Bool(j.get<bool>());
    case TypeKind::kInt:
      if (!j.is_number_integer()) throw wrong("an integer");
      if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
        throw FactsError(path.str(), "integer out of range");
      }
      return Value::Int(j.get<int64_t>());
    case TypeKind::kDecimal: {
      // A JSON number is a double once parsed (nlohmann keeps whole numbers as int64): one with a
      // fraction is rounded to 6 places, as in a frame. Text ("0.1234567" is an error) is exact.
      auto out_of_range = [&] {
        return FactsError(path.str(), fmt::format("decimal out of range (at most {} in magnitude)", kMaxDecimalWhole));
      };
      if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(kMaxDecimalWhole)) throw out_of_range();
      if (j.is_number_integer()) {
        int64_t whole = j.get<int64_t>();
        if (whole > kMaxDecimalWhole || whole < -kMaxDecimalWhole) throw out_of_range();
        return Value::Decimal(whole * kDecimalScale);
      }
      if (j.is_number_float()) {
        double d = j.get<double>();
        if (!(std::fabs(d) <= static_cast<double>(kMaxDecimalWhole))) throw out_of_range();  // also NaN
        return Value::Decimal(static_cast<int64_t>(std::llround(d * kDecimalScale)));
      }
      if (j.is_string()) {
        const std::string& s = j.get_ref<const std::string&>();
        std::string_view digits = s;
        bool neg = !digits.empty() && digits[0] == '-';
        if (neg) digits.remove_prefix(1);
        size_t dot = digits.find('.');
        std::string_view whole = digits.substr(0, dot);
        std::string_view frac = dot == std::string_view::npos ? std::string_view() : digits.substr(dot + 1);
        auto all_digits = [](std::string_view d) { return d.find_first_not_of("0123456789") == std::string_view::npos; };
        if (whole.empty() || !all_digits(whole) || !all_digits(frac) || (dot != std::string_view::npos && frac.empty()) ||
            frac.size() > 6) {
          throw FactsError(path.str(), fmt::format("`{}` is not a decimal with at most 6 decimal places", s));
        }
        whole.remove_prefix(std::min(whole.find_first_not_of('0'), whole.size() - 1));  // "007" is 7
        int64_t w = whole.size() > 13 ? INT64_MAX : std::stoll(std::string(whole));
        if (w > kMaxDecimalWhole) throw out_of_range();  // before scaling, which could overflow
        int64_t v = w * kDecimalScale + std::stoll(std::string(frac) + std::string(6 - frac.size(), '0'));
        if (v > kMaxDecimalWhole * kDecimalScale) throw out_of_range();  // the same bound as for numbers
        return Value::Decimal(neg ? -v : v);
      }
      throw wrong("a number");
    }
    case TypeKind::kText:
      if (!j.is_string()) throw wrong("text");
      return Value::Text(j.get<std::string>());
    case TypeKind::kDate: {
      if (!j.is_string()) throw wrong("a date \"YYYY-MM-DD\"");
      auto d = ParseDate(j.get_ref<const std::string&>());
      if (!d) throw FactsError(path.str(), fmt::format("`{}` is not a valid date (YYYY-MM-DD)", j.get<std::string>()));
      return Value::Date(*d);
    }
    case TypeKind::kDateTime: {
      if (!j.is_string()) throw wrong("a date-time \"YYYY-MM-DDTHH:MM:SSZ\"");
      auto t = ParseDateTime(j.get_ref<const std::string&>());
      if (!t) {
        throw FactsError(path.str(), fmt::format("`{}` is not a valid date-time (YYYY-MM-DDTHH:MM:SS with `Z` or an "
                                                 "offset such as `+08:00`, to the second)",
                                                 j.get<std::string>()));
      }
      return Value::DateTime(*t);
    }
    case TypeKind::kDuration: {
      if (!j.is_string()) throw wrong("a duration such as \"30 days\"");
      auto d = ParseDuration(j.get_ref<const std::string&>());
      if (!d) {
        throw FactsError(path.str(), fmt::format("`{}` is not a duration (e.g. \"30 days\", \"72 hours\", \"2 months\", "
                                                 "\"P1Y\", \"PT72H\")",
                                                 j.get<std::string>()));
      }
      if (d->months > kMaxMonths || d->months < -kMaxMonths || d->seconds > kMaxSeconds || d->seconds < -kMaxSeconds) {
        throw FactsError(path.str(), fmt::format("duration `{}` is out of range", j.get<std::string>()));
      }
      return Value::Dur(*d);
    }
    case TypeKind::kEnum: {
      const EnumInfo& info = types.enum_info(t->index);
      if (!j.is_string()) throw FactsError(path.str(), fmt::format("expected a value of `{}`, found {}", info.name, JsonKind(j)));
      int v = info.Find(j.get_ref<const std::string&>());
      if (v < 0) {
        std::string known;
        for (size_t i = 0; i < info.variants.size(); ++i) known += (i ? ", `" : "`") + info.variants[i] + "`";
        throw FactsError(path.str(), fmt::format("`{}` is not a value of `{}` ({})", j.get<std::string>(), info.name, known));
      }
      return Value::Enum(v);
    }
    case TypeKind::kRecord: return RecordFromJson(j, t->index, p, path, place);
    case TypeKind::kList:
    case TypeKind::kSet: {
      if (!j.is_array()) throw wrong("an array");
      std::vector<Value> items;
      items.reserve(j.size());
      for (size_t i = 0; i < j.size(); ++i) {
        items.push_back(ValueFromJson(j[i], t->elem, p, Path{nullptr, &path, nullptr, i}, place));
      }
      return t->kind == TypeKind::kSet ? Value::Set(std::move(items)) : Value::List(std::move(items));
    }
    default: throw FactsError(path.str(), "a value of this type cannot be given as a fact");
  }
}

}  // namespace

Value ValueFromJson(const nlohmann::json& j, const Type* t, const ir::Program& p, const std::string& path) {
  CheckFactsDepth(j, path);
  return ValueFromJson(j, t, p, Path{&path}, Place{});
}

nlohmann::json ParseFactsJson(const std::string& text) {
  struct Frame {
    bool array = false;
    std::string key;                // the last key read (objects)
    std::set<std::string> keys;
  };
  std::vector<Frame> frames;
  auto path = [&](const std::string& last) {
    std::string out;
    for (const Frame& f : frames) {
      if (&f == &frames.back()) break;
      out += f.array ? "[]" : (out.empty() ? "" : ".") + f.key;
    }
    return out + (out.empty() ? "" : ".") + last;
  };
  using Event = nlohmann::json::parse_event_t;
  auto check = [&](int, Event event, nlohmann::json& parsed) {
    switch (event) {
      case Event::object_start: frames.push_back(Frame{}); break;
      case Event::array_start: frames.push_back(Frame{true, {}, {}}); break;
      case Event::object_end:
      case Event::array_end: if (!frames.empty()) frames.pop_back(); break;
      case Event::key: {
        std::string key = parsed.get<std::string>();
        if (!frames.back().keys.insert(key).second) throw FactsError(path(key), "this key is given twice");
        frames.back().key = key;
        break;
      }
      case Event::value: break;
    }
    return true;
  };
  return nlohmann::json::parse(text, check);
}

void CheckFactsDepth(const nlohmann::json& j, const std::string& root) {
  // The chain from `j` to the node being visited: each container with its next child to visit.
  struct Frame {
    const nlohmann::json* node;
    nlohmann::json::const_iterator next;
  };
  if (!j.is_structured()) return;
  std::vector<Frame> chain{{&j, j.cbegin()}};
  while (!chain.empty()) {
    Frame& f = chain.back();
    if (f.next == f.node->cend()) {
      chain.pop_back();
      continue;
    }
    const nlohmann::json& child = *f.next;
    ++f.next;
    if (!child.is_structured()) continue;
    if (static_cast<int>(chain.size()) >= kMaxFactsDepth) {
      std::string path = root;
      for (size_t k = 0; k < chain.size() && k < 8; ++k) {
        const Frame& c = chain[k];
        auto at = std::prev(c.next);
        path += c.node->is_object() ? (path.empty() ? "" : ".") + at.key()
                                    : fmt::format("[{}]", std::distance(c.node->cbegin(), at));
      }
      if (chain.size() > 8) path += "...";
      throw FactsError(path, fmt::format("the facts nest deeper than {} objects and arrays", kMaxFactsDepth));
    }
    chain.push_back({&child, child.cbegin()});
  }
}

Value FactsFromJson(const nlohmann::json& facts, const ir::Program& p) {
  static const std::string kRoot;
  CheckFactsDepth(facts, "");
  return RecordFromJson(facts, p.input_record, p, Path{&kRoot}, Place{p.fact_nodes.empty() ? -1 : 0, -1});
}

nlohmann::json ValueToJson(const Value& v, const Type* t, const TypeTable& types) {
  if (v.is_none() || v.is_unknown()) return nullptr;  // an unknown value has no JSON form: callers say so
  if (t->kind == TypeKind::kOptional) t = t->elem;
  switch (v.kind) {
    case Value::Kind::kNone:
    case Value::Kind::kUnknown: return nullptr;
    case Value::Kind::kBool: return v.b();
    case Value::Kind::kInt: return v.i;
    case Value::Kind::kDecimal: {
      // A number when its double gives back the same 6 places; else the exact text, the form facts
      // accept for exact values (999999999999.999999 is not silently 1e12).
      std::string text = FormatDecimal(v.i);
      nlohmann::json n = nlohmann::json::parse(text);
      if (n.is_number_integer() || std::llround(n.get<double>() * kDecimalScale) == v.i) return n;
      return text;
    }
    case Value::Kind::kText: return v.text;
    case Value::Kind::kDate: return FormatDate(v.i);
    case Value::Kind::kDateTime: return FormatDateTime(v.i);
    case Value::Kind::kDuration: return FormatDuration(v.duration());
    case Value::Kind::kEnum: return types.enum_info(t->index).variants.at(v.i);
    case Value::Kind::kRecord: {
      nlohmann::json o = nlohmann::json::object();
      const RecordInfo& r = types.record_info(t->index);
      for (size_t i = 0; i < r.fields.size(); ++i) o[r.fields[i].name] = ValueToJson(v.elems()[i], r.fields[i].type, types);
      return o;
    }
    case Value::Kind::kList:
    case Value::Kind::kSet: {
      nlohmann::json a = nlohmann::json::array();
      for (const Value& x : v.elems()) a.push_back(ValueToJson(x, t->elem, types));
      return a;
    }
  }
  return nullptr;
}

Value ParseParamValue(const std::string& text, const Type* t, const ir::Program& p, const std::string& name) {
  // JSON first (numbers, booleans, arrays, quoted text); then the bare spellings the CLI allows.
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) j = text;  // `60 days`, `2020-08-31`, `national_security`, bare text
  if (t->kind == TypeKind::kOptional && text == "none") j = nullptr;  // the Proviso spelling of no value
  if (t->kind == TypeKind::kDecimal && j.is_number()) j = text;  // keep decimals exact
  const Type* base = t->kind == TypeKind::kOptional ? t->elem : t;
  if (base->kind == TypeKind::kText && !j.is_string() && !(j.is_null() && base != t)) j = text;  // `--set label=42`
  return ValueFromJson(j, t, p, name);
}

}  // namespace proviso::interp
