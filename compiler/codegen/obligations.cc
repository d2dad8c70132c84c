// Obligations of a row: which apply, which an applicable exception replaces, their deadlines
// and whether they are violated.
#include "compiler/codegen/generator.h"

#include <algorithm>
#include <vector>

namespace proviso::codegen::internal {

// Obligations, into the row's `out`: which apply; an applicable exception replaces its general
// obligation.
void Generator::EmitObligations(llvm::Value* out) {
  size_t n = p_.obligations.size();
  std::vector<llvm::Value*> applies(n);
  for (size_t i = 0; i < n; ++i) {
    const ir::Obligation& o = p_.obligations[i];
    llvm::AllocaInst* a = Local(i1_, 1, "applies");
    b_.CreateStore(False(), a);
    llvm::BasicBlock* check = Block("ob.check");
    llvm::BasicBlock* done = Block("ob.applies");
    b_.CreateCondBr(InForce(o.effective), check, done);
    b_.SetInsertPoint(check);
    llvm::Value* holds = o.when ? Bool(Emit(*o.when).a) : True();
    b_.CreateStore(holds, a);
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    applies[i] = b_.CreateLoad(i1_, a);
  }
  // Replaced: some exception below it applies. Deepest first, each exception passes to its parent
  // whether it or one below it applies (one `or` per obligation, not one per ancestor).
  std::vector<int> depth(n, 0), deepest_first(n);
  for (size_t i = 0; i < n; ++i) {
    deepest_first[i] = static_cast<int>(i);
    for (int anc = p_.obligations[i].parent; anc >= 0; anc = p_.obligations[anc].parent) ++depth[i];
  }
  std::stable_sort(deepest_first.begin(), deepest_first.end(), [&](int a, int b) { return depth[a] > depth[b]; });
  std::vector<llvm::Value*> replaced(n, False());
  for (int i : deepest_first) {
    int parent = p_.obligations[i].parent;
    if (parent >= 0) replaced[parent] = b_.CreateOr(replaced[parent], b_.CreateOr(applies[i], replaced[i]));
  }
  for (size_t i = 0; i < n; ++i) {
    const ir::Obligation& o = p_.obligations[i];
    int off = layout_.obligation_offset[i];
    llvm::Value* emitted = b_.CreateAnd(applies[i], b_.CreateNot(replaced[i]));
    b_.CreateStore(ToI64(emitted), Slot(out, off));
    b_.CreateStore(I64(0), Slot(out, off + 1));
    b_.CreateStore(I64(0), Slot(out, off + 2));
    b_.CreateStore(I64(0), Slot(out, off + 3));
    llvm::BasicBlock* yes = Block("ob.emit");
    llvm::BasicBlock* done = Block("ob.done");
    b_.CreateCondBr(emitted, yes, done);
    b_.SetInsertPoint(yes);
    if (o.deadline) {
      CG d = Emit(*o.deadline);
      llvm::Value* present = d.present ? d.present : True();
      b_.CreateStore(ToI64(present), Slot(out, off + 2));
      b_.CreateStore(b_.CreateSelect(present, d.a, I64(0)), Slot(out, off + 3));
    }
    if (o.violated) b_.CreateStore(Emit(*o.violated).a, Slot(out, off + 1));
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
  }
}

}  // namespace proviso::codegen::internal
