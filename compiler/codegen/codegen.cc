#include "compiler/codegen/codegen.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Metadata.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "compiler/codegen/generator.h"

namespace proviso::codegen {
namespace internal {

Generator::Generator(const ir::Program& p, llvm::LLVMContext& c, Layout& layout, const Specialization* spec,
                     bool track)
    : p_(p), types_(p.types()), c_(c), b_(c), layout_(layout), spec_(spec), track_(track) {
  m_ = std::make_unique<llvm::Module>(p.name, c);
  i64_ = llvm::Type::getInt64Ty(c);
  i32_ = llvm::Type::getInt32Ty(c);
  i1_ = llvm::Type::getInt1Ty(c);
  i8_ = llvm::Type::getInt8Ty(c);
  ptr_ = llvm::PointerType::get(c, 0);
  i128_ = llvm::Type::getInt128Ty(c);
  mask_ty_ = llvm::IntegerType::get(c, 64 * layout.mask_words);
}

std::unique_ptr<llvm::Module> Generator::Run(bool batch, const std::vector<BatchLeaf>& leaves,
                                             const std::vector<BatchOutput>& outputs) {
  DeclareHelpers(batch);
  if (p_.law) law_slot_ = Alloc(1);
  versioned_params_ = VersionedParams(p_);
  for (const ir::Scope& sc : p_.scopes) {
    item_region_.push_back(Alloc(Slots(sc.element, types_)));
    item_law_slot_.push_back(Alloc(1));
  }
  // Memo slots of lets and outputs come first in the ctx scratch.
  int mask = track_ ? layout_.mask_words : 0;  // a memo's value, then its mask
  for (const ir::Let& l : p_.lets) {
    let_flag_.push_back(Alloc(2));  // computed, failed
    let_value_.push_back(Alloc(Slots(l.type, types_) + mask));
  }
  for (const ir::Output& o : p_.outputs) {
    out_flag_.push_back(Alloc(2));  // computed, failed
    out_value_.push_back(Alloc(Slots(o.type, types_) + mask));
  }
  llvm::FunctionType* memo_ty = llvm::FunctionType::get(i32_, {ptr_, ptr_, ptr_, i64_}, false);
  for (size_t i = 0; i < p_.lets.size(); ++i) {
    let_fn_.push_back(InternalFunction(memo_ty, "let." + p_.lets[i].name, LetInlined(static_cast<int>(i))));
  }
  for (size_t i = 0; i < p_.outputs.size(); ++i) {
    out_fn_.push_back(InternalFunction(memo_ty, "output." + p_.outputs[i].name, OutputInlined(static_cast<int>(i))));
  }
  CheckCodeSize();
  CheckWork();
  llvm::FunctionType* callee_ty = llvm::FunctionType::get(i32_, {ptr_, ptr_, ptr_, i64_, ptr_, ptr_}, false);
  fn_callee_.assign(p_.functions.size(), nullptr);
  for (size_t i = 0; i < p_.functions.size(); ++i) {
    if (!FunctionOutOfLine(static_cast<int>(i))) continue;
    fn_callee_[i] = llvm::Function::Create(callee_ty, llvm::Function::InternalLinkage, "function." + p_.functions[i].name, m_.get());
    fn_callee_[i]->addFnAttr(llvm::Attribute::NoInline);
    fn_callee_[i]->addFnAttr(llvm::Attribute::NoUnwind);
  }
  FindSharedExprs();
  for (size_t i = 0; i < p_.functions.size(); ++i) {
    if (fn_callee_[i]) EmitCalledFunction(static_cast<int>(i));
  }
  for (size_t i = 0; i < p_.lets.size(); ++i) EmitLetFunction(static_cast<int>(i));
  for (size_t i = 0; i < p_.outputs.size(); ++i) EmitOutputFunction(static_cast<int>(i));
  // A module with the batch entry is added next to the row module: its row is its own copy.
  llvm::Function* row = EmitRow(batch ? llvm::Function::InternalLinkage : llvm::Function::ExternalLinkage);
  if (batch) EmitBatch(row, leaves, outputs);
  layout_.ctx_slots = ctx_slots_;
  if (ctx_slots_global_) {  // `late of t` copies the scratch: now its size is known
    ctx_slots_global_->setInitializer(I64(std::max(ctx_slots_, 1)));
    ctx_slots_global_->setConstant(true);
  }
  for (llvm::AllocaInst* copy : ctx_copies_) copy->setOperand(0, I64(std::max(ctx_slots_, 1)));
  return std::move(m_);
}

}  // namespace internal

using internal::Generator;
using internal::Unsupported;

void MarkBatchReads(llvm::Function& f) {
  if (f.getName() != kBatchEntry) return;
  llvm::NamedMDNode* named = f.getParent()->getNamedMetadata(kBatchReadScope);
  if (!named || named->getNumOperands() == 0) return;
  llvm::MDNode* reads = named->getOperand(0);
  for (llvm::BasicBlock& block : f) {
    for (llvm::Instruction& inst : block) {
      if (!llvm::isa<llvm::LoadInst>(inst)) continue;
      std::vector<llvm::Metadata*> scopes{reads};
      if (llvm::MDNode* old = inst.getMetadata(llvm::LLVMContext::MD_alias_scope)) {
        for (const llvm::MDOperand& op : old->operands()) if (op.get() != reads) scopes.push_back(op.get());
      }
      inst.setMetadata(llvm::LLVMContext::MD_alias_scope, llvm::MDNode::get(f.getContext(), scopes));
    }
  }
}

Generated Generate(const ir::Program& p, llvm::LLVMContext& context, bool batch_ok,
                   const std::vector<BatchLeaf>& leaves, const std::vector<BatchOutput>& outputs,
                   DiagnosticSink& diags, const Specialization* spec, bool track) {
  Generated g;
  g.layout = Layout::For(p);
  if (track && g.layout.mask_words > Layout::kMaxMaskWords) {
    diags.Error("E0601", Span{}, fmt::format("the JIT cannot follow unknown facts in a schema of {} facts (at most {})",
                                             p.facts.size(), Layout::kMaxMaskWords * 64))
        .help = "facts that leave some out are evaluated by the interpreter";
    return Generated{};
  }
  if (spec) {
    if (batch_ok || spec->params.size() != p.params.size()) throw std::logic_error("bad specialisation");
    for (const std::string& text : spec->texts) {
      g.layout.text_ids.emplace(text, static_cast<int64_t>(g.layout.texts.size()));
      g.layout.texts.push_back(text);
    }
  }
  try {
    Generator gen(p, context, g.layout, spec, track);
    g.module = gen.Run(batch_ok, leaves, outputs);
    g.batch = batch_ok;
  } catch (const Unsupported& u) {
    diags.Error("E0601", u.span, fmt::format("the JIT cannot compile {}", u.what))
        .help = "evaluate this policy with `--engine=interp`";
    return Generated{};
  }
  std::string err;
  llvm::raw_string_ostream os(err);
  if (llvm::verifyModule(*g.module, &os)) {
    diags.Error("E0602", Span{}, fmt::format("internal error: generated code for `{}` is invalid: {}", p.name, os.str()));
    return Generated{};
  }
  return g;
}

}  // namespace proviso::codegen
