#include "compiler/ir/value.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

namespace proviso {

Value Value::Record(std::vector<Value> fields) {
  Value v;
  v.kind = Kind::kRecord;
  v.items = std::make_shared<const std::vector<Value>>(std::move(fields));
  return v;
}

Value Value::List(std::vector<Value> items) {
  Value v;
  v.kind = Kind::kList;
  v.items = std::make_shared<const std::vector<Value>>(std::move(items));
  return v;
}

Value Value::Set(std::vector<Value> items) {
  std::sort(items.begin(), items.end(), [](const Value& a, const Value& b) { return Compare(a, b) < 0; });
  items.erase(std::unique(items.begin(), items.end()), items.end());
  Value v;
  v.kind = Kind::kSet;
  v.items = std::make_shared<const std::vector<Value>>(std::move(items));
  return v;
}

Value Value::Unknown(const std::vector<int>& missing) {
  std::vector<Value> ids;
  ids.reserve(missing.size());
  for (int id : missing) ids.push_back(Int(id));
  Value v;
  v.kind = Kind::kUnknown;
  v.items = std::make_shared<const std::vector<Value>>(std::move(ids));
  return v;
}

void AddMissing(std::vector<int>& into, const std::vector<int>& more) {
  if (more.empty()) return;
  std::vector<int> merged;
  merged.reserve(into.size() + more.size());
  std::set_union(into.begin(), into.end(), more.begin(), more.end(), std::back_inserter(merged));
  into = std::move(merged);
}

void AddMissing(std::vector<int>& into, const Value& v) {
  if (v.is_unknown()) AddMissing(into, MissingOf(v));
}

std::vector<int> MissingOf(const Value& v) {
  std::vector<int> out;
  if (!v.is_unknown()) return out;
  for (const Value& id : v.elems()) out.push_back(static_cast<int>(id.i));
  return out;
}

namespace {
void AddDeep(std::vector<int>& into, const Value& v) {
  if (v.is_unknown()) return AddMissing(into, v);
  if (v.kind != Value::Kind::kRecord && v.kind != Value::Kind::kList && v.kind != Value::Kind::kSet) return;
  for (const Value& x : v.elems()) AddDeep(into, x);
}
}  // namespace

std::vector<int> DeepMissingOf(const Value& v) {
  std::vector<int> out;
  AddDeep(out, v);
  return out;
}

bool HasUnknownPart(const Value& v) {
  if (v.is_unknown()) return true;
  if (v.kind != Value::Kind::kRecord && v.kind != Value::Kind::kList && v.kind != Value::Kind::kSet) return false;
  for (const Value& x : v.elems()) if (HasUnknownPart(x)) return true;
  return false;
}

const std::vector<Value>& Value::elems() const {
  static const std::vector<Value> kEmpty;
  return items ? *items : kEmpty;
}

int Compare(const Value& a, const Value& b) {
  if (a.kind != b.kind) return a.kind < b.kind ? -1 : 1;
  switch (a.kind) {
    case Value::Kind::kNone: return 0;
    case Value::Kind::kText: return a.text.compare(b.text) < 0 ? -1 : a.text == b.text ? 0 : 1;
    case Value::Kind::kDuration:
      if (a.months != b.months) return a.months < b.months ? -1 : 1;
      return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
    case Value::Kind::kRecord:
    case Value::Kind::kList:
    case Value::Kind::kSet:
    case Value::Kind::kUnknown: {
      const auto& x = a.elems();
      const auto& y = b.elems();
      for (size_t k = 0; k < x.size() && k < y.size(); ++k) {
        int c = Compare(x[k], y[k]);
        if (c) return c;
      }
      return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
    }
    default: return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
  }
}

int CompareRank(const Value& a, const Value& b, const Type* t, const TypeTable& types) {
  switch (t->kind) {
    case TypeKind::kEnum: case TypeKind::kInt: case TypeKind::kDecimal: case TypeKind::kDate: case TypeKind::kDateTime:
      return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
    case TypeKind::kRecord: {
      const auto& fields = types.record_info(t->index).fields;
      for (size_t f = 0; f < fields.size(); ++f) {
        int c = CompareRank(a.elems()[f], b.elems()[f], fields[f].type, types);
        if (c != 0) return c;
      }
      return 0;
    }
    default: return 0;
  }
}

std::string FormatDecimal(int64_t units) {
  bool neg = units < 0;
  uint64_t u = neg ? -static_cast<uint64_t>(units) : static_cast<uint64_t>(units);
  std::string frac = fmt::format("{:06}", u % 1000000);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return fmt::format("{}{}{}{}", neg ? "-" : "", u / 1000000, frac.empty() ? "" : ".", frac);
}

std::string FormatValue(const Value& v, const Type* t, const TypeTable& types) {
  if (v.is_none()) return "none";
  if (v.is_unknown()) return "unknown";
  if (t->kind == TypeKind::kOptional) t = t->elem;
  switch (v.kind) {
    case Value::Kind::kNone: return "none";
    case Value::Kind::kUnknown: return "unknown";
    case Value::Kind::kBool: return v.b() ? "true" : "false";
    case Value::Kind::kInt: return std::to_string(v.i);
    case Value::Kind::kDecimal: return FormatDecimal(v.i);
    case Value::Kind::kText: {
      std::string out = "\"";
      for (char c : v.text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      return out + "\"";
    }
    case Value::Kind::kDate: return FormatDate(v.i);
    case Value::Kind::kDateTime: return FormatDateTime(v.i);
    case Value::Kind::kDuration: return FormatDuration(v.duration());
    case Value::Kind::kEnum:
      if (t->kind == TypeKind::kEnum) return types.enum_info(t->index).variants.at(v.i);
      return std::to_string(v.i);
    case Value::Kind::kRecord: {
      std::string out = "{";
      const auto& xs = v.elems();
      if (t->kind == TypeKind::kRecord) {
        const RecordInfo& r = types.record_info(t->index);
        for (size_t k = 0; k < xs.size() && k < r.fields.size(); ++k) {
          out += fmt::format("{}{}: {}", k ? ", " : "", r.fields[k].name, FormatValue(xs[k], r.fields[k].type, types));
        }
      }
      return out + "}";
    }
    case Value::Kind::kList:
    case Value::Kind::kSet: {
      bool set = v.kind == Value::Kind::kSet;
      std::string out = set ? "{" : "[";
      const Type* et = t->elem ? t->elem : t;
      const auto& xs = v.elems();
      for (size_t k = 0; k < xs.size(); ++k) out += (k ? ", " : "") + FormatValue(xs[k], et, types);
      return out + (set ? "}" : "]");
    }
  }
  return "?";
}

}  // namespace proviso
