// Embeds Proviso: compile a policy once, evaluate facts, read outputs and obligations.
//   embed POLICY FACTS.json [AS_OF]
#include <fstream>
#include <iostream>

#include <proviso/proviso.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: embed POLICY FACTS.json [AS_OF]\n";
    return 2;
  }
  try {
    proviso::Engine engine;
    proviso::Policy policy = engine.CompileFile(argv[1]);
    std::ifstream in(argv[2]);
    if (!in) {
      std::cerr << "cannot read " << argv[2] << "\n";
      return 1;
    }
    nlohmann::json facts = nlohmann::json::parse(in);
    proviso::EvalOptions options;
    if (argc > 3) options.as_of = argv[3];
    proviso::Decision decision = policy.Evaluate(facts, options);
    std::cout << "policy " << policy.name() << " as of " << decision.as_of() << "\n";
    for (auto it = decision.outputs().begin(); it != decision.outputs().end(); ++it) {
      std::cout << "  " << it.key() << " = " << it.value().dump() << "\n";
    }
    for (const proviso::Obligation& o : decision.obligations()) {
      std::cout << "  " << o.subject << " " << proviso::ModalityName(o.modality) << " " << o.action
                << (o.deadline ? " by " + *o.deadline : "") << (o.violated ? " [violated]" : "") << "\n";
    }
    return 0;
  } catch (const proviso::CompileError& e) {
    for (const auto& d : e.diagnostics()) std::cerr << d.rendered;
    return 1;
  } catch (const proviso::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
