// The C ABI's typed rows (proviso_row_* in runtime/include/proviso/proviso_c.h) over proviso::Row.
// Handles are the C++ handles copied into proviso_handle's opaque words, with a tag saying which
// kind they are.
#include <cstring>
#include <type_traits>

#include "proviso/row.h"
#include "runtime/src/proviso_c_internal.h"

using proviso::capi::Copy;
using proviso::capi::Fail;
using proviso::capi::Guard;

struct proviso_row {
  proviso::Row row;
};

namespace {

enum Tag : unsigned long long { kInput = 0x70726f7669736f31, kOutput, kObligation };

template <typename H>
void Pack(const H& h, Tag tag, proviso_handle* out) {
  static_assert(std::is_trivially_copyable_v<H> && sizeof(H) + sizeof(unsigned long long) <= sizeof(proviso_handle));
  std::memset(out, 0, sizeof(*out));
  out->opaque[0] = tag;
  std::memcpy(&out->opaque[1], &h, sizeof(H));
}

template <typename H>
H Unpack(const proviso_handle* in, Tag tag) {
  if (!in || in->opaque[0] != tag) {
    throw proviso::Error(tag == kInput ? "not an input field's handle (proviso_input)"
                         : tag == kOutput ? "not an output's handle (proviso_output)"
                                          : "not an obligation's handle (proviso_obligation)");
  }
  H h;
  std::memcpy(&h, &in->opaque[1], sizeof(H));
  return h;
}

// Runs `f`: the SDK's FactsError and EvaluationError keep their statuses; any other proviso::Error
// of a row (a handle of another kind or policy, an undetermined output read) is the caller's mistake.
template <typename F>
proviso_status RowCall(proviso_error** error, F f) {
  return Guard(error, [&] {
    try {
      f();
    } catch (const proviso::FactsError&) {
      throw;
    } catch (const proviso::EvaluationError&) {
      throw;
    } catch (const proviso::Error& e) {
      throw proviso::capi::UsageError(e.what());
    }
  });
}

template <typename F>
proviso_status Get(const proviso_row* row, void* out, proviso_error** error, F f) {
  if (!row || !out) return Fail(error, PROVISO_ERROR_USAGE, "the row and the result must not be NULL");
  return RowCall(error, f);
}

template <typename F>
proviso_status Set(proviso_row* row, proviso_error** error, F f) {
  if (!row) return Fail(error, PROVISO_ERROR_USAGE, "the row must not be NULL");
  return RowCall(error, f);
}

}  // namespace

extern "C" {

proviso_status proviso_input(const proviso_policy* policy, const char* path, proviso_handle* field, proviso_error** error) {
  if (!policy || !path || !field) return Fail(error, PROVISO_ERROR_USAGE, "proviso_input: NULL argument");
  return RowCall(error, [&] { Pack(policy->policy.FindInput(path), kInput, field); });
}

proviso_status proviso_output(const proviso_policy* policy, const char* name, proviso_handle* output, proviso_error** error) {
  if (!policy || !name || !output) return Fail(error, PROVISO_ERROR_USAGE, "proviso_output: NULL argument");
  return RowCall(error, [&] { Pack(policy->policy.FindOutput(name), kOutput, output); });
}

proviso_status proviso_obligation(const proviso_policy* policy, const char* name, proviso_handle* obligation,
                                  proviso_error** error) {
  if (!policy || !name || !obligation) return Fail(error, PROVISO_ERROR_USAGE, "proviso_obligation: NULL argument");
  return RowCall(error, [&] { Pack(policy->policy.FindObligation(name), kObligation, obligation); });
}

proviso_status proviso_enum_code(const proviso_policy* policy, const proviso_handle* field, const char* value, int* code,
                                 proviso_error** error) {
  if (!policy || !value || !code) return Fail(error, PROVISO_ERROR_USAGE, "proviso_enum_code: NULL argument");
  return RowCall(error, [&] { *code = policy->policy.EnumCode(Unpack<proviso::InputField>(field, kInput), value); });
}

proviso_status proviso_enum_name(const proviso_policy* policy, const proviso_handle* output, int code, const char** name,
                                 proviso_error** error) {
  if (!policy || !name) return Fail(error, PROVISO_ERROR_USAGE, "proviso_enum_name: NULL argument");
  return RowCall(error, [&] { *name = policy->policy.EnumName(Unpack<proviso::OutputField>(output, kOutput), code).c_str(); });
}

proviso_status proviso_row_new(const proviso_policy* policy, const char* as_of, const char* params_json,
                               proviso_row** row, proviso_error** error) {
  if (!policy || !row) return Fail(error, PROVISO_ERROR_USAGE, "proviso_row_new: policy and row must not be NULL");
  *row = nullptr;
  return Guard(error, [&] {
    proviso::EvalOptions options;
    if (as_of) options.as_of = std::string(as_of);
    if (params_json) {
      nlohmann::json params = proviso::interp::ParseFactsJson(params_json);
      if (!params.is_object()) throw proviso::FactsError("the params must be a JSON object (name -> value)", "");
      for (auto it = params.begin(); it != params.end(); ++it) {
        options.params[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
      }
    }
    *row = new proviso_row{proviso::Row(policy->policy, options)};
  });
}

void proviso_row_free(proviso_row* row) { delete row; }

void proviso_row_clear(proviso_row* row) {
  if (row) row->row.Clear();
}

#define PROVISO_SETTER(NAME, TYPE, CALL)                                                                        \
  proviso_status proviso_row_set_##NAME(proviso_row* row, const proviso_handle* field, TYPE value,              \
                                        proviso_error** error) {                                                 \
    return Set(row, error, [&] { row->row.CALL(Unpack<proviso::InputField>(field, kInput), value); });          \
  }
PROVISO_SETTER(bool, int, SetBool)
PROVISO_SETTER(int, long long, SetInt)
PROVISO_SETTER(decimal_micros, long long, SetDecimalMicros)
PROVISO_SETTER(date, long long, SetDate)
PROVISO_SETTER(datetime, long long, SetDateTime)
PROVISO_SETTER(enum, int, SetEnum)
PROVISO_SETTER(enum_set, unsigned long long, SetEnumSet)
#undef PROVISO_SETTER

proviso_status proviso_row_set_duration(proviso_row* row, const proviso_handle* field, long long seconds,
                                        long long months, proviso_error** error) {
  return Set(row, error, [&] { row->row.SetDuration(Unpack<proviso::InputField>(field, kInput), seconds, months); });
}

proviso_status proviso_row_set_text(proviso_row* row, const proviso_handle* field, const char* text, size_t size,
                                    proviso_error** error) {
  if (!text && size) return Fail(error, PROVISO_ERROR_USAGE, "proviso_row_set_text: NULL text");
  return Set(row, error, [&] {
    row->row.SetText(Unpack<proviso::InputField>(field, kInput), std::string_view(text ? text : "", size));
  });
}

proviso_status proviso_row_set_none(proviso_row* row, const proviso_handle* field, proviso_error** error) {
  return Set(row, error, [&] { row->row.SetNone(Unpack<proviso::InputField>(field, kInput)); });
}

proviso_status proviso_row_set_unknown(proviso_row* row, const proviso_handle* field, proviso_error** error) {
  return Set(row, error, [&] { row->row.SetUnknown(Unpack<proviso::InputField>(field, kInput)); });
}

proviso_status proviso_row_set_json(proviso_row* row, const proviso_handle* field, const char* json, proviso_error** error) {
  if (!json) return Fail(error, PROVISO_ERROR_USAGE, "proviso_row_set_json: NULL json");
  return Set(row, error, [&] {
    row->row.SetJson(Unpack<proviso::InputField>(field, kInput), proviso::interp::ParseFactsJson(json));
  });
}

proviso_status proviso_row_evaluate(proviso_row* row, proviso_error** error) {
  return Set(row, error, [&] { row->row.Evaluate(); });
}

proviso_status proviso_row_determined(const proviso_row* row, const proviso_handle* output, int* determined,
                                      proviso_error** error) {
  return Get(row, determined, error,
             [&] { *determined = row->row.Determined(Unpack<proviso::OutputField>(output, kOutput)); });
}

proviso_status proviso_row_present(const proviso_row* row, const proviso_handle* output, int* present,
                                   proviso_error** error) {
  return Get(row, present, error, [&] { *present = row->row.Present(Unpack<proviso::OutputField>(output, kOutput)); });
}

proviso_status proviso_row_get_bool(const proviso_row* row, const proviso_handle* output, int* value, proviso_error** error) {
  return Get(row, value, error, [&] { *value = row->row.GetBool(Unpack<proviso::OutputField>(output, kOutput)); });
}

proviso_status proviso_row_get_int(const proviso_row* row, const proviso_handle* output, long long* value,
                                   proviso_error** error) {
  return Get(row, value, error, [&] {
    proviso::OutputField o = Unpack<proviso::OutputField>(output, kOutput);
    // An int, or a decimal (millionths), date (days), datetime (seconds): each an int64 in the row.
    switch (o.kind) {
      case proviso::FieldKind::kDecimal: *value = row->row.GetDecimalMicros(o); break;
      case proviso::FieldKind::kDate: *value = row->row.GetDate(o); break;
      case proviso::FieldKind::kDateTime: *value = row->row.GetDateTime(o); break;
      default: *value = row->row.GetInt(o); break;
    }
  });
}

proviso_status proviso_row_get_enum(const proviso_row* row, const proviso_handle* output, int* code, proviso_error** error) {
  return Get(row, code, error, [&] { *code = row->row.GetEnum(Unpack<proviso::OutputField>(output, kOutput)); });
}

proviso_status proviso_row_get_text(const proviso_row* row, const proviso_handle* output, const char** text,
                                    proviso_error** error) {
  return Get(row, text, error, [&] { *text = row->row.GetText(Unpack<proviso::OutputField>(output, kOutput)).c_str(); });
}

proviso_status proviso_row_get_obligation(const proviso_row* row, const proviso_handle* obligation,
                                          proviso_obligation_state* state, proviso_error** error) {
  return Get(row, state, error, [&] {
    proviso::ObligationState s = row->row.GetObligation(Unpack<proviso::ObligationField>(obligation, kObligation));
    state->applies = s.applies;
    state->violated = s.violated;
    state->has_deadline = s.deadline.has_value();
    state->deadline = s.deadline.value_or(0);
    state->status = static_cast<int>(s.status);
    state->applies_undetermined = s.applies_undetermined;
    state->violation_undetermined = s.violation_undetermined;
  });
}

proviso_status proviso_row_decision_json(const proviso_row* row, char** decision_json, proviso_error** error) {
  if (!row || !decision_json) return Fail(error, PROVISO_ERROR_USAGE, "proviso_row_decision_json: NULL argument");
  *decision_json = nullptr;
  return Guard(error, [&] {
    char* out = Copy(row->row.ToDecision().ToJson().dump());
    if (!out) throw std::bad_alloc();
    *decision_json = out;
  });
}

}  // extern "C"
