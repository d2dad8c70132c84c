#include "compiler/jit/jit.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Passes/StandardInstrumentations.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/IPO/AlwaysInliner.h>
#include <llvm/Transforms/InstCombine/InstCombine.h>
#include <llvm/Transforms/Scalar/EarlyCSE.h>
#include <llvm/Transforms/Scalar/SROA.h>
#include <llvm/Transforms/Scalar/SimplifyCFG.h>

#include "compiler/jit/disk_cache.h"
#include "compiler/support/budget.h"
#include "compiler/support/calendar.h"
#include "compiler/support/large_stack.h"

// Helpers called by generated code for calendar work and collection equality.
extern "C" {
// Of the day `days`: 0 year, 1 month, 2 day, 3 ISO weekday, 4 / 5 first / last day of its month,
// 6 / 7 first / last day of its year.
int64_t proviso_rt_civil(int64_t days, int64_t which) {
  proviso::CivilDate c = proviso::CivilFromDays(days);
  switch (which) {
    case 0: return c.year;
    case 1: return c.month;
    case 2: return c.day;
    case 3: return proviso::Weekday(days);
    case 4: return proviso::DaysFromCivil(c.year, c.month, 1);
    case 5: return proviso::DaysFromCivil(c.year, c.month, proviso::DaysInMonth(c.year, c.month));
    case 6: return proviso::DaysFromCivil(c.year, 1, 1);
    default: return proviso::DaysFromCivil(c.year, 12, 31);
  }
}
// The day of a date from its parts, or INT64_MIN when they name none (in years 1 to 9999).
int64_t proviso_rt_date(int64_t y, int64_t m, int64_t d) {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > proviso::DaysInMonth(static_cast<int>(y), static_cast<int>(m))) {
    return INT64_MIN;
  }
  return proviso::DaysFromCivil(static_cast<int>(y), static_cast<int>(m), static_cast<int>(d));
}
int64_t proviso_rt_months_between(int64_t a, int64_t b) { return proviso::MonthsBetween(a, b); }
// The due dates of a recurring deadline: out = [current, has previous, previous, has the one
// before, the one before]; returns a RecurringError (0: none).
int32_t proviso_rt_recurring(int64_t first, int64_t months, int64_t seconds, int64_t as_of, int64_t* out) {
  proviso::RecurringDue due;
  proviso::RecurringError e = proviso::RecurringDueDates(first, proviso::Duration{months, seconds}, as_of, &due);
  out[0] = due.current;
  out[1] = due.has_previous;
  out[2] = due.previous;
  out[3] = due.has_before_previous;
  out[4] = due.before_previous;
  return static_cast<int32_t>(e);
}
// The arena of collections made at run time (`filter`, `map`, set operations): one per thread,
// rewound at the start of each row (generated code calls proviso_rt_arena_reset), so what a row
// made lives until the host has read its outputs and the thread evaluates its next row. Chunks are
// kept for later rows; a row needs at most the sizes of the collections it reads, times a few.
namespace {
struct Arena {
  std::vector<std::unique_ptr<int64_t[]>> chunks;
  std::vector<size_t> sizes;  // slots
  size_t chunk = 0, used = 0;
};
thread_local Arena arena;
}  // namespace
// The evaluation budget of the rows this thread runs (compiler/support/budget.h): a row that loops
// over collections takes it at its start (proviso_rt_budget, into a scratch slot its loops count
// down) and, when it runs out, says so (proviso_rt_over_budget) before failing; the host tells that
// failure from the others with jit::OverBudget.
namespace {
thread_local int64_t budget_limit = proviso::kDefaultBudget;
thread_local bool over_budget = false;
}  // namespace
int64_t proviso_rt_budget() {
  over_budget = false;
  return budget_limit;
}
void proviso_rt_over_budget() { over_budget = true; }
void proviso_rt_arena_reset() {
  arena.chunk = 0;
  arena.used = 0;
}
int64_t* proviso_rt_alloc(int64_t slots) {
  size_t n = static_cast<size_t>(slots < 1 ? 1 : slots);
  while (arena.chunk < arena.chunks.size()) {
    if (arena.used + n <= arena.sizes[arena.chunk]) {
      int64_t* p = arena.chunks[arena.chunk].get() + arena.used;
      arena.used += n;
      return p;
    }
    ++arena.chunk;
    arena.used = 0;
  }
  size_t size = std::max<size_t>(n, arena.sizes.empty() ? 4096 : arena.sizes.back() * 2);
  arena.chunks.emplace_back(new int64_t[size]);
  arena.sizes.push_back(size);
  arena.chunk = arena.chunks.size() - 1;
  arena.used = n;
  return arena.chunks.back().get();
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

void SetBudget(int64_t requested) {
  budget_limit = EffectiveBudget(requested);
  over_budget = false;
}

bool OverBudget() { return over_budget; }
namespace {

struct Jit {
  std::unique_ptr<llvm::orc::LLJIT> lljit;
  std::optional<llvm::orc::JITTargetMachineBuilder> host;  // makes a TargetMachine per compilation
  std::mutex mu;  // JITDylib creation and removal
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
    // What LLJIT sets for its own compiler on x86-64 (with JITLink): without it, a JIT target
    // machine defaults to the large code model (64-bit absolute addresses for every constant,
    // table and call).
    jtmb->setCodeModel(llvm::CodeModel::Small);
    jtmb->setRelocationModel(llvm::Reloc::PIC_);
    j->host = *jtmb;
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
    add("proviso_rt_date", reinterpret_cast<void*>(&proviso_rt_date));
    add("proviso_rt_months_between", reinterpret_cast<void*>(&proviso_rt_months_between));
    add("proviso_rt_recurring", reinterpret_cast<void*>(&proviso_rt_recurring));
    add("proviso_rt_slots_equal", reinterpret_cast<void*>(&proviso_rt_slots_equal));
    add("proviso_rt_set_equal", reinterpret_cast<void*>(&proviso_rt_set_equal));
    add("proviso_rt_alloc", reinterpret_cast<void*>(&proviso_rt_alloc));
    add("proviso_rt_arena_reset", reinterpret_cast<void*>(&proviso_rt_arena_reset));
    add("proviso_rt_budget", reinterpret_cast<void*>(&proviso_rt_budget));
    add("proviso_rt_over_budget", reinterpret_cast<void*>(&proviso_rt_over_budget));
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

// Functions of more blocks or instructions than these (a table of thousands of rows, inlined) are left as they are
// generated: InstCombine and SimplifyCFG take time superlinear in a function's size (a 2,000-row
// table took 40 s to optimise, 10,000 rows minutes). They stay out of line and unoptimised; the rest
// of the module is optimised as usual. The machine code generator is linear.
constexpr size_t kMaxOptimizedBlocks = 1500;
constexpr unsigned kMaxOptimizedInstructions = 20000;

void LeaveHugeFunctionsAlone(llvm::Module& m) {
  for (llvm::Function& f : m) {
    if (f.isDeclaration() || (f.size() <= kMaxOptimizedBlocks && f.getInstructionCount() <= kMaxOptimizedInstructions)) {
      continue;
    }
    f.removeFnAttr(llvm::Attribute::AlwaysInline);
    f.addFnAttr(llvm::Attribute::NoInline);
    f.addFnAttr(llvm::Attribute::OptimizeNone);
  }
}

// The quick tier: inline the let and output functions into the row, promote its locals to
// registers, fold and merge what is obviously redundant. A fraction of O2's time, for code that
// is good enough for a policy evaluated a few times.
void OptimizeQuickly(llvm::Module& m, llvm::TargetMachine* tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  // The standard instrumentation makes every pass skip `optnone` functions (LeaveHugeFunctionsAlone).
  llvm::PassInstrumentationCallbacks pic;
  llvm::StandardInstrumentations si(m.getContext(), /*DebugLogging=*/false);
  si.registerCallbacks(pic, &mam);
  llvm::PassBuilder pb(tm, llvm::PipelineTuningOptions(), std::nullopt, &pic);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::FunctionPassManager fpm;
  fpm.addPass(llvm::SROAPass(llvm::SROAOptions::ModifyCFG));
  fpm.addPass(llvm::EarlyCSEPass());
  fpm.addPass(llvm::InstCombinePass());
  fpm.addPass(llvm::SimplifyCFGPass());
  llvm::ModulePassManager mpm;
  mpm.addPass(llvm::AlwaysInlinerPass());
  mpm.addPass(llvm::createModuleToFunctionPassAdaptor(std::move(fpm)));
  LeaveHugeFunctionsAlone(m);
  mpm.run(m, mam);
}

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
  llvm::PassInstrumentationCallbacks pic;
  llvm::StandardInstrumentations si(m.getContext(), /*DebugLogging=*/false);
  si.registerCallbacks(pic, &mam);
  llvm::PassBuilder pb(tm, tuning, std::nullopt, &pic);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.registerVectorizerStartEPCallback(
      [](llvm::FunctionPassManager& fpm, llvm::OptimizationLevel) { fpm.addPass(MarkBatchReadsPass()); });
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  LeaveHugeFunctionsAlone(m);
  mpm.run(m, mam);
}

// A TargetMachine for the host, generating code at `level` (one per compilation: they are not
// thread-safe, and policies compile in several threads at once).
std::unique_ptr<llvm::TargetMachine> HostMachine(Jit& jit, llvm::CodeGenOptLevel level, std::string& error) {
  llvm::orc::JITTargetMachineBuilder jtmb = *jit.host;
  jtmb.setCodeGenOptLevel(level);
  auto tm = jtmb.createTargetMachine();
  if (!tm) {
    error = llvm::toString(tm.takeError());
    return nullptr;
  }
  return std::move(*tm);
}

// The machine code of a module, as an object file; nullopt if the target cannot.
std::optional<std::string> EmitObject(llvm::Module& m, llvm::TargetMachine& tm) {
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, llvm::CodeGenFileType::ObjectFile)) return std::nullopt;
  pm.run(m);
  return std::string(buffer.begin(), buffer.end());
}

}  // namespace

struct CompiledPolicy::Trackers {
  std::mutex mu;
  std::vector<llvm::orc::ResourceTrackerSP> all;
};

CompiledPolicy::CompiledPolicy() : trackers_(std::make_unique<Trackers>()) {}

CompiledPolicy::~CompiledPolicy() {
  if (!dylib_) return;
  Jit& jit = Instance();
  std::lock_guard<std::mutex> lock(jit.mu);
  for (const llvm::orc::ResourceTrackerSP& tracker : trackers_->all) llvm::consumeError(tracker->remove());
  llvm::consumeError(jit.lljit->getExecutionSession().removeJITDylib(*dylib_));
}

struct CompiledPolicy::Generated {
  std::unique_ptr<llvm::LLVMContext> context = std::make_unique<llvm::LLVMContext>();
  codegen::Generated g;
  std::string digest;  // of the module's IR, once the disk cache needed it
};

std::unique_ptr<CompiledPolicy::Generated> CompiledPolicy::Generate(bool batch, DiagnosticSink& diags,
                                                                    const codegen::Specialization* spec,
                                                                    bool track) const {
  auto gen = std::make_unique<Generated>();
  gen->g = codegen::Generate(*program_, *gen->context, batch, leaves_, outputs_, diags, spec, track);
  if (!gen->g.module) return nullptr;
  Jit& jit = Instance();
  gen->g.module->setDataLayout(jit.lljit->getDataLayout());
  gen->g.module->setTargetTriple(jit.lljit->getTargetTriple().str());
  return gen;
}

void* CompiledPolicy::AddModule(Build build, Generated& gen, DiagnosticSink& diags, bool cached_only,
                                size_t specialization) const {
  Jit& jit = Instance();
  const bool batch = build == Build::kBatch || build == Build::kUnknownBatch;
  // The tiers of the row live in one JITDylib: the optimised and specialised ones under names of
  // their own (the disk cache's key names the entry too: its object defines that symbol).
  const std::string entry = build == Build::kUnknownBatch ? "proviso_batch_unknown"
                            : batch ? codegen::kBatchEntry
                            : build == Build::kRow ? "proviso_row_o2"
                            : build == Build::kUnknownRow ? "proviso_row_unknown"
                            : build == Build::kSpecializedRow ? fmt::format("proviso_row_s{}", specialization)
                                                              : codegen::kRowEntry;
  const std::string pipeline = build == Build::kUnknownBatch ? "o2-vectorize:" + entry
                               : batch ? "o2-vectorize"
                               : build == Build::kRow ? "o2"
                               : build == Build::kSpecializedRow || build == Build::kUnknownRow ? "o2:" + entry
                                                                                                : "quick";
  std::string error;
  std::unique_ptr<llvm::TargetMachine> tm = HostMachine(
      jit, build == Build::kQuickRow ? llvm::CodeGenOptLevel::None : llvm::CodeGenOptLevel::Default, error);
  if (!tm) {
    if (!cached_only) diags.Error("E0603", Span{}, fmt::format("JIT error: {}", error));
    return nullptr;
  }
  std::optional<DiskCache> disk = DiskCache::FromEnvironment();
  if (disk && gen.digest.empty()) gen.digest = DiskCache::Digest(*gen.g.module);
  std::string key = disk ? DiskCache::Key(gen.digest, *tm, pipeline.c_str()) : pipeline;
  std::optional<std::string> object = disk ? disk->Load(key) : std::nullopt;
  if (!object && cached_only) return nullptr;
  if (!object) {
    llvm::Module& m = *gen.g.module;
    if (build == Build::kRow || build == Build::kSpecializedRow || build == Build::kUnknownRow) {
      m.getFunction(codegen::kRowEntry)->setName(entry);
    }
    if (build == Build::kQuickRow) OptimizeQuickly(m, tm.get());
    else Optimize(m, tm.get(), batch);
    if (build == Build::kUnknownBatch) m.getFunction(codegen::kBatchEntry)->setName(entry);
    object = EmitObject(m, *tm);
    gen.g.module.reset();  // optimised: not to be compiled again
    if (!object) {
      diags.Error("E0603", Span{}, "JIT error: the target cannot emit an object file");
      return nullptr;
    }
    if (disk) disk->Store(key, *object);
  }
  // Each module has a tracker of its own, so that one that fails to link leaves nothing behind
  // (its entry's name stays free for another try); the JITDylib's removal frees them all.
  llvm::orc::ResourceTrackerSP tracker = dylib_->createResourceTracker();
  llvm::Error added = jit.lljit->addObjectFile(tracker, llvm::MemoryBuffer::getMemBufferCopy(*object, key));
  if (added) {
    diags.Error("E0603", Span{}, fmt::format("JIT error: {}", llvm::toString(std::move(added))));
    llvm::consumeError(tracker->remove());
    return nullptr;
  }
  auto sym = jit.lljit->lookup(*dylib_, entry);
  if (!sym) {
    diags.Error("E0603", Span{}, fmt::format("JIT error: {}", llvm::toString(sym.takeError())));
    llvm::consumeError(tracker->remove());
    return nullptr;
  }
  // Kept until the policy is unloaded: a tracker released earlier hands its resources to the
  // JITDylib's default tracker, and LLVM 19's ObjectLinkingLayer::handleTransferResources can then
  // read a DenseMap entry that its own insertion has just moved (seen as std::length_error
  // from vector::reserve when the map grows).
  std::lock_guard<std::mutex> lock(trackers_->mu);
  trackers_->all.push_back(std::move(tracker));
  return sym->toPtr<void*>();
}

RowFn CompiledPolicy::optimized_row() const {
  std::call_once(optimized_once_, [this] {
    if (optimized_row_) return;  // loaded from the disk cache by Compile
    DiagnosticSink diags;
    try {
      std::unique_ptr<Generated> gen = Generate(false, diags);
      if (gen) optimized_row_ = reinterpret_cast<RowFn>(AddModule(Build::kRow, *gen, diags));
    } catch (const std::exception& e) {
      optimized_error_ = e.what();
      return;
    }
    if (!optimized_row_) {
      for (const Diagnostic& d : diags.diagnostics()) optimized_error_ += d.message;
      return;
    }
    row_.store(optimized_row_, std::memory_order_release);
    optimized_.store(true, std::memory_order_release);
  });
  return optimized_row_;
}

void CompiledPolicy::CountRows(int64_t rows) const {
  int64_t before = rows_counted_.fetch_add(rows, std::memory_order_relaxed);
  // Exactly one call crosses the threshold; it compiles the optimised row (on a large stack: code
  // generation recurses over the policy). In the caller's thread, not a thread of its own: one
  // still compiling when the process exits would run into LLVM's static objects being destroyed.
  if (before >= kTierUpRows || before + rows < kTierUpRows || optimized_.load(std::memory_order_acquire)) return;
  try {
    OnLargeStack([this] { optimized_row(); });
  } catch (...) {  // the row stays quick (optimized_error() says why)
  }
}

struct CompiledPolicy::Candidate {
  codegen::Specialization spec;
  std::atomic<int64_t> rows{0};
  std::atomic<RowFn> row{nullptr};
};

namespace {

bool SameParams(const codegen::Specialization& spec, const std::vector<const Value*>& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    const std::optional<Value>& have = spec.params[i];
    if (have.has_value() != (params[i] != nullptr) || (have && *have != *params[i])) return false;
  }
  return true;
}

// The texts of `v` that `layout` does not name, in order of first appearance.
void CollectTexts(const Value& v, const codegen::Layout& layout, std::vector<std::string>& out) {
  if (v.kind == Value::Kind::kText) {
    if (!layout.text_ids.count(v.text) && std::find(out.begin(), out.end(), v.text) == out.end()) {
      out.push_back(v.text);
    }
    return;
  }
  if (v.kind == Value::Kind::kRecord || v.kind == Value::Kind::kList || v.kind == Value::Kind::kSet) {
    for (const Value& e : v.elems()) CollectTexts(e, layout, out);
  }
}

}  // namespace

CompiledPolicy::SpecializedRow CompiledPolicy::Specialized(const std::vector<const Value*>& params,
                                                           int64_t rows) const {
  if (params.size() != program_->params.size()) throw std::logic_error("Specialized: one value per param");
  if (params.empty()) return {};  // nothing to specialise: the optimised row is the same code
  // Params read by version at a law day (`law as of`) are not the values in force on as_of: such a
  // policy reads every version from the params buffer, and is not specialised.
  if (codegen::VersionedParams(*program_)) return {};
  // Candidates are published once and never change (but for their atomics), so evaluations look
  // them up without a lock; adding one takes the lock.
  auto find = [&](size_t from, size_t to) -> Candidate* {
    for (size_t k = from; k < to; ++k) {
      if (SameParams(candidates_[k]->spec, params)) return candidates_[k].get();
    }
    return nullptr;
  };
  size_t seen = candidates_published_.load(std::memory_order_acquire);
  Candidate* c = find(0, seen);
  if (!c) {
    std::lock_guard<std::mutex> lock(candidates_mu_);
    size_t now = candidates_published_.load(std::memory_order_relaxed);
    c = find(seen, now);
    if (!c) {
      if (now >= kMaxCandidates) return {};
      auto fresh = std::make_unique<Candidate>();
      for (const Value* v : params) {
        fresh->spec.params.push_back(v ? std::optional<Value>(*v) : std::nullopt);
        if (v) CollectTexts(*v, layout_, fresh->spec.texts);
      }
      c = fresh.get();
      candidates_[now] = std::move(fresh);
      candidates_published_.store(now + 1, std::memory_order_release);
    }
  }
  if (RowFn row = c->row.load(std::memory_order_acquire)) return {row, &c->spec.texts};
  int64_t before = c->rows.fetch_add(rows, std::memory_order_relaxed);
  if (before >= kSpecializeRows || before + rows < kSpecializeRows) return {};
  // This call crossed the threshold: it compiles (on a large stack, as CountRows).
  size_t index = 0;
  {
    std::lock_guard<std::mutex> lock(candidates_mu_);
    if (specializations_ >= kMaxSpecializations) return {};
    index = specializations_++;
  }
  try {
    OnLargeStack([&] {
      DiagnosticSink diags;
      std::unique_ptr<Generated> gen = Generate(false, diags, &c->spec);
      if (gen) c->row.store(reinterpret_cast<RowFn>(AddModule(Build::kSpecializedRow, *gen, diags, false, index)),
                            std::memory_order_release);
    });
  } catch (...) {  // stays unspecialised
  }
  RowFn row = c->row.load(std::memory_order_acquire);
  return row ? SpecializedRow{row, &c->spec.texts} : SpecializedRow{};
}

RowFn CompiledPolicy::unknown_row() const {
  std::call_once(unknown_once_, [this] {
    DiagnosticSink diags;
    try {
      OnLargeStack([&] {
        std::unique_ptr<Generated> gen = Generate(false, diags, nullptr, /*track=*/true);
        if (gen) {
          unknown_ctx_slots_ = gen->g.layout.ctx_slots;
          unknown_row_ = reinterpret_cast<RowFn>(AddModule(Build::kUnknownRow, *gen, diags));
        }
      });
    } catch (const std::exception& e) {
      unknown_error_ = e.what();
      return;
    }
    if (!unknown_row_) {
      for (const Diagnostic& d : diags.diagnostics()) unknown_error_ += d.message;
    }
  });
  return unknown_row_;
}

UnknownBatchFn CompiledPolicy::unknown_batch() const {
  if (!has_batch_) return nullptr;
  std::call_once(unknown_batch_once_, [this] {
    DiagnosticSink diags;
    try {
      OnLargeStack([&] {
        std::unique_ptr<Generated> gen = Generate(true, diags, nullptr, /*track=*/true);
        if (gen) unknown_batch_ = reinterpret_cast<UnknownBatchFn>(AddModule(Build::kUnknownBatch, *gen, diags));
      });
    } catch (const std::exception& e) {
      unknown_batch_error_ = e.what();
      return;
    }
    if (!unknown_batch_) {
      for (const Diagnostic& d : diags.diagnostics()) unknown_batch_error_ += d.message;
    }
  });
  return unknown_batch_;
}

BatchFn CompiledPolicy::batch() const {
  if (!has_batch_) return nullptr;
  std::call_once(batch_once_, [this] {
    DiagnosticSink diags;
    std::unique_ptr<Generated> gen = Generate(true, diags);
    if (gen) batch_ = reinterpret_cast<BatchFn>(AddModule(Build::kBatch, *gen, diags));
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
  llvm::Expected<llvm::orc::JITDylib&> dylib = [&] {
    std::lock_guard<std::mutex> lock(jit.mu);
    return jit.lljit->createJITDylib(fmt::format("policy.{}.{}", p.name, jit.next_id++));
  }();
  if (!dylib) {
    diags.Error("E0603", Span{}, fmt::format("JIT error: {}", llvm::toString(dylib.takeError())));
    return nullptr;
  }
  dylib->addToLinkOrder(jit.lljit->getMainJITDylib());
  compiled->dylib_ = &*dylib;
  std::unique_ptr<CompiledPolicy::Generated> gen = compiled->Generate(false, diags);
  if (!gen) return nullptr;
  compiled->layout_ = gen->g.layout;
  // With the disk cache, a process after the one that optimised the row loads its machine code.
  RowFn row = nullptr;
  if (DiskCache::FromEnvironment()) {
    DiagnosticSink ignored;
    row = reinterpret_cast<RowFn>(compiled->AddModule(CompiledPolicy::Build::kRow, *gen, ignored, true));
    if (row) {
      compiled->optimized_row_ = row;
      compiled->optimized_.store(true, std::memory_order_release);
    }
  }
  if (!row) row = reinterpret_cast<RowFn>(compiled->AddModule(CompiledPolicy::Build::kQuickRow, *gen, diags));
  if (!row) return nullptr;
  compiled->quick_row_ = row;
  compiled->row_.store(row, std::memory_order_release);
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
    std::string error;
    std::unique_ptr<llvm::TargetMachine> tm = HostMachine(jit, llvm::CodeGenOptLevel::Default, error);
    if (!tm) {
      diags.Error("E0603", Span{}, fmt::format("JIT error: {}", error));
      return "";
    }
    if (optimize) Optimize(*g.module, tm.get(), batch);
  }
  std::string out;
  llvm::raw_string_ostream os(out);
  g.module->print(os, nullptr);
  return os.str();
}

}  // namespace proviso::jit
