// _proviso: batch column specs and element types, and the numpy column conversions the Python
// side calls before and after evaluate_batch (ticks_to_units, units_to_ns, factorize_objects,
// encode_enum_sets).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "module_internal.h"

namespace proviso::python {

// ---------------------------------------------------------------- columns

namespace {

const char* KindName(proviso::ColumnKind k) {
  switch (k) {
    case proviso::ColumnKind::kBool: return "bool";
    case proviso::ColumnKind::kInt: return "int";
    case proviso::ColumnKind::kDecimal: return "decimal";
    case proviso::ColumnKind::kDate: return "date";
    case proviso::ColumnKind::kDuration: return "duration";
    case proviso::ColumnKind::kEnum: return "enum";
    case proviso::ColumnKind::kText: return "text";
    case proviso::ColumnKind::kEnumSet: return "enum_set";
    case proviso::ColumnKind::kDateTime: return "datetime";
  }
  return "int";
}

}  // namespace

py::list SpecsToPython(const std::vector<proviso::ColumnSpec>& specs) {
  py::list out;
  for (const proviso::ColumnSpec& s : specs) {
    py::dict d;
    d["name"] = s.name;
    d["kind"] = KindName(s.kind);
    d["optional"] = s.optional;
    d["has_default"] = s.has_default;
    d["width"] = s.width;
    d["categories"] = s.categories;
    out.append(d);
  }
  return out;
}

// MaskArray: module_internal.h.

// A column as a C-contiguous numpy array of its spec's element type (ColumnSpec::width): uint8
// bools, int8/int32 enum codes, int64 otherwise. Converted only when the dtype differs.
py::array EnsureColumn(const py::handle& h, const proviso::ColumnSpec& s) {
  constexpr int kFlags = py::array::c_style | py::array::forcecast;
  if (s.width == 1) {
    if (s.kind == proviso::ColumnKind::kBool) return py::array_t<uint8_t, kFlags>::ensure(h);
    return py::array_t<int8_t, kFlags>::ensure(h);
  }
  if (s.width == 4) return py::array_t<int32_t, kFlags>::ensure(h);
  return py::array_t<int64_t, kFlags>::ensure(h);
}

// Writes one element of an output column at its width.
void Put(void* column, const proviso::ColumnSpec& s, int64_t row, int64_t value) {
  if (s.width == 1) static_cast<int8_t*>(column)[row] = static_cast<int8_t>(value);
  else if (s.width == 4) static_cast<int32_t*>(column)[row] = static_cast<int32_t>(value);
  else static_cast<int64_t*>(column)[row] = value;
}

py::array NewColumn(const proviso::ColumnSpec& s, int64_t rows) {
  if (s.width == 1) {
    if (s.kind == proviso::ColumnKind::kBool) return py::array_t<uint8_t>(rows);
    return py::array_t<int8_t>(rows);
  }
  if (s.width == 4) return py::array_t<int32_t>(rows);
  return py::array_t<int64_t>(rows);
}

// ticks_to_units(ticks, ticks_per_unit, whole) -> (units, first bad row or -1)
// datetime64/timedelta64 ticks (int64, NaT = INT64_MIN) to whole units (days, seconds) in one
// pass, GIL released: floor division; with `whole`, the first value that is not a whole number of
// units is reported. NaT becomes 0 (the caller's mask says it is missing). Also bound as
// ticks_to_days (its first use: ticks to days).
py::tuple TicksToUnits(const py::array_t<int64_t, py::array::c_style | py::array::forcecast>& ticks,
                       int64_t ticks_per_unit, bool whole) {
  if (ticks_per_unit <= 0) throw proviso::Error("ticks_to_units: ticks_per_unit must be positive");
  const int64_t n = ticks.size();
  py::array_t<int64_t> units(n);
  const int64_t* in = ticks.data();
  int64_t* out = units.mutable_data();
  int64_t bad = -1;
  {
    py::gil_scoped_release release;
    constexpr int64_t kNaT = INT64_MIN;
    bool any = false;
    auto convert = [&](auto per) {  // `per` a compile-time constant where it can be: no division
      for (int64_t i = 0; i < n; ++i) {
        int64_t t = in[i] == kNaT ? 0 : in[i];
        int64_t q = t / per, r = t % per;
        out[i] = q - (r < 0);  // floor
        any |= whole & (r != 0);
      }
    };
    switch (ticks_per_unit) {
      case 86'400'000'000'000: convert(std::integral_constant<int64_t, 86'400'000'000'000>{}); break;  // ns/day
      case 86'400'000'000: convert(std::integral_constant<int64_t, 86'400'000'000>{}); break;          // us/day
      case 86'400: convert(std::integral_constant<int64_t, 86'400>{}); break;                          // s/day
      case 1'000'000'000: convert(std::integral_constant<int64_t, 1'000'000'000>{}); break;            // ns/s
      case 1'000'000: convert(std::integral_constant<int64_t, 1'000'000>{}); break;                    // us/s
      case 1'000: convert(std::integral_constant<int64_t, 1'000>{}); break;                            // ms/s
      case 1: std::copy(in, in + n, out); std::replace(out, out + n, kNaT, int64_t{0}); break;
      default: convert(ticks_per_unit);
    }
    if (any) {
      for (int64_t i = 0; i < n && bad < 0; ++i) if (in[i] != kNaT && in[i] % ticks_per_unit != 0) bad = i;
    }
  }
  return py::make_tuple(units, bad);
}

namespace {

// The texts of one column and their codes, keyed by a str's own characters (its kind, 1, 2 or 4
// bytes a character, and its data, as CPython holds it: equal strs have equal kinds and bytes) and
// its hash (CPython's, cached in the object). Open addressing in one flat array: a lookup or an
// insertion allocates nothing (the array grows by doubling, which amortises to nothing a row), and
// no UTF-8 copy is made of a str that is not ASCII. The strs must outlive the table (they are the
// column's cells, or the category strs the caller keeps).
class TextCodes {
 public:
  // INVARIANT: slots_.size() is a power of two, at least twice the number of entries.
  TextCodes() : slots_(64) {}

  // The code of `o` (a ready str), or -1 if it is not in the table.
  int64_t Find(PyObject* o) const {
    Key k = KeyOf(o);
    for (size_t i = static_cast<size_t>(k.hash) & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& s = slots_[i];
      if (!s.data) return -1;
      if (Same(s, k)) return s.code;
    }
  }

  // The code of `o`, added with `code` if it is not in the table; `fresh` says which.
  int64_t FindOrAdd(PyObject* o, int64_t code, bool& fresh) {
    Key k = KeyOf(o);
    size_t i = static_cast<size_t>(k.hash) & (slots_.size() - 1);
    for (;; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& s = slots_[i];
      if (!s.data) break;
      if (Same(s, k)) {
        fresh = false;
        return s.code;
      }
    }
    fresh = true;
    slots_[i] = Slot{k.hash, k.data, k.bytes, k.kind, code};
    if (2 * ++size_ > slots_.size()) Grow();
    return code;
  }

 private:
  struct Key {
    Py_hash_t hash;
    const void* data;
    size_t bytes;
    int kind;
  };
  struct Slot {
    Py_hash_t hash = 0;
    const void* data = nullptr;  // nullptr: an empty slot
    size_t bytes = 0;
    int kind = 0;
    int64_t code = 0;
  };

  static Key KeyOf(PyObject* o) {
    int kind = PyUnicode_KIND(o);
    const void* data = PyUnicode_DATA(o);
    size_t bytes = static_cast<size_t>(PyUnicode_GET_LENGTH(o)) * kind;
    return Key{Hash(data, bytes), data, bytes, kind};
  }
  // A hash of the characters 8 bytes at a time (cheaper than str's SipHash on the short texts of
  // a column; equal strs have equal kinds, so the kind need not be hashed).
  static Py_hash_t Hash(const void* data, size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    uint64_t h = 0x9E3779B97F4A7C15ull ^ bytes;
    auto mix = [&h](uint64_t w) {
      h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
      h ^= h >> 29;
    };
    for (; bytes >= 8; p += 8, bytes -= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      mix(w);
    }
    if (bytes > 0) {
      uint64_t w = 0;
      std::memcpy(&w, p, bytes);
      mix(w);
    }
    h = (h ^ (h >> 32)) * 0x94D049BB133111EBull;
    return static_cast<Py_hash_t>(h ^ (h >> 29));
  }
  static bool Same(const Slot& s, const Key& k) {
    return s.hash == k.hash && s.bytes == k.bytes && s.kind == k.kind && std::memcmp(s.data, k.data, k.bytes) == 0;
  }
  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (!s.data) continue;
      size_t i = static_cast<size_t>(s.hash) & (slots_.size() - 1);
      while (slots_[i].data) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace

// factorize_objects(values, categories, width, missing) -> (codes, uniques, first bad row, why)
// An object column of texts to dictionary codes in one pass (pandas' factorize hashes every
// element; here a cache keyed by the object's identity answers most rows of a column that repeats
// the same str objects, and the others, such as pandas.read_json's one str per cell, are looked
// up by their characters in a flat table that allocates nothing a row: TextCodes). None, float
// NaN and the objects in `missing` (pandas NA, NaT) are missing: code -1. With `categories` (an
// enum), a text's code is its index there; without, codes number the distinct texts in order of
// first appearance (`uniques`). Codes are int8/int32/int64 by `width`. The first row that is not a
// text (why = "type"), not a category (why = "category") or a text that is not valid Unicode (why =
// "utf8": a lone surrogate) stops the pass and is reported; otherwise the row is -1. Signals
// (Ctrl-C) are checked every 2^16 rows.
py::tuple FactorizeObjects(const py::array& values, const std::optional<std::vector<std::string>>& categories,
                           int width, const py::tuple& missing) {
  if (values.ndim() != 1 || values.dtype().kind() != 'O') {
    throw proviso::Error("factorize_objects: expected a 1-d object array");
  }
  const int64_t n = values.shape(0);
  const auto* base = static_cast<const char*>(values.data());
  const py::ssize_t stride = values.strides(0);
  py::array codes = width == 1 ? py::array(py::dtype::of<int8_t>(), n)
                    : width == 4 ? py::array(py::dtype::of<int32_t>(), n)
                                 : py::array(py::dtype::of<int64_t>(), n);
  void* out = codes.mutable_data();
  auto put = [&](int64_t i, int64_t code) {
    if (width == 1) static_cast<int8_t*>(out)[i] = static_cast<int8_t>(code);
    else if (width == 4) static_cast<int32_t*>(out)[i] = static_cast<int32_t>(code);
    else static_cast<int64_t*>(out)[i] = code;
  };
  TextCodes by_text;
  py::list uniques;
  std::vector<py::str> category_strs;  // the keys of an enum's table: they live as long as it
  if (categories) {
    category_strs.reserve(categories->size());
    for (size_t k = 0; k < categories->size(); ++k) {
      category_strs.emplace_back((*categories)[k]);
      bool fresh = false;
      by_text.FindOrAdd(category_strs.back().ptr(), static_cast<int64_t>(k), fresh);
    }
  }
  int64_t distinct = 0;
  struct Entry {
    PyObject* object = nullptr;
    int64_t code = 0;
  };
  std::vector<Entry> cache(1024);
  std::vector<PyObject*> markers;
  for (const py::handle& m : missing) markers.push_back(m.ptr());
  constexpr int64_t kAhead = 32;
  for (int64_t i = 0; i < n; ++i) {
    if ((i & 0xFFFF) == 0xFFFF && PyErr_CheckSignals() != 0) throw py::error_already_set();
    PyObject* o = *reinterpret_cast<PyObject* const*>(base + i * stride);
    if (i + kAhead < n) {  // cells are objects all over the heap: ask for one a few rows ahead now
      const char* later = *reinterpret_cast<const char* const*>(base + (i + kAhead) * stride);
      __builtin_prefetch(later);
      __builtin_prefetch(later + 63);  // a short str's characters follow its header
    }
    Entry& e = cache[(reinterpret_cast<uintptr_t>(o) >> 4) & 1023];
    if (e.object == o) {
      put(i, e.code);
      continue;
    }
    int64_t code;
    if (o == Py_None || std::find(markers.begin(), markers.end(), o) != markers.end() ||
        (PyFloat_Check(o) && std::isnan(PyFloat_AS_DOUBLE(o)))) {
      code = -1;
    } else if (PyUnicode_Check(o)) {
      if (PyUnicode_READY(o) != 0) throw py::error_already_set();
      if (categories) {
        code = by_text.Find(o);
        if (code < 0) return py::make_tuple(codes, uniques, i, "category");
      } else {
        bool fresh = false;
        code = by_text.FindOrAdd(o, distinct, fresh);
        if (fresh) {  // once per distinct text: one the SDK cannot take as UTF-8 (a lone surrogate) stops here
          if (!PyUnicode_AsUTF8AndSize(o, nullptr)) {
            PyErr_Clear();
            return py::make_tuple(codes, uniques, i, "utf8");
          }
          ++distinct;
          uniques.append(o);
        }
      }
    } else {
      return py::make_tuple(codes, uniques, i, "type");
    }
    e = Entry{o, code};
    put(i, code);
  }
  return py::make_tuple(codes, uniques, int64_t{-1}, "");
}

// encode_enum_sets(values, categories, missing) -> (masks, present, first bad row, why, bad item)
// An object column whose cells are collections (set, frozenset, list, tuple, any iterable but a
// str) of enum value names, to uint64 bitmasks (bit k: categories[k]) in one pass. None, float
// NaN and the objects in `missing` are absent rows (present 0). The first cell that is not a
// collection of str (why = "type", the cell or the element) or holds a name that is not a
// category (why = "category", the name) stops the pass; otherwise the row is -1. Signals (Ctrl-C)
// are checked every 2^16 rows.
py::tuple EncodeEnumSets(const py::array& values, const std::vector<std::string>& categories,
                         const py::tuple& missing) {
  if (values.ndim() != 1 || values.dtype().kind() != 'O') {
    throw proviso::Error("encode_enum_sets: expected a 1-d object array");
  }
  if (categories.size() > 64) throw proviso::Error("encode_enum_sets: more than 64 categories");
  const int64_t n = values.shape(0);
  const auto* base = static_cast<const char*>(values.data());
  const py::ssize_t stride = values.strides(0);
  py::array_t<int64_t> masks(n);
  MaskArray present(n);
  int64_t* out = masks.mutable_data();
  uint8_t* has = present.mutable_data();
  std::unordered_map<std::string_view, int> bit_of;
  for (size_t k = 0; k < categories.size(); ++k) bit_of.emplace(categories[k], static_cast<int>(k));
  std::unordered_map<PyObject*, int> by_identity;  // interned names repeat: most lookups end here
  std::vector<PyObject*> markers;
  for (const py::handle& m : missing) markers.push_back(m.ptr());
  auto stop = [&](int64_t row, const char* why, py::handle item) {
    return py::make_tuple(masks, present, row, why, py::reinterpret_borrow<py::object>(item));
  };
  for (int64_t i = 0; i < n; ++i) {
    if ((i & 0xFFFF) == 0xFFFF && PyErr_CheckSignals() != 0) throw py::error_already_set();
    PyObject* o = *reinterpret_cast<PyObject* const*>(base + i * stride);
    out[i] = 0;
    has[i] = 0;
    if (o == Py_None || std::find(markers.begin(), markers.end(), o) != markers.end() ||
        (PyFloat_Check(o) && std::isnan(PyFloat_AS_DOUBLE(o)))) {
      continue;
    }
    if (PyUnicode_Check(o) || PyBytes_Check(o)) return stop(i, "type", o);
    py::object iter = py::reinterpret_steal<py::object>(PyObject_GetIter(o));
    if (!iter) {
      PyErr_Clear();
      return stop(i, "type", o);
    }
    // The elements of a list, tuple or set live as long as the column: their identity can be cached.
    bool lasting = PyList_Check(o) || PyTuple_Check(o) || PyAnySet_Check(o);
    uint64_t mask = 0;
    while (PyObject* raw = PyIter_Next(iter.ptr())) {
      py::object item = py::reinterpret_steal<py::object>(raw);
      auto known = by_identity.find(raw);
      int bit;
      if (known != by_identity.end()) {
        bit = known->second;
      } else {
        if (!PyUnicode_Check(raw)) return stop(i, "type", raw);
        Py_ssize_t size = 0;
        const char* utf8 = PyUnicode_AsUTF8AndSize(raw, &size);
        if (!utf8) throw py::error_already_set();
        auto it = bit_of.find(std::string_view(utf8, static_cast<size_t>(size)));
        if (it == bit_of.end()) return stop(i, "category", raw);
        bit = it->second;
        if (lasting) by_identity.emplace(raw, bit);
      }
      mask |= uint64_t{1} << bit;
    }
    if (PyErr_Occurred()) throw py::error_already_set();
    out[i] = static_cast<int64_t>(mask);
    has[i] = 1;
  }
  return py::make_tuple(masks, present, int64_t{-1}, "", py::none());
}

// units_to_ns(values, present, ns_per_unit) -> (datetime64[ns] ticks as int64, first row out of
// range or -1)
// Day or second numbers (ns_per_unit 86400e9 or 1e9) to nanoseconds since 1970 in one pass, NaT
// (INT64_MIN) where `present` is 0 (None: every row has a value). A value outside what
// datetime64[ns] holds (1677-09-21 .. 2262-04-11) is reported, never wrapped around. Also bound as
// days_to_ns(days, present).
py::tuple UnitsToNs(const py::array_t<int64_t, py::array::c_style | py::array::forcecast>& values,
                    const std::optional<MaskArray>& present, int64_t ns_per_unit) {
  const int64_t n = values.size();
  if (present && present->size() != n) throw proviso::Error("units_to_ns: the mask is not of the column's length");
  if (ns_per_unit <= 0) throw proviso::Error("units_to_ns: ns_per_unit must be positive");
  py::array_t<int64_t> ns(n);
  const int64_t* in = values.data();
  const uint8_t* mask = present ? present->data() : nullptr;
  int64_t* out = ns.mutable_data();
  int64_t bad = -1;
  {
    py::gil_scoped_release release;
    constexpr int64_t kNaT = INT64_MIN;
    const int64_t lo = INT64_MIN / ns_per_unit + 1, hi = INT64_MAX / ns_per_unit;
    const uint64_t per = static_cast<uint64_t>(ns_per_unit);
    bool any = false;
    for (int64_t i = 0; i < n; ++i) {
      bool has = !mask || mask[i];
      int64_t d = in[i];
      any |= has & ((d < lo) | (d > hi));
      out[i] = has ? static_cast<int64_t>(static_cast<uint64_t>(d) * per) : kNaT;  // wraps if bad
    }
    if (any) {
      for (int64_t i = 0; i < n && bad < 0; ++i) {
        if ((!mask || mask[i]) && (in[i] < lo || in[i] > hi)) bad = i;
      }
    }
  }
  return py::make_tuple(ns, bad);
}

}  // namespace proviso::python
