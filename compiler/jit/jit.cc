#include "compiler/jit/jit.h"

#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>

#include <fmt/format.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include "compiler/jit/disk_cache.h"
#include "compiler/support/calendar.h"

// Helpers called by generated code for calendar work and collection equality.
extern "C" {
int64_t proviso_rt_civil(int64_t days, int64_t which) {
  proviso::CivilDate c = proviso::CivilFromDays(days);
  return which == 0 ? c.year : which == 1 ? c.month : c.day;
}
int32_t proviso_rt_slots_equal(const int64_t* a, const int64_t* b, int64_t n) {
  return n == 0 || std::memcmp(a, b, static_cast<size_t>(n) * sizeof(int64_t)) == 0;
}
int32_t proviso_rt_set_equal(const int64_t* a, int64_t la, const int64_t* b, int64_t lb, int64_t stride) {
  auto contains = [&](const int64_t* xs, int64_t n, const int64_t* x) {
    for (int64_t i = 0; i < n; ++i) {
      if (std::memcmp(xs + i * stride, x, static_cast<size_t>(stride) * sizeof(int64_t)) == 0) return true;
    }
    return false;
  };
  for (int64_t i = 0; i < la; ++i) if (!contains(b, lb, a + i * stride)) return 0;
  for (int64_t i = 0; i < lb; ++i) if (!contains(a, la, b + i * stride)) return 0;
  return 1;
}
}

namespace proviso::jit {
namespace {

struct Jit {
  std::unique_ptr<llvm::orc::LLJIT> lljit;
  std::unique_ptr<llvm::TargetMachine> tm;
  std::mutex mu;
  std::atomic<int> next_id{0};
  std::string error;
};

Jit& Instance() {
  static Jit* jit = [] {
    auto* j = new Jit;
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!jtmb) {
      j->error = llvm::toString(jtmb.takeError());
      return j;
    }
    jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::Default);
    auto tm = jtmb->createTargetMachine();
    if (!tm) {
      j->error = llvm::toString(tm.takeError());
      return j;
    }
    j->tm = std::move(*tm);
    auto lljit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
    if (!lljit) {
      j->error = llvm::toString(lljit.takeError());
      return j;
    }
    j->lljit = std::move(*lljit);
    auto& es = j->lljit->getExecutionSession();
    llvm::orc::MangleAndInterner mangle(es, j->lljit->getDataLayout());
    llvm::orc::SymbolMap helpers;
    auto add = [&](const char* name, void* fn) {
      helpers[mangle(name)] = {llvm::orc::ExecutorAddr::fromPtr(fn), llvm::JITSymbolFlags::Exported};
    };
    add("proviso_rt_civil", reinterpret_cast<void*>(&proviso_rt_civil));
    add("proviso_rt_slots_equal", reinterpret_cast<void*>(&proviso_rt_slots_equal));
    add("proviso_rt_set_equal", reinterpret_cast<void*>(&proviso_rt_set_equal));
    if (auto err = j->lljit->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(helpers)))) {
      j->error = llvm::toString(std::move(err));
    }
    return j;
  }();
  return *jit;
}

struct MarkBatchReadsPass : llvm::PassInfoMixin<MarkBatchReadsPass> {
  llvm::PreservedAnalyses run(llvm::Function& f, llvm::FunctionAnalysisManager&) {
    if (f.getName() != codegen::kBatchEntry) return llvm::PreservedAnalyses::all();
    codegen::MarkBatchReads(f);
    return llvm::PreservedAnalyses::none();
  }
};

// O2 for the host CPU. Vectorizing and unrolling are for the batch module, whose loop over rows
// they are made for; in the row module they cost compile time for little (loops there run over a
// few set elements).
void Optimize(llvm::Module& m, llvm::TargetMachine* tm, bool vectorize) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = vectorize;
  tuning.SLPVectorization = vectorize;
  tuning.LoopUnrolling = vectorize;
  llvm::PassBuilder pb(tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.registerVectorizerStartEPCallback(
      [](llvm::FunctionPassManager& fpm, llvm::OptimizationLevel) { fpm.addPass(MarkBatchReadsPass()); });
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  mpm.run(m, mam);
}

// The machine code of an optimised module, as an object file; nullopt if the target cannot.
std::optional<std::string> EmitObject(llvm::Module& m, llvm::TargetMachine& tm) {
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile)) return std::nullopt;
  pm.run(m);
  return std::string(buffer.begin(), buffer.end());
}

}  // namespace

struct CompiledPolicy::Handle {
  llvm::orc::JITDylib* dylib = nullptr;
  llvm::orc::ResourceTrackerSP tracker;
};

CompiledPolicy::CompiledPolicy() = default;

CompiledPolicy::~CompiledPolicy() {
  if (!handle_ || !handle_->dylib) return;
  Jit& jit = Instance();
  std::lock_guard<std::mutex> lock(jit.mu);
  llvm::consumeError(handle_->tracker->remove());
  llvm::consumeError(jit.lljit->getExecutionSession().removeJITDylib(*handle_->dylib));
}

void* CompiledPolicy::AddModule(bool batch, DiagnosticSink& diags, codegen::Layout* layout) const {
  Jit& jit = Instance();
  auto context = std::make_unique<llvm::LLVMContext>();
  codegen::Generated g = codegen::Generate(*program_, *context, batch, leaves_, outputs_, diags);
  if (!g.module) return nullptr;
  g.module->setDataLayout(jit.lljit->getDataLayout());
  g.module->setTargetTriple(jit.lljit->getTargetTriple().str());
  // The TargetMachines (ours, and LLJIT's compiler's) are shared: one policy at a time.
  std::lock_guard<std::mutex> lock(jit.mu);
  if (layout) *layout = std::move(g.layout);
  const char* entry = batch ? codegen::kBatchEntry : codegen::kRowEntry;
  llvm::Error added = llvm::Error::success();
  if (std::optional<DiskCache> disk = DiskCache::FromEnvironment()) {
    // With the disk cache, machine code is made here (and kept) rather than by LLJIT's compiler.
    std::string key = DiskCache::Key(*g.module, *jit.tm, batch);
    std::optional<std::string> object = disk->Load(key);
    if (!object) {
      Optimize(*g.module, jit.tm.get(), batch);
      object = EmitObject(*g.module, *jit.tm);
      if (object) disk->Store(key, *object);
    }
    if (!object) {
      diags.Error("E0603", Span{}, "JIT error: the target cannot emit an object file");
      return nullptr;
    }
    added = jit.lljit->addObjectFile(handle_->tracker, llvm::MemoryBuffer::getMemBufferCopy(*object, key));
  } else {
    Optimize(*g.module, jit.tm.get(), batch);
    added = jit.lljit->addIRModule(handle_->tracker, llvm::orc::ThreadSafeModule(std::move(g.module), std::move(context)));
  }
  if (added) {
    diags.Error("E0603", Span{}, fmt::format("JIT error: {}", llvm::toString(std::move(added))));
    return nullptr;
  }
  auto sym = jit.lljit->lookup(*handle_->dylib, entry);
  if (!sym) {
    diags.Error("E0603", Span{}, fmt::format("JIT error: {}", llvm::toString(sym.takeError())));
    return nullptr;
  }
  return sym->toPtr<void*>();
}

BatchFn CompiledPolicy::batch() const {
  if (!has_batch_) return nullptr;
  std::call_once(batch_once_, [this] {
    DiagnosticSink diags;
    batch_ = reinterpret_cast<BatchFn>(AddModule(true, diags, nullptr));
    if (!batch_) {
      for (const Diagnostic& d : diags.diagnostics()) batch_error_ += d.message;
    }
  });
  return batch_;
}

std::unique_ptr<CompiledPolicy> Compile(const ir::Program& p, bool batch, const std::vector<codegen::BatchLeaf>& leaves,
                                        const std::vector<codegen::BatchOutput>& outputs, DiagnosticSink& diags) {
  Jit& jit = Instance();
  if (!jit.lljit) {
    diags.Error("E0603", Span{}, fmt::format("the JIT is not available on this machine: {}", jit.error));
    return nullptr;
  }
  auto compiled = std::unique_ptr<CompiledPolicy>(new CompiledPolicy);
  compiled->program_ = &p;
  compiled->has_batch_ = batch;
  compiled->leaves_ = leaves;
  compiled->outputs_ = outputs;
  compiled->handle_ = std::make_unique<CompiledPolicy::Handle>();
  llvm::Expected<llvm::orc::JITDylib&> dylib = [&] {
    std::lock_guard<std::mutex> lock(jit.mu);
    return jit.lljit->createJITDylib(fmt::format("policy.{}.{}", p.name, jit.next_id++));
  }();
  if (!dylib) {
    diags.Error("E0603", Span{}, fmt::format("JIT error: {}", llvm::toString(dylib.takeError())));
    return nullptr;
  }
  dylib->addToLinkOrder(jit.lljit->getMainJITDylib());
  compiled->handle_->dylib = &*dylib;
  compiled->handle_->tracker = dylib->createResourceTracker();
  compiled->row_ = reinterpret_cast<RowFn>(compiled->AddModule(false, diags, &compiled->layout_));
  if (!compiled->row_) return nullptr;
  return compiled;
}

std::string EmitLLVM(const ir::Program& p, bool batch, const std::vector<codegen::BatchLeaf>& leaves,
                     const std::vector<codegen::BatchOutput>& outputs, DiagnosticSink& diags, bool optimize) {
  Jit& jit = Instance();
  llvm::LLVMContext context;
  codegen::Generated g = codegen::Generate(p, context, batch, leaves, outputs, diags);
  if (!g.module) return "";
  if (jit.lljit) {
    g.module->setDataLayout(jit.lljit->getDataLayout());
    g.module->setTargetTriple(jit.lljit->getTargetTriple().str());
    std::lock_guard<std::mutex> lock(jit.mu);
    if (optimize) Optimize(*g.module, jit.tm.get(), batch);
  }
  std::string out;
  llvm::raw_string_ostream os(out);
  g.module->print(os, nullptr);
  return os.str();
}

}  // namespace proviso::jit
