// _proviso: JSON values and decisions (obligations, items, explanations) as Python objects.

#include <utility>

#include "module_internal.h"

namespace proviso::python {

py::object FromJson(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return py::none();
    case json::value_t::boolean: return py::bool_(j.get<bool>());
    case json::value_t::number_integer: return py::int_(j.get<int64_t>());
    case json::value_t::number_unsigned: return py::int_(j.get<uint64_t>());
    case json::value_t::number_float: return py::float_(j.get<double>());
    case json::value_t::string: return py::str(j.get_ref<const std::string&>());
    case json::value_t::array: {
      py::list l;
      for (const json& x : j) l.append(FromJson(x));
      return std::move(l);
    }
    case json::value_t::object: {
      py::dict d;
      for (auto it = j.begin(); it != j.end(); ++it) d[py::str(it.key())] = FromJson(it.value());
      return std::move(d);
    }
    default: return py::none();
  }
}

namespace {

py::dict ItemRefDict(const proviso::ItemRef& r) {
  py::dict x;
  x["scope"] = r.scope;
  x["index"] = r.index;
  x["key"] = FromJson(r.key);
  return x;
}

}  // namespace

// ---------------------------------------------------------------- decisions

// PyDecision: module_internal.h.

// Called with the GIL held; evaluates with it released.
const json& PyDecision::Facts() {
  if (source && !source.is_none()) {
    Converter conv = Converter::Make();
    facts = ToJson(source, "", conv);
    source = py::none();
  }
  return facts;
}

const proviso::Decision& PyDecision::Explained() {
  if (options.explain) return decision;
  if (!explained) {
    Facts();
    proviso::EvalOptions o = options;
    o.explain = true;
    o.as_of = decision.as_of();  // the date the decision was made for (default: today)
    proviso::Decision e;
    {
      py::gil_scoped_release release;
      e = policy.Evaluate(facts, o);
    }
    explained = std::move(e);
  }
  return *explained;
}

// Dicts: name, modality, subject, action, deadline (text or None), deadline_kind, standard,
// status, citations [(document, article)], citation_texts [the paragraph cited, or "" when the
// citation names a provision in words], interpretation ("" or how the text is read), violated,
// item (None or {scope, index, key}).
py::list ObligationDicts(const PyDecision& d) {
  py::list out;
  for (const proviso::Obligation& o : d.decision.obligations()) {
    py::list cites;
    py::list texts;
    for (const proviso::Citation& c : o.citations) {
      cites.append(py::make_tuple(c.document, c.article));
      texts.append(c.text);
    }
    py::dict x;
    x["name"] = o.name;
    x["modality"] = proviso::ModalityName(o.modality);
    x["subject"] = o.subject;
    x["action"] = o.action;
    x["deadline"] = o.deadline ? py::object(py::str(*o.deadline)) : py::object(py::none());
    x["deadline_kind"] = o.deadline_kind;
    x["standard"] = o.standard;
    x["status"] = o.status;
    x["citations"] = cites;
    x["citation_texts"] = texts;
    x["interpretation"] = o.interpretation;
    x["violated"] = o.violated;
    x["applies_undetermined"] = o.applies_undetermined;
    x["violation_undetermined"] = o.violation_undetermined;
    x["missing"] = o.missing;
    x["item"] = o.item ? py::object(ItemRefDict(*o.item)) : py::object(py::none());
    out.append(x);
  }
  return out;
}

// Dicts: scope, index, key, law_as_of, outputs.
py::list ItemDicts(const PyDecision& d) {
  py::list out;
  for (const proviso::Item& it : d.decision.items()) {
    py::dict x = ItemRefDict(it.ref);
    x["law_as_of"] = it.law_as_of;
    x["outputs"] = FromJson(it.outputs);
    x["undetermined"] = FromJson(it.undetermined);
    out.append(x);
  }
  return out;
}

}  // namespace proviso::python
